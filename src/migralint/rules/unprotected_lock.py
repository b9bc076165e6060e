"""The shared walk of require-lock-timeout and require-statement-timeout, on the statement model:
which statements take a write-blocking lock on a table that may hold rows while a timeout
setting is off. Reported once per file section, for the first such statement.

SET applies to the session; SET LOCAL (and set_config(..., true)) only until the current
transaction block ends, and does nothing outside one; RESET undoes both. The lock names and
their order are PostgreSQL's (SHARE < SHARE ROW EXCLUSIVE < EXCLUSIVE < ACCESS EXCLUSIVE), and so
are the verdicts: the rules run on PostgreSQL only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from migralint.findings import Finding
from migralint.linter.model_context import RowsKind
from migralint.linter.session_settings import is_nonzero_duration
from migralint.linter.timeout_settings import model_verb
from migralint.rules.base import Rule
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.linter.model_context import ModelContext

# PostgreSQL's write-blocking locks, weakest first: the strongest one a statement takes is named.
_STRENGTH = ("SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE")
_INDEX_DROP = ("ACCESS EXCLUSIVE", ir.Blocks.READS | ir.Blocks.WRITES | ir.Blocks.DDL)
_INDEX_REBUILD = ("SHARE", ir.Blocks.WRITES | ir.Blocks.DDL)
# The events that lock an index's table without naming it: one isinstance for the events of
# every statement, most of which are neither.
_INDEX_EVENTS = (ir.DropIndex, ir.RebuildIndex)


class Unprotected(NamedTuple):
    statement: ir.Statement
    lock: str  # the lock's name: "ACCESS EXCLUSIVE"
    blocks: ir.Blocks
    table_words: str  # as the message names it: `"User"`, or `the table of index "X"`
    table: ir.TableName | None

    @property
    def waits(self) -> str:
        """What waits while the lock is held, in a user's words."""
        if ir.Blocks.READS in self.blocks:
            return "every query on it, reads included, waits"
        return "INSERT, UPDATE and DELETE wait"


# A plain class, not a dataclass: see section_state.py.
class _Walk:
    __slots__ = ("session_on", "local", "first", "found")

    def __init__(self) -> None:
        self.session_on = False
        self.local: tuple[ir.Statement, bool] | None = None  # the last SET LOCAL, and whether it turned it on
        # The first unprotected statement, put into words, and every one (the first included): the
        # finding names only the first, and the others' locks were put into words for nothing
        # (3,300 statements of the Prisma corpus).
        self.first: Unprotected | None = None
        self.found: list[ir.Statement] = []


