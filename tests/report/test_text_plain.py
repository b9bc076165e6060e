"""The text report off a terminal is written by its own fast path (one string per finding, not
(text, style) segments); it must be the segments' text byte for byte, on every kind of finding."""

from __future__ import annotations

import random
from io import StringIO

import pytest

from migralint.findings import Edit, Finding, Fix, IgnoredFinding, LintResult, Severity
from migralint.report import OutputFormat, reporter
from migralint.report.text import PIPE_SNIPPET_WIDTH, _Lines, _segments
from migralint.source import LineIndex

LONG = "INSERT INTO t VALUES " + ", ".join(f"({k}, 'é{k}')" for k in range(200))
SOURCES = {
    "a.sql": 'CREATE TABLE "é☕" (id INT);\r\nALTER TABLE "t" ADD COLUMN "c" INT NOT NULL;\r\n' + LONG + "\n\tDROP\x1bTABLE x;",
    "b\udcff\n.sql": "DROP TABLE x;\n",  # a name with an undecodable byte and a newline
    "c.sql": "",
    "empty-last.sql": "SELECT 1;\n\n",
}


def finding(path: str, line: int, column: int, **extra: object) -> Finding:
    fields: dict[str, object] = {"end_line": line, "end_column": column + 5, "rule": "ban-drop-table",
                                 "severity": Severity.ERROR, "message": "takes ACCESS EXCLUSIVE on \"t\"", "help": ""}
    fields.update(extra)
    return Finding(path, line, column, **fields)  # type: ignore[arg-type]


def hard_result() -> LintResult:
    findings = [
        finding("a.sql", 2, 1, help="Add the column as nullable first.\nALTER TABLE \"t\" ADD COLUMN \"c\" INT;\n\n  -- then",
                severity=Severity.WARNING, rule="adding-required-field"),
        finding("a.sql", 1, 14, end_line=2, end_column=3, message="a message with\na newline and \x1b[31m"),
        finding("a.sql", 3, 900, end_column=2000, fix=Fix("set lock_timeout\tfirst", (Edit(0, 0, "x"),))),
        finding("a.sql", 3, 1, end_column=10**6),
        finding("a.sql", 4, 2, end_column=1, rule="rule\nwith a newline"),
        finding("a.sql", 0, 0, rule="edited-applied-migration"),  # a history finding: no line to show
        finding("a.sql", 99, 1),  # past the end of the text
        finding("b\udcff\n.sql", 1, 1, help="é☕\tonly\n\x1b[0m"),
        finding("c.sql", 1, 1),
        finding("empty-last.sql", 3, 1, end_column=1),
        finding("not-read.sql", 1, 1, rule="internal-error"),  # no source text: no snippet
        finding("deleted.sql", 1, 1, rule="deleted-applied-migration", severity=Severity.WARNING),
    ]
    result = LintResult(files_checked=5, files=["a.sql", "b\udcff\n.sql", "c.sql", "empty-last.sql", "not-read.sql"],
                        findings=findings, sources=dict(SOURCES))
    result.ignored.append(IgnoredFinding(finding("a.sql", 2, 1), "reason\nwith a newline"))
    result.ignored.append(IgnoredFinding(finding("c.sql", 1, 1), ""))
    return result


def plain(result: LintResult) -> str:
    out = StringIO()
    reporter(OutputFormat.TEXT)(result, out, color=False)
    return out.getvalue()


def test_plain_text_is_the_segments_text() -> None:
    result = hard_result()
    text = plain(result)
    assert text == "".join(piece for piece, _ in _segments(result, None))
    assert "\x1b" not in text and "\udcff" not in text and "b\\xff\\n.sql: 1 error\n" in text
    # The long line is a window of it, with the caret under column 900.
    window = next(line for line in text.splitlines() if line.startswith("  3 | …"))
    assert len(window) <= PIPE_SNIPPET_WIDTH + 2
    assert "  4 |  DROP TABLE x;\n" in text  # the tab and the escape shown as spaces, one column each
    assert '  2 | ALTER TABLE "t" ADD COLUMN "c" INT NOT NULL;\n    | ^^^^^\n' in text  # the \r not shown
    assert '  1 | CREATE TABLE "é☕" (id INT);\n' in text


@pytest.mark.parametrize("seed", range(5))
def test_plain_text_is_the_segments_text_on_random_findings(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(["a", "é", "\n", "\r\n", "\t", "☕", " ", "x" * 300]) for _ in range(300))
    findings = []
    for _ in range(60):
        line = rng.randrange(0, text.count("\n") + 3)
        column = rng.randrange(0, 400)
        findings.append(finding("r.sql", line, column, end_line=line + rng.choice((0, 0, 1)),
                                end_column=column + rng.randrange(-3, 500),
                                severity=rng.choice(list(Severity)), help=rng.choice(["", "a\nb", "c"])))
    result = LintResult(files_checked=1, files=["r.sql"], findings=findings, sources={"r.sql": text})
    assert plain(result) == "".join(piece for piece, _ in _segments(result, None))


def test_lines_agree_with_the_line_index_in_any_order() -> None:
    rng = random.Random(7)
    for _ in range(50):
        text = "".join(rng.choice(["a", "\n", "\r\n", "é", "bc"]) for _ in range(rng.randrange(0, 60)))
        index = LineIndex(text)
        last = rng.randrange(1, index.line_count + 3)
        lines = _Lines(text, last)
        assert lines.count == min(last, index.line_count)
        for line in rng.choices(range(1, lines.count + 1), k=20):  # in any order
            assert lines.line(line).rstrip("\r") == index.line_text(line)
            assert "\n" not in lines.line(line)
