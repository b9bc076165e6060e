"""What every command shares: exit codes, the one-line errors, and how the terminal is written to."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from migralint import ISSUES_URL
from migralint.findings import LintResult
from migralint.report import OutputFormat, reporter
from migralint.report.escape import one_line

EXIT_OK, EXIT_FINDINGS, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
# A key of click's Context.meta (shared by the group and the command): what Ctrl-C leaves behind.
INTERRUPTED_NOTE = "migralint.interrupted"


def fail(message: str, code: int = EXIT_USER_ERROR) -> NoReturn:
    error_line(message)
    sys.exit(code)


def error_line(message: str) -> None:
    """One line on stderr, whatever a path in the message holds (a newline, an escape sequence)."""
    click.echo(f"migralint: error: {one_line(message)}", err=True)


def internal_error(error: str) -> NoReturn:
    if os.environ.get("MIGRALINT_DEBUG"):
        import traceback

        traceback.print_exc()
    fail(f"internal error: {error}. This is a bug in migralint; please report it at {ISSUES_URL} "
         "(MIGRALINT_DEBUG=1 shows the traceback).", EXIT_INTERNAL_ERROR)


def terminal_width() -> int | None:
    """The terminal's width when standard output is one; None for a pipe or a file (no wrapping)."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def silence_stdout() -> None:
    """The reader closed the pipe (`| head`): stop writing, without a traceback.

    The exit code stays the command's verdict: the reader chose to read less, nothing failed.
    Standard output is pointed at /dev/null so that the interpreter's own flush at exit does
    not raise again (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (a test runner's buffer)
        pass


def wants_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


GITLAB_REPORT = "gl-code-quality-report.json"


def report(result: LintResult, fmt: OutputFormat | None, output_path: Path | None, strict: bool = False) -> None:
    """Print the result where it is wanted: the terminal, a file, and what the CI reads.

    The terminal gets text (or --format when there is no --output); on GitHub Actions text
    comes with annotations. On GitLab CI with neither option the Code Quality report is
    written to its usual file.
    """
    terminal = OutputFormat.TEXT if output_path is not None else (fmt or OutputFormat.TEXT)
    files: list[tuple[OutputFormat, Path]] = []
    if output_path is not None:
        files.append((fmt or OutputFormat.TEXT, output_path))
    if terminal is OutputFormat.TEXT and os.environ.get("GITHUB_ACTIONS") == "true":
        reporter(OutputFormat.GITHUB)(result, sys.stdout, color=False)
    if fmt is None and output_path is None and os.environ.get("GITLAB_CI") == "true":
        files.append((OutputFormat.GITLAB, Path(GITLAB_REPORT)))
    # The files first: a reader that closes the terminal's pipe early (`| head`) loses nothing else.
    for file_format, path in files:
        with path.open("w", encoding="utf-8") as handle:
            reporter(file_format)(result, handle, color=False, strict=strict)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            reporter(OutputFormat.MARKDOWN)(result, handle, color=False, strict=strict)
    human = terminal is OutputFormat.TEXT
    reporter(terminal)(result, sys.stdout, color=human and wants_color(), strict=strict,
                       width=terminal_width() if human else None)
    sys.stdout.flush()
