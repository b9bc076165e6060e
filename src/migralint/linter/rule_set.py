"""The enabled rules as the engines look them up, and what linting one file gives back.

Apart from linter/engine.py: the model engine (linter/model_engine.py), which engine.py calls,
returns a FileReport too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

from migralint.findings import Finding, IgnoredFinding, InternalError, RuleInfo
from migralint.sql.dialect import Dialect
from migralint.sql import ir
from migralint.sql.ir import Kind
from migralint.sql.postgres.nodes import Node, alter_table_commands, unwrap

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
    def subcommands(self) -> tuple[str, ...]: ...
    @property
    def kinds(self) -> tuple[ir.Kind, ...]: ...
    @property
    def dialects(self) -> frozenset[Dialect]: ...
    @property
    def lock(self) -> Lock | None: ...
    @property
    def empty_table_is_safe(self) -> bool: ...

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]: ...
    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]: ...
    def check_file(self, ctx: Context) -> Iterable[Finding]: ...
    def finish_section(self, ctx: ModelContext) -> Iterable[Finding]: ...


class FileReport(NamedTuple):
    path: str
    findings: tuple[Finding, ...]
    ignored: tuple[IgnoredFinding, ...] = ()
    blank: bool = False  # parsed cleanly and holds no statement (only comments or nothing)
    errors: tuple[InternalError, ...] = ()  # bugs contained to a statement (each has a finding too)


class RuleSet:
    """The enabled rules, indexed by the statement types they check.

    `rules` may hold stand-ins (rules/stand_in.py): rules known by their metadata, their module not
    imported yet. The engines ask for the rules of a node type, of a kind, with a `check_file` or a
    `finish_section` through the methods below, which load those rules then and keep them: a run
    whose files are all cache hits imports no rule, and a cold one each rule when its first
    statement comes.
    """

    def __init__(self, rules: Iterable[CheckingRule], all_names: Iterable[str]) -> None:
        self.rules = tuple(rules)
        self.enabled = frozenset(r.name for r in self.rules)
        self.known = frozenset(all_names)
        self.by_name = {r.name: r for r in self.rules}
        self.by_node: dict[str, list[CheckingRule]] = {}
        for rule in self.rules:
            for node in rule.nodes:
                self.by_node.setdefault(node, []).append(rule)
        # Rules that read the statement model, by its kind: this engine is PostgreSQL's. A rule
        # that checks libpg_query's tree (`nodes`) gives PostgreSQL's verdicts there, its `kinds`
        # being the other dialects' (rules/base.py): its check_statement, which finds nothing on
        # PostgreSQL, was called for every ALTER TABLE of the corpus.
        self.by_kind: dict[Kind, list[CheckingRule]] = {}
        for rule in self.rules:
            if Dialect.POSTGRESQL in rule.dialects and not rule.nodes:
                for kind in rule.kinds:
                    self.by_kind.setdefault(kind, []).append(rule)
        self.model_rules = tuple(dict.fromkeys(r for rules in self.by_kind.values() for r in rules))
        # What the engines call, the rules loaded: filled as they first ask.
        self.loaded_by_node: dict[str, list[CheckingRule]] = {}
        self.loaded_by_kind: dict[Kind, list[CheckingRule]] = {}
        # An ALTER TABLE's rules by the set of its subcommand types: a few dozen sets in a corpus.
        self._by_subcommands: dict[frozenset[str], list[CheckingRule]] = {}
        self._file_rules: tuple[CheckingRule, ...] | None = None
        self._section_rules: tuple[CheckingRule, ...] | None = None

    def node_rules(self, node: str) -> list[CheckingRule]:
        """The rules whose `check` takes statements of `node` type, loaded."""
        found = self.loaded_by_node.get(node)
        if found is None:
            found = self.loaded_by_node[node] = [_loaded(r) for r in self.by_node.get(node, ())]
        return found

    def statement_rules(self, statement: Statement) -> list[CheckingRule]:
        """The rules whose `check` takes `statement`, loaded: of an ALTER TABLE, those that take
        one of its subcommands' types (a rule's `subcommands`; none listed: every ALTER TABLE)."""
        kind = statement.kind
        if kind != "AlterTableStmt":
            # node_rules' lookup, without its call for each statement once the type's rules are loaded.
            loaded = self.loaded_by_node.get(kind)
            return loaded if loaded is not None else self.node_rules(kind)
        present = frozenset(_subcommand_types(statement.node))
        found = self._by_subcommands.get(present)
        if found is None:
            found = self._by_subcommands[present] = [
                _loaded(r) for r in self.by_node.get("AlterTableStmt", ()) if _takes_any(r, present)
            ]
        return found

    def kind_rules(self, kind: Kind) -> list[CheckingRule]:
        """The model rules whose `check_statement` takes statements of `kind`, loaded."""
        found = self.loaded_by_kind.get(kind)
        if found is None:
            found = self.loaded_by_kind[kind] = [_loaded(r) for r in self.by_kind.get(kind, ())]
        return found

    def file_rules(self) -> tuple[CheckingRule, ...]:
        """The rules with a `check_file`, loaded, in the rules' order."""
        if self._file_rules is None:
            self._file_rules = tuple(_loaded(r) for r in self.rules if _has_hook(r, "check_file"))
        return self._file_rules

    def section_rules(self) -> tuple[CheckingRule, ...]:
        """The model rules with a `finish_section`, loaded, in `model_rules`' order."""
        if self._section_rules is None:
            self._section_rules = tuple(_loaded(r) for r in self.model_rules if _has_hook(r, "finish_section"))
        return self._section_rules

    def __reduce__(self) -> tuple[type[RuleSet], tuple[tuple[CheckingRule, ...], tuple[str, ...]]]:
        # What was loaded stays behind: a worker loads what its own files need.
        return type(self), (self.rules, tuple(sorted(self.known)))


class _StandIn(Protocol):
    """A rule known by its metadata only until it is loaded (rules/stand_in.py)."""

    @property
    def hooks(self) -> frozenset[str]: ...
    def loaded(self) -> CheckingRule: ...


def _loaded(rule: CheckingRule) -> CheckingRule:
    load = getattr(rule, "loaded", None)
    return rule if load is None else cast("_StandIn", rule).loaded()


def _subcommand_types(node: Node) -> Iterator[str]:
    """An ALTER TABLE's subcommand types, and each ADD CONSTRAINT's as "AT_AddConstraint:" and its
    constraint type too: a rule about one kind of constraint takes only those (rules/base.py).
    Most ALTER TABLEs of a Prisma migration add a foreign key, which three rules about other
    constraints were called on for nothing."""
    for cmd in alter_table_commands(node):
        subtype = cmd.get("subtype", "")
        yield subtype
        if subtype == "AT_AddConstraint":
            yield "AT_AddConstraint:" + str(unwrap(cmd.get("def") or {})[1].get("contype", ""))


def _takes_any(rule: CheckingRule, subtypes: frozenset[str]) -> bool:
    """Whether `rule` checks an ALTER TABLE of these subcommand types; a rule given as itself (a
    test's, a script's) may have no `subcommands`."""
    wanted: tuple[str, ...] = getattr(rule, "subcommands", ())
    return not wanted or not subtypes.isdisjoint(wanted)


def _has_hook(rule: CheckingRule, hook: str) -> bool:
    """Whether `rule` overrides `hook`; a rule given as itself (a test's, a script's) may."""
    hooks: frozenset[str] | None = getattr(rule, "hooks", None)
    return hooks is None or hook in hooks
