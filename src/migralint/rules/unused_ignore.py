from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.base import EVERY_DIALECT, Rule


class UnusedIgnore(Rule):
    """Reported by the engine when an ignore comment suppressed no finding."""
    dialects = EVERY_DIALECT

    name = "unused-ignore"
    severity = Severity.WARNING
    summary = "An ignore comment that suppresses nothing."
    why = (
        "Stale ignores hide future findings on the statement they cover and tell readers a risk "
        "was accepted where there is none."
    )
    bad = '-- migralint: ignore ban-drop-column -- cleanup\nALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    good = 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
