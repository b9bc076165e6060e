"""The human format: findings grouped by file, each with its source line underlined, help and docs link.

On a terminal the report is built as (text, style) segments, which rich renders in colour
unless NO_COLOR, with the docs links as OSC 8 hyperlinks
(https://gist.github.com/egmontkob/eb114294efbcd5adb1944c9f3cb5feda), and prose wrapped to the
terminal's width between words (a word longer than the line is left whole, never cut).
Without a terminal (a pipe, a file, CI) each finding is written as one formatted string: the
segments' text, byte for byte (tests/report/test_text_plain.py holds the two to that), at a
fraction of the cost: over the corpus's 5,800 findings the segments took 0.36 s and this 0.1 s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from migralint.findings import Finding, LintResult, Severity
from migralint.report.escape import CONTROL, one_line
from migralint.report.paths import shown
from migralint.report.summary import by_file, counts, plural, rule_url, summary_sentence
from migralint.report.table_size import shown_message

Segment = tuple[str, str]  # (text, rich style; "" for none)

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}
# Without a terminal there is no width to wrap to; a source line is still shown in a bounded
# window, so that 3,000 findings on one 1 MB line cost 3,000 short lines, not 3 GB.
PIPE_SNIPPET_WIDTH = 160
_HELP_INDENT = " " * len("  help: ")
_FIX_SUFFIX = " (migralint lint --fix)"


def write_text(
    result: LintResult, out: TextIO, *, color: bool, strict: bool = False, width: int | None = None
) -> None:
    """`width` is the terminal's: given, prose is wrapped to it and links are clickable."""
    if not color and width is None:
        _write_plain(result, out)
        return
    segments = _segments(result, width)
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=True, no_color=not color, highlight=False, soft_wrap=True,
                      emoji=False, markup=False)
    console.print(Text.assemble(*segments), end="")


class _Lines:
    """The lines of one source, up to the last line its findings point at.

    Lines end at "\\n" only, as source.LineIndex counts them. The text is split once, by
    str.split with a limit (in C), up to that line and not beyond it: a large file with a few
    findings near its top costs a few lines. A search for each finding's line from the previous
    one's, a `find` a line in Python, was 78 M of the 523 M instructions (callgrind) of the
    corpus's text report.
    """

    __slots__ = ("count", "_lines")

    def __init__(self, text: str, last: int) -> None:
        last = last if last > 1 else 1
        self._lines = text.split("\n", last)
        # The lines that can be asked for: the text's, up to `last` (a further one is in the
        # remainder, the list's last item, not split off).
        self.count = len(self._lines) if len(self._lines) < last else last

    def line(self, line: int) -> str:
        """1-based `line`'s text, without its "\\n"; 1 <= line <= count."""
        return self._lines[line - 1]


def _lines_of(result: LintResult, path: str, findings: list[Finding]) -> _Lines | None:
    """The lines of the file `findings` (sorted by position, as summary.by_file gives them) are in."""
    source = result.sources.get(path)
    return _Lines(source, findings[-1].line) if source is not None else None


def _plain_help(text: str) -> str:
    """A finding's help as the plain text shows it: its first line after "help:", the rest (SQL)
    as it is, indented."""
    first, _, rest = text.partition("\n")
    parts = [f"  help: {one_line(first)}\n"]
    for line in rest.splitlines():  # SQL: pasted as is, so never wrapped
        parts.append(f"{_HELP_INDENT}{one_line(line)}\n")
    return "".join(parts)


def _write_plain(result: LintResult, out: TextIO) -> None:
    labels: dict[tuple[Severity, str], str] = {}
    urls: dict[str, str] = {}
    # Each distinct help rendered once (each of its characters checked for control characters
    # once): the corpus's 5,800 findings have 3,600 helps, and the report took 523 M -> 501 M
    # instructions (callgrind).
    helps: dict[str, str] = {}
    for path, findings in by_file(result):
        # A file's findings at a time: the whole report as one string was the peak memory of a
        # large run (the text of thousands of findings, held twice).
        where = one_line(shown(path))
        lines = _lines_of(result, path, findings)
        parts = [f"{where}: {counts(findings)}\n"]
        for finding in findings:
            severity, rule = finding.severity, finding.rule
            label = labels.get((severity, rule))
            if label is None:
                label = labels[severity, rule] = f"{severity.value}[{one_line(rule)}]"
            url = urls.get(rule)
            if url is None:
                url = urls[rule] = rule_url(rule)
            message = finding.message if finding.table_size is None else shown_message(finding)
            parts.append(f"{where}:{finding.line}:{finding.column}: {label} {one_line(message)}\n")
            if lines is not None and 1 <= finding.line <= lines.count:
                gutter, text, caret_start, caret_width = _window(finding, lines, None)
                parts.append(f"  {gutter} | {text}\n  {' ' * len(gutter)} | {' ' * caret_start}{'^' * caret_width}\n")
            if finding.help:
                rendered = helps.get(finding.help)
                if rendered is None:
                    rendered = helps[finding.help] = _plain_help(finding.help)
                parts.append(rendered)
            if finding.fix is not None:
                parts.append(f"  fix: {one_line(finding.fix.description)}{_FIX_SUFFIX}\n")
            parts.append(f"  docs: {url}\n\n")
        out.write("".join(parts))
    out.write("".join(text for text, _ in _summary(result)))


