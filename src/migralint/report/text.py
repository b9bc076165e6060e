"""The human format: each finding with its source line underlined, its help and its docs link."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.text import Text

from migralint import DOCS_URL
from migralint.linter.finding import Finding, Severity
from migralint.linter.source import LineIndex

if TYPE_CHECKING:
    from migralint.linter.run import LintResult

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}


def write_text(result: LintResult, out: TextIO, *, color: bool) -> None:
    console = Console(
        file=out,
        color_system="auto" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )
    indexes: dict[str, LineIndex] = {}
    for finding in result.findings:
        source = result.sources.get(finding.path)
        index = None
        if source is not None:
            index = indexes.get(finding.path) or indexes.setdefault(finding.path, LineIndex(source))
        console.print(_finding_text(finding, index))
    console.print(_summary(result))


def _finding_text(finding: Finding, index: LineIndex | None) -> Text:
    text = Text()
    text.append(f"{finding.path}:{finding.line}:{finding.column}", style="bold")
    text.append(": ")
    text.append(f"{finding.severity.value}[{finding.rule}]", style=_SEVERITY_STYLE[finding.severity])
    text.append(f" {finding.message}\n")
    if index is not None and finding.line <= index.line_count:
        text.append_text(_snippet(finding, index))
    if finding.help:
        first, _, rest = finding.help.partition("\n")
        text.append("  help: ", style="bold cyan")
        text.append(first + "\n")
        for line in rest.splitlines():
            text.append(f"        {line}\n", style="cyan")
    text.append("  docs: ", style="dim")
    text.append(DOCS_URL.format(name=finding.rule) + "\n", style="dim")
    return text


def _snippet(finding: Finding, index: LineIndex) -> Text:
    line = index.line_text(finding.line).expandtabs(1)
    gutter = str(finding.line)
    pad = " " * len(gutter)
    start = finding.column - 1
    end = finding.end_column - 1 if finding.end_line == finding.line else len(line)
    end = max(end, start + 1)
    snippet = Text()
    snippet.append(f"  {gutter} | ", style="blue")
    snippet.append(line + "\n")
    snippet.append(f"  {pad} | ", style="blue")
    snippet.append(" " * start + "^" * max(1, min(end, len(line) or 1) - start) + "\n", style=_SEVERITY_STYLE[finding.severity])
    return snippet


def _summary(result: LintResult) -> Text:
    counts = Counter(f.severity for f in result.findings)
    files_with = len({f.path for f in result.findings})
    text = Text()
    if not result.findings:
        text.append(f"No problems in {_plural(result.files_checked, 'file')}.", style="bold green")
    else:
        parts = [_plural(counts[s], s.value) for s in (Severity.ERROR, Severity.WARNING) if counts[s]]
        text.append(
            f"Found {' and '.join(parts)} in {files_with} of {_plural(result.files_checked, 'file')}.",
            style="bold",
        )
    if result.ignored:
        text.append(f"\n{_plural(len(result.ignored), 'finding')} accepted by inline ignores:")
        for item in result.ignored:
            f = item.finding
            reason = item.reason or "no reason given"
            text.append(f"\n  {f.path}:{f.line}:{f.column}: {f.rule} ({reason})", style="dim")
    return text


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
