"""One JSON object: version, files_checked, findings (and the findings accepted by inline ignores)."""

from __future__ import annotations

from typing import Any, TextIO

from migralint import __version__
from migralint.findings import Finding, LintResult
from migralint.report.indented_json import write_indented_json
from migralint.report.paths import shown


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "path": shown(finding.path),
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "help": finding.help,
    }


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
