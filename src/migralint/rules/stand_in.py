"""A rule not imported yet: its metadata from the generated index, its checks loaded on first use.

`build_rule_set` (registry.py) hands the engines stand-ins. The engines ask the RuleSet for the
rules of a statement's node type or kind, and it loads those then (linter/rule_set.py); a hook a
stand-in is called on directly (the model engine, the history rules) loads the rule's module on the
first call that has something to do, and a hook the rule's class does not override answers with no
finding, as the base class's would, without importing anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from migralint.findings import Finding, Severity
from migralint.rules.entry import RuleEntry
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.linter.history_context import HistoryContext
    from migralint.linter.model_context import ModelContext
    from migralint.linter.parse import Statement
    from migralint.sql.postgres.locks import Lock


class StandIn:
    """Stands in for one rule of the index (`entry`) until a check of it runs."""

    __slots__ = ("entry", "name", "severity", "default_enabled", "nodes", "subcommands", "kinds", "dialects", "hooks",
                 "empty_table_is_safe", "about_applied", "history", "event", "_rule")

    def __init__(self, entry: RuleEntry) -> None:
        self.entry = entry
        self.name: str = entry.name
        self.severity: Severity = entry.severity
        self.default_enabled: bool = entry.default_enabled
        self.nodes: tuple[str, ...] = entry.nodes
        self.subcommands: tuple[str, ...] = entry.subcommands
        self.kinds: tuple[ir.Kind, ...] = tuple(ir.Kind[kind] for kind in entry.kinds)
        self.dialects: frozenset[Dialect] = frozenset(Dialect(value) for value in entry.dialects)
        self.hooks: frozenset[str] = frozenset(entry.hooks)
        self.empty_table_is_safe: bool = entry.empty_table_is_safe
        self.about_applied: bool = entry.about_applied
        self.history: bool = entry.history
        self.event: str = entry.event
        self._rule: Any = None

    @property
    def lock(self) -> Lock | None:
        if not self.entry.lock:
            return None
        from migralint.sql.postgres.locks import Lock

        return Lock[self.entry.lock]

    def loaded(self) -> Any:
        """The rule itself: its module is imported on the first call."""
        rule = self._rule
        if rule is None:
            rule = self._rule = self.entry.load()()
        return rule

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        return self._hook("check", statement, ctx)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]:
        return self._hook("check_statement", statement, ctx)

    def check_file(self, ctx: Context) -> Iterable[Finding]:
        return self._hook("check_file", ctx)

    def finish_section(self, ctx: ModelContext) -> Iterable[Finding]:
        return self._hook("finish_section", ctx)

    def check_history(self, ctx: HistoryContext) -> Iterable[Finding]:
        return self._hook("check_history", ctx)

    def _hook(self, hook: str, *args: Any) -> Iterable[Finding]:
        """The rule's `hook` called, its module loaded first; no finding, and nothing imported,
        for a hook its class does not override (the base class's finds nothing)."""
        if hook not in self.hooks:
            return ()
        found: Iterable[Finding] = getattr(self.loaded(), hook)(*args)
        return found

    def __reduce__(self) -> tuple[Any, tuple[RuleEntry]]:
        # A worker gets the entry and loads what its own files need.
        return stand_in, (self.entry,)

    def __repr__(self) -> str:
        return f"<stand-in for {self.entry.qualname}>"


def stand_in(entry: RuleEntry) -> StandIn:
    """The stand-in for `entry`'s rule. Its class bears the rule class's module and name: the result
    cache's run key (cache.run_key) names each rule in effect by its class, and keeps its value
    whether or not the rule was imported."""
    return _stand_in_class(entry.module, entry.qualname)(entry)


@cache
def _stand_in_class(module: str, qualname: str) -> type[StandIn]:
    # Made once per process, not once per rule set: a worker unpickles a rule set per folder.
    return type(qualname.rpartition(".")[2], (StandIn,), {"__slots__": (), "__module__": module, "__qualname__": qualname})
