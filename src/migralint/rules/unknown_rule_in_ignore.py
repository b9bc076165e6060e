from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.base import EVERY_DIALECT, Rule


class UnknownRuleInIgnore(Rule):
    """Reported by the engine when an ignore comment names no rule, or a rule that does not exist."""
    dialects = EVERY_DIALECT

    name = "unknown-rule-in-ignore"
    severity = Severity.ERROR
    summary = "An ignore comment that names no rule, or a rule migralint does not have."
    why = (
        "A misspelt rule name ignores nothing, so the finding the author meant to accept still "
        "fails the build, or, worse, the author believes a risk was reviewed when it was not."
    )
    bad = '-- migralint: ignore ban-drop-colum -- unused since v2\nALTER TABLE "User" DROP COLUMN "legacy";'
    good = '-- migralint: ignore ban-drop-column -- unused since v2\nALTER TABLE "User" DROP COLUMN "legacy";'
