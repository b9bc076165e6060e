from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.base import EVERY_DIALECT, Rule


class SyntaxError_(Rule):
    """Reported by the engine itself when libpg_query cannot parse a file."""
    dialects = EVERY_DIALECT

    name = "syntax-error"
    severity = Severity.ERROR
    summary = "SQL that PostgreSQL cannot parse, reported at the exact line and column of the error."
    why = (
        "PostgreSQL would reject the migration when it runs, often halfway through a deploy. "
        "The statements before the error are still linted; nothing after it is."
    )
    bad = "ALTER TABLE \"User\" ADD COLUMN \"age\" INTEGR NOT NUL;"
    good = 'ALTER TABLE "User" ADD COLUMN "age" INTEGER;'