def _segments(result: LintResult, width: int | None) -> list[Segment]:
    segments: list[Segment] = []
    for path, findings in by_file(result):
        segments.extend(_file_segments(result, path, findings, width))
    segments.extend(_summary(result))
    return segments


def _file_segments(result: LintResult, path: str, findings: list[Finding], width: int | None) -> Iterator[Segment]:
    lines = _lines_of(result, path, findings)
    yield f"{one_line(shown(path))}: {counts(findings)}\n", "bold underline"
    for finding in findings:
        yield from _finding_segments(finding, lines, width)


def _wrap(text: str, width: int | None, first: int, indent: str) -> str:
    """`text` to write after `first` columns, then a space: wrapped between words to `width`.

    The result starts with its separator: a space, or a line break and `indent` when less than
    a short phrase would fit after the first columns (a long path and rule name, say).
    """
    if width is None or not text.strip():
        return " " + text
    import textwrap  # on a terminal only: a pipe gets no width to wrap to

    width = max(width, len(indent) + 20)
    wrapper = textwrap.TextWrapper(width=width, subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False)
    if first + 1 + 20 > width:
        wrapper.initial_indent = indent
        return "\n" + "\n".join(wrapper.wrap(text))
    wrapper.initial_indent = " " * (first + 1)
    return " " + "\n".join(wrapper.wrap(text))[first + 1 :]


def _finding_segments(finding: Finding, lines: _Lines | None, width: int | None) -> Iterator[Segment]:
    location = f"{one_line(shown(finding.path))}:{finding.line}:{finding.column}"
    label = f"{finding.severity.value}[{one_line(finding.rule)}]"
    yield location, "bold"
    yield ": ", ""
    yield label, _SEVERITY_STYLE[finding.severity]
    message = one_line(shown_message(finding))
    yield _wrap(message, width, len(location) + len(label) + 2, "  ") + "\n", ""
    if lines is not None and 1 <= finding.line <= lines.count:
        gutter, text, caret_start, caret_width = _window(finding, lines, width)
        yield f"  {gutter} | ", "blue"
        yield f"{text}\n", ""
        yield f"  {' ' * len(gutter)} | ", "blue"
        yield " " * caret_start + "^" * caret_width + "\n", _SEVERITY_STYLE[finding.severity]
    if finding.help:
        first, _, rest = finding.help.partition("\n")
        yield "  help:", "bold cyan"
        yield _wrap(one_line(first), width, len(_HELP_INDENT) - 1, _HELP_INDENT) + "\n", ""
        for line in rest.splitlines():  # SQL: pasted as is, so never wrapped
            yield f"{_HELP_INDENT}{one_line(line)}\n", "cyan"
    if finding.fix is not None:
        yield "  fix:", "bold green"
        yield _wrap(f"{one_line(finding.fix.description)}{_FIX_SUFFIX}", width, 6, "       ") + "\n", "green"
    url = rule_url(finding.rule)
    yield "  docs: ", "dim"
    yield url, f"dim link {url}"
    yield "\n\n", ""


def _window(finding: Finding, lines: _Lines, width: int | None) -> tuple[str, str, int, int]:
    """The snippet of the finding's line: (gutter, the shown text, where the caret starts, its width)."""
    # Comparisons, not min() and max(): in Python 3.11 each of those parses its arguments as
    # keywords, and the five here were half of this function's cost (60 M instructions over the
    # corpus's 5,800 snippets, callgrind).
    gutter = str(finding.line)
    # The line fits the width with its gutter ("  12 | ") and an ellipsis at each end.
    room = (width or PIPE_SNIPPET_WIDTH) - len(gutter) - 7
    room = room if room > 40 else 40
    line = lines.line(finding.line)
    length = len(line)
    start = finding.column - 1
    start = 0 if start < 0 else length if start > length else start
    end = finding.end_column - 1 if finding.end_line == finding.line else length
    end = end if end < length else length
    end = end if end > start else start + 1
    if length <= room:  # the whole line (most are): no window to place, no ellipsis
        return gutter, _shown(line), start, end - start
    # A window of the line around the finding, never the whole of a long line.
    left = max(0, min(start - room // 4, length - room))
    right = left + room
    before = "…" if left > 0 else ""
    after = "…" if right < length else ""
    caret_width = max(1, min(end, right) - start)
    return gutter, f"{before}{_shown(line[left:right])}{after}", len(before) + start - left, caret_width


def _shown(text: str) -> str:
    text = text.rstrip("\r")  # a line ends at "\n" (lines.line has none): its CR is not shown
    if not text.isprintable():  # only then can it hold a control character
        text = re.sub(CONTROL, " ", text)  # one column per character: the caret line stays under what it marks
    return text


def _summary(result: LintResult) -> Iterator[Segment]:
    yield summary_sentence(result) + "\n", "bold" if result.findings else "bold green"
    if result.ignored:
        yield f"{plural(len(result.ignored), 'finding')} accepted by inline ignores:\n", ""
        for item in result.ignored:
            f = item.finding
            reason = one_line(item.reason or "no reason given")
            yield f"  {one_line(shown(f.path))}:{f.line}:{f.column}: {one_line(f.rule)} ({reason})\n", "dim"
