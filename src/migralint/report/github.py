"""GitHub Actions workflow commands: one annotation per finding, on the exact line of the diff.

`::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::MESSAGE`, escaped as the
runner requires: `%`, CR and LF in the message; also `,` and `:` in properties.
"""

from __future__ import annotations

from typing import TextIO

from migralint.findings import Finding, LintResult, Severity
from migralint.report.escape import valid_text
from migralint.report.paths import repo_shown
from migralint.report.table_size import shown_message


def escape_data(text: str) -> str:
    return valid_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    command = "error" if finding.severity is Severity.ERROR else "warning"
    properties = [
        f"file={escape_property(repo_shown(finding.path))}",
        f"line={finding.line}",
        f"col={finding.column}",
        f"endLine={finding.end_line}",
    ]
    if finding.end_line == finding.line:
        # GitHub's endColumn is inclusive and applies to single-line annotations only.
        properties.append(f"endColumn={max(finding.column, finding.end_column - 1)}")
    properties.append(f"title={escape_property(finding.rule)}")
    message = shown_message(finding) + (f"\n\n{finding.help}" if finding.help else "")
    return f"::{command} {','.join(properties)}::{escape_data(message)}\n"


def write_github(
    result: LintResult, out: TextIO, *, color: bool = False, strict: bool = False, width: int | None = None
) -> None:
    out.writelines(annotation(f) for f in result.findings)