class UnprotectedLockRule(Rule):
    """Subclasses say which setting protects, how a runner says it sets it, and the words."""

    _base_class: ClassVar[bool] = True
    # Every statement that may take a lock or change a setting: INSERT, UPDATE, DELETE and
    # transaction control take no write-blocking lock on a table.
    kinds = tuple(k for k in ir.Kind if k not in (ir.Kind.INSERT, ir.Kind.UPDATE, ir.Kind.DELETE, ir.Kind.TRANSACTION))
    setting: ClassVar[str]  # "lock_timeout"

    def runner_sets_it(self, settings: Settings) -> bool:
        raise NotImplementedError

    def words(self, first: Unprotected, verb: str, others: str) -> tuple[str, str]:
        """The message and help for the first unprotected statement."""
        raise NotImplementedError

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterable[Finding]:
        if not self.runner_sets_it(ctx.settings):
            self._follow(statement, ctx, ctx.state(_Walk, self.name))
        return ()

    def finish_section(self, ctx: ModelContext) -> Iterable[Finding]:
        walk = ctx.state(_Walk, self.name)
        first = walk.first
        if first is None:
            return ()
        more = len(walk.found) - 1
        others = f" {more} more statement{'s do' if more > 1 else ' does'} the same in this file." if more else ""
        message, help = self.words(first, model_verb(first.statement), others)
        return (ctx.finding(
            self, message, help=help, span=(first.statement.start, first.statement.end), table=first.table,
            covers=walk.found,  # an ignore on any of them covers the finding
        ),)

    def _follow(self, statement: ir.Statement, ctx: ModelContext, walk: _Walk) -> None:
        # One loop, no list of the changes: asked of almost every statement, and almost none
        # changes a setting.
        changed = False
        for change in statement.events:
            if not isinstance(change, ir.SetSetting) or change.name not in (self.setting, ""):
                continue
            changed = True
            on = is_nonzero_duration(change.value)
            if change.value is None and not change.local:
                walk.local = None  # RESET / RESET ALL also undo SET LOCAL
            if change.local:
                if ctx.in_transaction:  # SET LOCAL outside a transaction does nothing
                    walk.local = (statement, on)
            else:
                walk.session_on = on
                if walk.local is not None and ctx.in_transaction and ctx.same_transaction(walk.local[0]):
                    walk.local = None
        if changed:
            return
        protected = walk.session_on
        if walk.local is not None and ctx.in_transaction and ctx.same_transaction(walk.local[0]):
            protected = walk.local[1]
        if not protected:
            if walk.first is None:
                walk.first = _strongest_blocking_lock(statement, ctx)
                if walk.first is not None:
                    walk.found.append(statement)
            elif _blocks_writes(statement, ctx):
                walk.found.append(statement)


# Blocks.WRITES as a number, tested against each lock's own number: `WRITES in blocks` and the
# `value` property are Python methods of Flag (0.97 and 0.7 us against 0.1 us, timeit).
_WRITES: int = ir.Blocks.WRITES.value


def _blocks_writes(statement: ir.Statement, ctx: ModelContext) -> bool:
    """Whether _strongest_blocking_lock would find a lock, without putting it into words."""
    for lock in statement.locks:
        # index(): a lock name it does not know raises here as it does there.
        if lock.blocks._value_ & _WRITES and _STRENGTH.index(lock.name) >= 0:
            if ctx.rows(lock.table).kind is not RowsKind.NEW:
                return True
    for event in statement.events:
        if isinstance(event, _INDEX_EVENTS) and not event.online:
            owner = ctx.index_owner(event.name)
            if owner.table is None or ctx.rows(owner.table).kind is not RowsKind.NEW:
                return True
    return False


def _strongest_blocking_lock(statement: ir.Statement, ctx: ModelContext) -> Unprotected | None:
    """The strongest SHARE-or-stronger lock `statement` takes on a table that may hold rows (the
    first of the strongest). Asked of almost every statement: only that one lock is put into words.
    _blocks_writes answers whether this finds one without the words: the two change together
    (tests/rules/test_unprotected_lock_count.py holds them to it on every statement of the
    fixtures and of a corpus project)."""
    strongest: ir.LockTaken | None = None
    rank = -1
    for lock in statement.locks:
        if lock.blocks._value_ & _WRITES and _STRENGTH.index(lock.name) > rank:
            if ctx.rows(lock.table).kind is not RowsKind.NEW:
                strongest, rank = lock, _STRENGTH.index(lock.name)
    found = None
    if strongest is not None:
        found = Unprotected(statement, strongest.name, strongest.blocks, f'"{ctx.sql.name(strongest.table)}"', strongest.table)
    for event in statement.events:
        if not isinstance(event, _INDEX_EVENTS) or event.online:
            continue
        name, blocks = _INDEX_DROP if isinstance(event, ir.DropIndex) else _INDEX_REBUILD
        if _STRENGTH.index(name) <= rank:
            continue
        owner = ctx.index_owner(event.name)
        if owner.table is None or ctx.rows(owner.table).kind is not RowsKind.NEW:
            found = Unprotected(statement, name, blocks, owner.words(ctx.sql, event.name), owner.table)
            rank = _STRENGTH.index(name)
    return found
