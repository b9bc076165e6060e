"""Every rule migralint has, in one explicit tuple."""

from __future__ import annotations

from migralint.rules.base import Rule
from migralint.rules.require_concurrent_index_creation import RequireConcurrentIndexCreation
from migralint.rules.syntax_error import SyntaxError_
from migralint.rules.unknown_rule_in_ignore import UnknownRuleInIgnore
from migralint.rules.unused_ignore import UnusedIgnore

# --- index and transaction rules: imports ---
# --- column rules: imports ---
# --- drop, rename and constraint rules: imports ---

ALL_RULES: tuple[type[Rule], ...] = (
    RequireConcurrentIndexCreation,
    # --- index and transaction rules ---
    # --- column rules ---
    # --- drop, rename and constraint rules ---
    SyntaxError_,
    UnknownRuleInIgnore,
    UnusedIgnore,
)

RULES_BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}
