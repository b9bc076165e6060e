"""The enabled rules as the engines look them up, and what linting one file gives back.

Apart from linter/engine.py: the model engine (linter/model_engine.py), which engine.py calls,
returns a FileReport too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple, Protocol

from migralint.findings import Finding, IgnoredFinding, InternalError, RuleInfo
from migralint.sql.dialect import Dialect
from migralint.sql import ir
from migralint.sql.ir import Kind

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.linter.model_context import ModelContext
    from migralint.linter.parse import Statement
    from migralint.sql.postgres.locks import Lock


class CheckingRule(RuleInfo, Protocol):
    """What the engines call of a rule (rules/base.py's Rule, whose comments say what each is):
    here so that linter/, which rules/ imports, names no rule class."""

    @property
    def nodes(self) -> tuple[str, ...]: ...
    @property
    def kinds(self) -> tuple[ir.Kind, ...]: ...
    @property
    def dialects(self) -> frozenset[Dialect]: ...
    @property
    def lock(self) -> Lock | None: ...
    @property
    def empty_table_is_safe(self) -> bool: ...

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]: ...
    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]: ...
    def check_file(self, ctx: Context) -> Iterator[Finding]: ...
    def finish_section(self, ctx: ModelContext) -> Iterator[Finding]: ...


class FileReport(NamedTuple):
    path: str
    findings: tuple[Finding, ...]
    ignored: tuple[IgnoredFinding, ...] = ()
    blank: bool = False  # parsed cleanly and holds no statement (only comments or nothing)
    errors: tuple[InternalError, ...] = ()  # bugs contained to a statement (each has a finding too)


class RuleSet:
    """The enabled rules, indexed by the statement types they check."""

    def __init__(self, rules: Iterable[CheckingRule], all_names: Iterable[str]) -> None:
        self.rules = tuple(rules)
        self.enabled = frozenset(r.name for r in self.rules)
        self.known = frozenset(all_names)
        self.by_name = {r.name: r for r in self.rules}
        self.by_node: dict[str, list[CheckingRule]] = {}
        for rule in self.rules:
            for node in rule.nodes:
                self.by_node.setdefault(node, []).append(rule)
        # Rules that read the statement model, by its kind: this engine is PostgreSQL's.
        self.by_kind: dict[Kind, list[CheckingRule]] = {}
        for rule in self.rules:
            if Dialect.POSTGRESQL in rule.dialects:
                for kind in rule.kinds:
                    self.by_kind.setdefault(kind, []).append(rule)
        self.model_rules = tuple(dict.fromkeys(r for rules in self.by_kind.values() for r in rules))
