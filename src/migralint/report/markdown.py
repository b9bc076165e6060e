"""A Markdown summary (for pull request comments and GitHub's job summary)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from migralint import DOCS_URL
from migralint.linter.finding import Severity
from migralint.report.paths import repo_relative

if TYPE_CHECKING:
    from migralint.linter.run import LintResult


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_summary(result: LintResult) -> str:
    counts = Counter(f.severity for f in result.findings)
    files = f"{result.files_checked} file{'s' if result.files_checked != 1 else ''}"
    if not result.findings:
        lines = ["## migralint", "", f"No problems in {files}."]
    else:
        parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in (Severity.ERROR, Severity.WARNING) if counts[s]]
        lines = [
            "## migralint",
            "",
            f"Found {' and '.join(parts)} in {files}.",
            "",
            "| file | line | rule | message |",
            "| --- | --: | --- | --- |",
        ]
        for f in result.findings:
            rule = f"[`{f.rule}`]({DOCS_URL.format(name=f.rule)})"
            lines.append(f"| `{_cell(repo_relative(f.path))}` | {f.line} | {rule} | {_cell(f.message)} |")
    if result.ignored:
        lines += ["", f"{len(result.ignored)} finding(s) accepted by inline ignores:", ""]
        for item in result.ignored:
            f = item.finding
            lines.append(f"- `{_cell(repo_relative(f.path))}:{f.line}` `{f.rule}`: {_cell(item.reason or 'no reason given')}")
    return "\n".join(lines) + "\n"


def write_markdown(result: LintResult, out: TextIO, *, color: bool = False) -> None:
    out.write(markdown_summary(result))
