"""One JSON object: version, files_checked, findings (and the findings accepted by inline ignores)."""

from __future__ import annotations

from typing import Any, TextIO

from migralint import __version__
from migralint.findings import Finding, LintResult, Severity
from migralint.report.indented_json import write_indented_json
from migralint.report.paths import shown
from migralint.report.table_size import shown_message, size_dict


# Severity.value is a property in Python; a dict lookup hashes the str in C. Read once per
# finding, 5,800 times over the corpus.
_SEVERITY_TEXT = {severity: severity.value for severity in Severity}


def finding_dict(finding: Finding) -> dict[str, Any]:
    path = finding.path
    found = {
        "path": path if path.isascii() else shown(path),  # shown() changes only non-ASCII paths
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "rule": finding.rule,
        "severity": _SEVERITY_TEXT[finding.severity],
        "message": finding.message if finding.table_size is None else shown_message(finding),
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
