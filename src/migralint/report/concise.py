"""One line per finding: `path:line:col: severity[rule] message`, as editors and grep expect."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from migralint.linter.run import LintResult


def write_concise(result: LintResult, out: TextIO, *, color: bool = False) -> None:
    lines = [
        f"{f.path}:{f.line}:{f.column}: {f.severity.value}[{f.rule}] {f.message}\n" for f in result.findings
    ]
    out.writelines(lines)
