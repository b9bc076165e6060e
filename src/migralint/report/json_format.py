"""One JSON object: version, files_checked, findings (and the findings accepted by inline ignores)."""

from __future__ import annotations

from typing import Any, TextIO

from migralint import __version__
from migralint.findings import Finding, LintResult
from migralint.report.indented_json import write_indented_json
from migralint.report.paths import shown
from migralint.report.table_size import shown_message, size_dict


def finding_dict(finding: Finding) -> dict[str, Any]:
    found = {
        "path": shown(finding.path),
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": shown_message(finding),
        "help": finding.help,
    }
    if finding.table_size is not None:  # only with --database-url: the key is absent otherwise
        found["table_size"] = size_dict(finding.table_size)
    return found


def write_json(
    result: LintResult, out: TextIO, *, color: bool = False, strict: bool = False, width: int | None = None
) -> None:
    document = {
        "version": __version__,
        "files_checked": result.files_checked,
        "findings": [finding_dict(f) for f in result.findings],
        "ignored": [{**finding_dict(i.finding), "reason": i.reason} for i in result.ignored],
    }
    write_indented_json(document, out)  # C-encoded, in a few large writes (indent=2 meant the pure-Python encoder)
