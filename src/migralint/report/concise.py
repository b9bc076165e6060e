"""One line per finding: `path:line:col: severity[rule] message`, as editors and grep expect.

Grouped by file like the text format. A newline or other control character in a path or an
identifier is written escaped (`\\n`), so one finding is always one line.
"""

from __future__ import annotations

from typing import TextIO

from migralint.findings import LintResult
from migralint.report.escape import one_line
from migralint.report.paths import shown
from migralint.report.summary import by_file
from migralint.report.table_size import shown_message


def write_concise(
    result: LintResult, out: TextIO, *, color: bool = False, strict: bool = False, width: int | None = None
) -> None:
    for path, findings in by_file(result):
        where = one_line(shown(path))
        out.writelines(
            f"{where}:{f.line}:{f.column}: {f.severity.value}[{one_line(f.rule)}] {one_line(shown_message(f))}\n"
            for f in findings
        )
