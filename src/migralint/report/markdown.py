"""A Markdown summary (for pull request comments and GitHub's job summary)."""

from __future__ import annotations

from typing import TextIO

from migralint.findings import LintResult
from migralint.report.escape import one_line
from migralint.report.paths import repo_shown
from migralint.report.summary import by_file, plural, rule_url, summary_sentence
from migralint.report.table_size import shown_message


def _cell(text: str) -> str:
    return one_line(text).replace("|", "\\|")


def _code(text: str) -> str:
    """An inline code span that holds any text, backticks included (CommonMark 6.1)."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{_cell(text)}{pad}{fence}"


def markdown_summary(result: LintResult) -> str:
    lines = ["## migralint", "", summary_sentence(result)]
    if result.findings:
        lines += ["", "| file | line | rule | message |", "| --- | --: | --- | --- |"]
        for path, findings in by_file(result):
            shown = _code(repo_shown(path))
            for f in findings:
                rule = f"[{_code(f.rule)}]({rule_url(f.rule)})"
                lines.append(f"| {shown} | {f.line} | {rule} | {_cell(shown_message(f))} |")
    if result.ignored:
        lines += ["", f"{plural(len(result.ignored), 'finding')} accepted by inline ignores:", ""]
        for item in result.ignored:
            f = item.finding
            where = _code(f"{repo_shown(f.path)}:{f.line}")
            lines.append(f"- {where} {_code(f.rule)}: {_cell(item.reason or 'no reason given')}")
    return "\n".join(lines) + "\n"


def write_markdown(
    result: LintResult, out: TextIO, *, color: bool = False, strict: bool = False, width: int | None = None
) -> None:
    out.write(markdown_summary(result))
