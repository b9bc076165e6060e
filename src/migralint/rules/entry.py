"""What the generated index (rules/rule_index.py) says of one rule: all that a lint, the reports and
the commands need without importing the rule's module.

Importing the 80 rule modules cost about 40% of a pre-commit run in which every file was a cache
hit and not one statement was checked (their regexes, dataclasses and helpers); the index lets a
run import a rule when a statement of its kind first reaches it (docs/benchmarks.md). It imports
nothing of migralint but the findings' Severity, so the reports and `migralint rules` can read it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from migralint.findings import Severity

# The methods a rule may override, in the order the engines call them; an entry lists the ones its
# class overrides, so that a rule whose hook has nothing to do is neither called nor imported.
HOOKS = ("check", "check_statement", "check_file", "finish_section", "check_history")


class RuleEntry(NamedTuple):
    """One rule's metadata, as its class says (rules/docs.py writes the index from the classes)."""

    name: str
    module: str
    qualname: str
    severity: Severity
    default_enabled: bool
    dialects: tuple[str, ...]  # Dialect values
    nodes: tuple[str, ...]
    subcommands: tuple[str, ...]  # the ALTER TABLE subcommand types its `check` takes; () for all
    kinds: tuple[str, ...]  # ir.Kind names
    hooks: tuple[str, ...]  # the HOOKS its class overrides
    lock: str  # the name of its Lock, "" for none
    empty_table_is_safe: bool
    about_applied: bool
    history: bool  # a HistoryRule: about a folder, not a statement
    # The HistoryEvent value an applied-history rule reports (its check_history reports the state's
    # problems of that event, nothing else); "" for the other rules.
    event: str
    summary: str
    why: str

    def load(self) -> Any:
        """The rule's class, its module imported."""
        # __import__ rather than importlib.import_module: the import statement's own path, which
        # `python -X importtime` reports (it does not see what importlib.import_module loads).
        return getattr(__import__(self.module, fromlist=(self.qualname,)), self.qualname)
