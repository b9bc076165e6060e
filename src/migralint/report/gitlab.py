"""GitLab Code Quality JSON, which merge requests show next to the changed lines."""

from __future__ import annotations

import hashlib
from typing import TextIO

from migralint.findings import LintResult, Severity
from migralint.report.fingerprints import fingerprints
from migralint.report.indented_json import write_indented_json
from migralint.report.paths import repo_shown
from migralint.report.table_size import shown_message

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def write_gitlab(
    result: LintResult, out: TextIO, *, color: bool = False, strict: bool = False, width: int | None = None
) -> None:
    issues = [
        {
            "description": f"{finding.rule}: {shown_message(finding)}",
            "check_name": finding.rule,
            "fingerprint": hashlib.md5(fingerprint.encode()).hexdigest(),
            "severity": _SEVERITY[finding.severity],
            "location": {"path": repo_shown(finding.path), "lines": {"begin": finding.line, "end": finding.end_line}},
        }
        for finding, fingerprint in zip(result.findings, fingerprints(result.findings, result.sources))
    ]
    write_indented_json(issues, out)  # C-encoded, in a few large writes (indent=2 meant the pure-Python encoder)
