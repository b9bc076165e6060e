"""A bug in migralint, contained: an `internal-error` finding where it happened, the rest still checked.

The finding is what every output format shows; the traceback is kept for MIGRALINT_DEBUG=1
and the exit code (3) says a bug happened.
"""

from __future__ import annotations

from migralint import ISSUES_URL
from migralint.findings import Finding, InternalError, Severity

RULE = "internal-error"


def describe(exc: BaseException) -> str:
    text = str(exc)
    if len(text) > 200:  # an exception can carry a whole statement; one line is enough
        text = text[:200] + "..."
    return f"{type(exc).__name__}: {text}".replace("\n", " ")


def contained(path: str, exc: BaseException, where: str) -> InternalError:
    """`where`: what migralint was doing ("rule ban-drop-column", "reading the history")."""
    import traceback  # only when a bug is caught: not start-up time on every run

    return InternalError(path, f"{describe(exc)} (in {where})", traceback.format_exc())


def internal_finding(path: str, span: tuple[int, int, int, int], error: InternalError) -> Finding:
    line, column, end_line, end_column = span
    return Finding(
        path=path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        rule=RULE,
        severity=Severity.ERROR,
        message=f"migralint failed here, so this was not fully checked: {error.error}. This is a bug in migralint.",
        help=f"Please report it at {ISSUES_URL} with this SQL; MIGRALINT_DEBUG=1 shows the traceback.",
    )
