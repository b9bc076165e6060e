"""The output a person reads, on a real terminal (a pseudo-terminal of a set width) and a real pipe."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from migralint.findings import Finding, Severity
from migralint.findings import LintResult
from migralint.report import OutputFormat, reporter
from migralint.report.text import PIPE_SNIPPET_WIDTH
from tests.report.test_formats import PROJECT, SARIF_SCHEMA

ANSI = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")
OSC8_DOCS = re.compile(r"\x1b\]8;[^;]*;(https://[^\x1b]+)\x1b\\")


def on_terminal(args: list[str], *, columns: int, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run migralint with standard output on a pseudo-terminal `columns` wide."""
    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
    environment.update({"TERM": "xterm-256color", "GITHUB_ACTIONS": "", "GITLAB_CI": "", **(env or {})})
    process = subprocess.Popen([sys.executable, "-m", "migralint", *args], cwd=cwd, stdout=child_fd,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=environment)
    os.close(child_fd)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    return process.wait(timeout=60), b"".join(chunks).decode().replace("\r\n", "\n")


def test_prose_wraps_to_the_terminal_between_words_and_links_are_clickable() -> None:
    code, raw = on_terminal(["lint", "prisma/migrations"], columns=60, cwd=PROJECT)
    assert code == 1
    assert "\x1b[" in raw  # colour on a terminal
    links = OSC8_DOCS.findall(raw)
    assert "https://github.com/migralint/migralint/blob/main/docs/rules/ban-drop-not-null.md" in links
    text = ANSI.sub("", raw)
    lines = text.splitlines()
    message = ('DROP NOT NULL on "User"."name": code still running that assumes "name" always holds a value '
               "(a Prisma client of the previous release types it as required) breaks on the first NULL written there.")
    start = next(k for k, line in enumerate(lines) if "warning[ban-drop-not-null]" in line)
    shown = [lines[start].split("warning[ban-drop-not-null]", 1)[1].strip()]
    for line in lines[start + 1:]:
        if not line.startswith("  ") or line.startswith("  4 |"):
            break
        shown.append(line.strip())
    assert len(shown) > 2  # wrapped
    assert " ".join(piece for piece in shown if piece) == message  # every word whole, in order: none cut
    for line in lines[start + 1: start + len(shown)]:
        assert len(line) <= 60, line
    # The location and rule leave no room on their line: the message starts on the next one.
    assert lines[start].endswith("warning[ban-drop-not-null]")
    help_line = next(line for line in lines if line.startswith("  help: Make every reader"))
    assert len(help_line) <= 60


def test_no_color_on_a_terminal_keeps_the_links() -> None:
    code, raw = on_terminal(["lint", "prisma/migrations"], columns=100, cwd=PROJECT, env={"NO_COLOR": "1"})
    assert code == 1
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", raw)  # no colour
    assert OSC8_DOCS.search(raw)


def test_rule_is_rendered_on_a_terminal() -> None:
    code, raw = on_terminal(["rule", "ban-drop-column"], columns=80, cwd=PROJECT)
    text = ANSI.sub("", raw)
    assert code == 0
    assert "<!--" not in text and "**Severity:**" not in text and "Severity: error" in text
    assert "## " not in text and "What it does" in text
    assert all(len(line) <= 80 for line in text.splitlines())


@pytest.fixture(scope="module")
def many_findings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many") / "migrations"
    folder.mkdir()
    (folder / "001_indexes.sql").write_text("".join(f'CREATE INDEX "i{k}" ON "t"("c");\n' for k in range(800)))
    return folder


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_a_reader_that_stops_early_ends_the_run_quietly(fmt: str, many_findings: Path) -> None:
    """`migralint lint ... | head -n 1`, with a real pipe: no traceback, the lint's own exit code."""
    process = subprocess.Popen([sys.executable, "-m", "migralint", "lint", "--format", fmt, str(many_findings)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "GITHUB_ACTIONS": "", "GITLAB_CI": "", "GITHUB_STEP_SUMMARY": ""})
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()
    process.stdout.close()  # what head does after its first line
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert err == ""


