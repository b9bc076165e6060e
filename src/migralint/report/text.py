"""The human format: each finding with its source line underlined, its help and its docs link.

Output is built as (text, style) segments. Without colour they are joined as plain strings,
which keeps a run with thousands of findings fast; with colour, rich renders the same segments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from migralint import DOCS_URL
from migralint.linter.finding import Finding, Severity
from migralint.linter.source import LineIndex

if TYPE_CHECKING:
    from migralint.linter.run import LintResult

Segment = tuple[str, str]  # (text, rich style; "" for none)

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}


def write_text(result: LintResult, out: TextIO, *, color: bool) -> None:
    segments = _segments(result)
    if not color:
        out.write("".join(text for text, _ in segments))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True, emoji=False)
    console.print(Text.assemble(*segments), end="")


def _segments(result: LintResult) -> list[Segment]:
    segments: list[Segment] = []
    indexes: dict[str, LineIndex] = {}
    for finding in result.findings:
        source = result.sources.get(finding.path)
        index = None
        if source is not None:
            index = indexes.get(finding.path) or indexes.setdefault(finding.path, LineIndex(source))
        segments.extend(_finding_segments(finding, index))
    segments.extend(_summary(result))
    return segments


def _finding_segments(finding: Finding, index: LineIndex | None) -> Iterator[Segment]:
    yield f"{finding.path}:{finding.line}:{finding.column}", "bold"
    yield ": ", ""
    yield f"{finding.severity.value}[{finding.rule}]", _SEVERITY_STYLE[finding.severity]
    yield f" {finding.message}\n", ""
    if index is not None and finding.line <= index.line_count:
        yield from _snippet(finding, index)
    if finding.help:
        first, _, rest = finding.help.partition("\n")
        yield "  help: ", "bold cyan"
        yield first + "\n", ""
        for line in rest.splitlines():
            yield f"        {line}\n", "cyan"
    if finding.fix is not None:
        yield "  fix: ", "bold green"
        yield f"{finding.fix.description} (migralint lint --fix)\n", "green"
    yield "  docs: ", "dim"
    yield DOCS_URL.format(name=finding.rule) + "\n\n", "dim"


def _snippet(finding: Finding, index: LineIndex) -> Iterator[Segment]:
    line = index.line_text(finding.line).expandtabs(1)
    gutter = str(finding.line)
    start = finding.column - 1
    end = finding.end_column - 1 if finding.end_line == finding.line else len(line)
    width = max(1, min(end, len(line)) - start)
    yield f"  {gutter} | ", "blue"
    yield line + "\n", ""
    yield f"  {' ' * len(gutter)} | ", "blue"
    yield " " * start + "^" * width + "\n", _SEVERITY_STYLE[finding.severity]


def _summary(result: LintResult) -> Iterator[Segment]:
    counts = Counter(f.severity for f in result.findings)
    if not result.findings:
        yield f"No problems in {_plural(result.files_checked, 'file')}.\n", "bold green"
    else:
        files_with = {f.path for f in result.findings}
        parts = [_plural(counts[s], s.value) for s in (Severity.ERROR, Severity.WARNING) if counts[s]]
        if files_with <= set(result.files):
            where = f"{len(files_with)} of {_plural(result.files_checked, 'file')}"
        else:  # history findings can name files that were not linted (applied, deleted)
            where = f"{_plural(len(files_with), 'file')} ({result.files_checked} linted)"
        yield f"Found {' and '.join(parts)} in {where}.\n", "bold"
    if result.ignored:
        yield f"{_plural(len(result.ignored), 'finding')} accepted by inline ignores:\n", ""
        for item in result.ignored:
            f = item.finding
            reason = item.reason or "no reason given"
            yield f"  {f.path}:{f.line}:{f.column}: {f.rule} ({reason})\n", "dim"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
