from __future__ import annotations

from typing import ClassVar

from migralint.findings import Severity
from migralint.rules.base import EVERY_DIALECT, Rule


class InternalError_(Rule):
    """Reported by the engine itself when migralint fails on a statement or a file."""
    dialects = EVERY_DIALECT

    name = "internal-error"
    severity = Severity.ERROR
    summary = "migralint failed while checking this statement or file: a bug in migralint, not in the migration."
    why = (
        "A bug in one check must not hide the rest: the statement or file where migralint failed "
        "is reported here, every other statement and file is still checked, and the run exits "
        "with code 3. What this check would have found there is unknown, so the run cannot "
        "pass. Set MIGRALINT_DEBUG=1 to see the traceback, and report it with the SQL that "
        "caused it."
    )
    bad = "-- any SQL on which a check of migralint raises an exception"
    good = "-- SQL that every check handles"
    example_language: ClassVar[str] = "text"  # no SQL triggers it on purpose: it is a bug when it shows
