"""The Rule base class: metadata checked when a rule is defined, and the check hooks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from migralint.config import DEFAULT_PG_VERSION
from migralint.findings import Finding, Severity
from migralint.sql.postgres.locks import Lock
from migralint.linter.parse import Statement
from migralint.sql import ir
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.linter.history_context import HistoryContext
    from migralint.linter.model_context import ModelContext

_REQUIRED = ("name", "severity", "summary", "why", "bad", "good")


# The rules about the file or the folder rather than a statement (syntax, ignores, history) hold
# whatever the database.
EVERY_DIALECT: frozenset[Dialect] = frozenset(Dialect)


class Example(NamedTuple):
    """A rule's examples in another database's SQL: `bad` is flagged, `good` is not (both run as tests)."""

    bad: str
    good: str


class Rule:
    """One check. Subclasses set the metadata below and override `check` or `check_file`.

    `bad` must produce at least one finding of this rule and `good` none: the examples in
    the docs are run as tests.
    """

    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one sentence: what it flags and why it matters
    why: ClassVar[str]  # the lock it takes and what that blocks, or what breaks
    bad: ClassVar[str]
    good: ClassVar[str]
    nodes: ClassVar[tuple[str, ...]] = ()  # statement types the engine hands to `check`
    # With "AlterTableStmt" in `nodes`: the subcommand types ("AT_AddColumn") whose ALTER TABLEs
    # the engine hands to `check`; () for every ALTER TABLE. Most ALTER TABLEs add one column or
    # one constraint, and a rule about another subcommand was called on each for nothing. An
    # ADD CONSTRAINT of one constraint type only: "AT_AddConstraint:CONSTR_PRIMARY" (a column's
    # own constraints come with its "AT_AddColumn").
    subcommands: ClassVar[tuple[str, ...]] = ()
    # A rule that reads the statement model: the kinds the engine hands to `check_statement`,
    # on the dialects it has verdicts for. A rule with `nodes` too gives its PostgreSQL verdicts
    # in `check`: its `kinds` are for the other dialects, and PostgreSQL's engine calls only its
    # `check` (linter/rule_set.py).
    kinds: ClassVar[tuple[ir.Kind, ...]] = ()
    dialects: ClassVar[frozenset[Dialect]] = frozenset({Dialect.POSTGRESQL})
    # The same harm in each other database's own SQL, for a rule whose `bad` and `good` are
    # PostgreSQL's: shown in the docs and run by tests/rules/test_examples.py.
    dialect_examples: ClassVar[Mapping[Dialect, Example]] = {}
    lock: ClassVar[Lock | None] = None  # the lock the flagged statement takes, for the docs
    default_enabled: ClassVar[bool] = True
    options: ClassVar[str] = ""  # settings that change what it flags
    example_pg_version: ClassVar[int] = DEFAULT_PG_VERSION  # what `bad` and `good` are linted with
    example_language: ClassVar[str] = "sql"  # how the docs show `bad` and `good`
    references: ClassVar[tuple[str, ...]] = ()
    # For a rule that reports one finding for several statements: which ones, completing "reports
    # once ..." (the docs say an ignore on any of them accepts it; findings list them in `covers`).
    reported_once: ClassVar[str] = ""
    # With --database-url, a finding of a rule with a `lock` on a table the database says holds no
    # rows is dropped: the lock is over as soon as it is granted. False where the harm does not
    # depend on the table's rows (a wait in the lock queue, a lock held through other work).
    empty_table_is_safe: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_base_class"):
            return  # a kind of rule, such as HistoryRule, not a rule itself
        missing = [attr for attr in _REQUIRED if not getattr(cls, attr, None)]
        if missing:
            raise TypeError(f"rule {cls.__name__} lacks {', '.join(missing)}")
        if cls.name != cls.name.lower() or " " in cls.name:
            raise TypeError(f"rule name {cls.name!r} must be lower-case-with-dashes")

    # The hooks return any iterable of findings. The engines call them well over 100,000 times
    # over the Prisma corpus, and almost every call finds nothing: a hook that sees that first
    # returns () and only then hands the rest to a generator (or returns the findings). A
    # generator made and run to its end for nothing cost 1,600 instructions a call more than a
    # plain call returning (), iter(()) 950 more (callgrind, 2026-12-07).

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        """Findings for one statement of a type listed in `nodes`."""
        return ()

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]:
        """Findings for one statement of a kind listed in `kinds`, read from the model only."""
        return ()

    def check_file(self, ctx: Context) -> Iterable[Finding]:
        """Findings that need the whole file; called once after every statement was checked."""
        return ()

    def finish_section(self, ctx: ModelContext) -> Iterable[Finding]:
        """For a rule with `kinds`: findings on what it gathered (ctx.state) over a whole file
        section, once its last statement was checked (ctx is at that statement)."""
        return ()

    # Reports what a source of truth says went wrong with an applied migration (edited, deleted,
    # failed, missing): a deploy stops on those whichever file is linted, so linting one file of a
    # folder keeps them (api._about).
    about_applied: ClassVar[bool] = False


def has_event(statement: ir.Statement, kind: type) -> bool:
    """Whether the model of `statement` has an event of `kind`: a model rule about one kind of
    change asks first, and finds none in most ALTER TABLEs (a generator set up for nothing cost
    more than the question)."""
    for event in statement.events:
        if isinstance(event, kind):
            return True
    return False


class HistoryRule(Rule):
    """A rule about a migrations folder as a whole: its order, names, and what is applied.

    It sees no SQL statement; `bad` and `good` describe a situation rather than SQL, and
    each history rule has tests of its own.
    """

    _base_class: ClassVar[bool] = True
    example_language: ClassVar[str] = "text"
    dialects: ClassVar[frozenset[Dialect]] = EVERY_DIALECT

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        return iter(())