@pytest.mark.parametrize("args", [["rules"], ["rule", "ban-drop-column"], ["--help"]])
def test_the_other_commands_end_quietly_on_a_closed_pipe(args: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # closed before migralint writes a byte
    process = subprocess.run([sys.executable, "-m", "migralint", *args], stdout=write_end,
                             stderr=subprocess.PIPE, timeout=60)
    os.close(write_end)
    assert process.stderr.decode() == ""
    assert process.returncode in (0, 1) if args == ["--help"] else process.returncode == 0


def test_a_long_line_is_shown_as_a_window_around_each_finding(tmp_path: Path) -> None:
    """3,000 findings on one 1 MB line: the text output holds 3,000 short windows, not 3 GB."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    statements = "".join(f'CREATE INDEX "i{k}" ON "t"("c"); ' for k in range(1500))
    (folder / "001_x.sql").write_text(f"SELECT '{'x' * 1_000_000}'; {statements}\n")
    run = subprocess.run([sys.executable, "-m", "migralint", "lint", "--select", "require-concurrent-index-creation",
                          str(folder)], capture_output=True, timeout=300, env={**os.environ, "GITHUB_ACTIONS": ""})
    assert run.returncode == 1
    lines = run.stdout.decode().splitlines()
    snippets = [line for line in lines if line.startswith("  1 | ")]
    assert len(snippets) == 1500
    assert max(len(line) for line in snippets) <= PIPE_SNIPPET_WIDTH
    assert max(len(line) for line in lines) < 400
    assert all("CREATE INDEX" in line for line in snippets)
    # The caret still points at the statement: the window holds it at the caret's column.
    for snippet, caret in zip(snippets[:50], [line for line in lines if line.startswith("    | ")][:50]):
        column = caret.index("^")
        assert snippet[column:].startswith("CREATE INDEX")


def internal_error_result() -> LintResult:
    """A result as the run reports a crash while linting one file: an internal-error finding."""
    finding = Finding("migrations/0001_x.sql", 1, 1, 1, 2, "internal-error", Severity.ERROR,
                      "migralint failed on this file: ValueError: boom\nThis is a bug in migralint.")
    return LintResult(files_checked=1, files=["migrations/0001_x.sql"], findings=[finding])


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_an_internal_error_finding_renders_in_every_format(fmt: OutputFormat) -> None:
    out = StringIO()
    reporter(fmt)(internal_error_result(), out, color=False)
    text = out.getvalue()
    assert "internal-error" in text
    if fmt in (OutputFormat.JSON, OutputFormat.GITLAB, OutputFormat.SARIF):
        document = json.loads(text)
        if fmt is OutputFormat.SARIF:
            run = document["runs"][0]
            result = run["results"][0]
            assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "internal-error"
            if SARIF_SCHEMA.is_file():
                jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    elif fmt is OutputFormat.JUNIT:
        assert ElementTree.fromstring(text).find("testsuite/testcase/failure") is not None
    elif fmt is OutputFormat.CONCISE:
        assert text.count("\n") == 1
    elif fmt is OutputFormat.TEXT:
        assert "docs: https://github.com/migralint/migralint/blob/main/docs/rules/internal-error.md" in text


def test_rules_wraps_summaries_on_a_terminal_and_keeps_one_line_per_rule_on_a_pipe() -> None:
    from migralint.rules.registry import ALL_RULES

    code, raw = on_terminal(["rules"], columns=100, cwd=PROJECT)
    assert code == 0
    lines = raw.splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert len(lines) > len(ALL_RULES)  # some summaries took two lines
    starts = [line for line in lines if not line.startswith(" ")]
    assert len(starts) == len(ALL_RULES)
    piped = subprocess.run([sys.executable, "-m", "migralint", "rules"], capture_output=True, text=True, timeout=60)
    assert len(piped.stdout.splitlines()) == len(ALL_RULES)
    # The same words either way: wrapping only moved them to the next line.
    assert " ".join(raw.split()) == " ".join(piped.stdout.split())


def test_on_a_terminal_a_long_source_line_fits_the_width(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_x.sql").write_text(f"SELECT '{'x' * 500}'; CREATE INDEX \"i\" ON \"t\"(\"c\"); SELECT '{'y' * 500}';\n")
    code, raw = on_terminal(["lint", "--select", "require-concurrent-index-creation", "migrations"], columns=70,
                            cwd=tmp_path, env={"NO_COLOR": "1"})
    assert code == 1
    lines = ANSI.sub("", raw).splitlines()
    snippet = next(line for line in lines if line.startswith("  1 | "))
    caret = next(line for line in lines if line.startswith("    | "))
    assert len(snippet) <= 70 and snippet.startswith("  1 | …") and snippet.endswith("…")
    assert snippet[caret.index("^"):].startswith('CREATE INDEX "i"')
