"""One JSON object: version, files_checked, findings (and the findings accepted by inline ignores)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from migralint import __version__
from migralint.findings import Finding, LintResult, Severity
from migralint.report.indented_json import Records, write_indented_json
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


_KEYS = ("path", "line", "column", "end_line", "end_column", "rule", "severity", "message", "help")


def findings_json(findings: Sequence[Finding]) -> list[dict[str, Any]] | Records:
    """The findings as the report's list holds them: finding_dict's objects, or the same as
    columns (indented_json.Records: a C call per column and batch, not a dict per finding) when
    no finding carries a table size (only --database-url gives one; finding_dict adds its key)."""
    if any(f.table_size is not None for f in findings):
        return [finding_dict(f) for f in findings]
    # Read as attributes in bytecode, not through attrgetter: the interpreter's specialized slot
    # reads cost a fraction of the generic lookup attrgetter makes from C.
    rows = [(f.path, f.line, f.column, f.end_line, f.end_column, f.rule, f.severity, f.message, f.help)
            for f in findings]
    columns: list[Sequence[Any]] = list(zip(*rows)) or [() for _ in _KEYS]
    paths = columns[0]
    if not "".join(paths).isascii():  # shown() changes only non-ASCII paths
        columns[0] = [path if path.isascii() else shown(path) for path in paths]
    columns[6] = list(map(_SEVERITY_TEXT.__getitem__, columns[6]))
    return Records(_KEYS, columns)


def write_json(
    result: LintResult, out: TextIO, *, color: bool = False, strict: bool = False, width: int | None = None
) -> None:
    document = {
        "version": __version__,
        "files_checked": result.files_checked,
        "findings": findings_json(result.findings),
        "ignored": [{**finding_dict(i.finding), "reason": i.reason} for i in result.ignored],
    }
    write_indented_json(document, out)  # C-encoded, in a few large writes (indent=2 meant the pure-Python encoder)
