"""What a rule that reads the statement model (`migralint.sql.ir`) may ask while it checks one
statement, whatever the dialect.

Two engines provide it while the rules move over: the PostgreSQL engine (linter/engine.py, whose
`Context` also serves the rules that read libpg_query's tree) and the engine for the dialects
that have only the model (MySQL first). A rule written against this Protocol runs on both, so a
rule shared by several databases is one module; what differs by dialect (wording, help SQL) it
asks of `ctx.dialect` and `ctx.sql`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar

from migralint.findings import Finding, Fix, Severity, RuleInfo
from migralint.sql.dialect import Dialect
from migralint.sql.ir import AddColumn, Column, Statement, TableName

if TYPE_CHECKING:
    from migralint.config import Settings

T = TypeVar("T")


class RowsKind(str, Enum):
    NEW = "new"  # created in this file, or by a migration not applied yet: it holds no rows
    EMPTIED = "emptied"  # emptied earlier in this transaction (TRUNCATE, DELETE without WHERE)
    EXISTING = "existing"  # may hold rows: what a lock or a rewrite costs depends on them


class Rows(NamedTuple):
    """The one answer to "does this table hold rows" at the current statement."""

    kind: RowsKind
    # Why, in words a finding can quote: "created earlier in this file", "created by pending
    # migration 20240101_init", "emptied by the TRUNCATE on line 4"; "" for EXISTING.
    why: str = ""
    # EMPTIED by a TRUNCATE: the table's files are new as well, so a scan or a rewrite reads
    # nothing. A DELETE leaves the dead rows in the files until VACUUM: a scan still reads them.
    truncated: bool = False

    @property
    def may_hold_rows(self) -> bool:
        return self.kind is RowsKind.EXISTING


class IndexOwner(NamedTuple):
    """The table an index is on, as the file says."""

    table: TableName | None  # None: the file does not say
    recreated_later: bool = False  # `table` is where a later statement of the file creates the index again

    def words(self, sql: SqlText, index: TableName) -> str:
        """The table for a message: `"User"`, or `the table of index "X"`."""
        if self.table is None:
            return f'the table of index "{sql.name(index)}"'
        if self.recreated_later:
            return f'"{sql.name(self.table)}" (where this file re-creates it)'
        return f'"{sql.name(self.table)}"'


class SqlText(Protocol):
    """Help SQL in the dialect's own syntax, with the user's names."""

    def quote(self, name: str) -> str: ...

    def table(self, table: TableName) -> str:
        """The table as SQL, the schema omitted when it is the default."""
        ...

    def name(self, table: TableName) -> str:
        """The table as a message names it, unquoted: `User`, `audit.Event` (the schema omitted
        when it is the default)."""
        ...

    def alter_table(self, statement: Statement) -> str:
        """`ALTER TABLE <its first table>` as the statement wrote it (PostgreSQL keeps IF EXISTS
        and ONLY), for help SQL that changes the same table the same way."""
        ...

    def add_column_steps(self, statement: Statement, event: AddColumn) -> list[str]:
        """How to add `event`'s column without failing on existing rows, as SQL lines: the user's
        own definition added nullable and without default, a batched backfill, then NOT NULL
        (and a primary key) without long locks. The steps differ by dialect; the verdict does not."""
        ...


class ModelContext(Protocol):
    path: str
    settings: Settings
    dialect: Dialect

    @property
    def sql(self) -> SqlText:
        """The dialect's help SQL."""
        ...

    @property
    def is_prisma(self) -> bool: ...

    @property
    def statement(self) -> Statement:
        """The statement being checked, as the model."""
        ...

    @property
    def earlier(self) -> tuple[Statement, ...]:
        """The statements of this file section before the current one, nearest last."""
        ...

    @property
    def later(self) -> tuple[Statement, ...]:
        """The statements of this file section after the current one, nearest first: a rename
        followed by a view under the old name is safe."""
        ...

    @property
    def in_transaction(self) -> bool: ...

    @property
    def rollback(self) -> bool:
        """The section undoes a migration (a down file): old code expects the old shape."""
        ...

    def rows(self, table: TableName) -> Rows: ...

    def is_new_column(self, table: TableName, column: str) -> bool:
        """Added earlier in this file (or by a pending migration): no running code knows it."""
        ...

    def column(self, table: TableName, column: str) -> Column | None:
        """The column as the replayed history left it (earlier migrations, then this file up to
        the current statement), when known."""
        ...

    def not_null_checks(self, table: TableName, column: str) -> dict[str, bool]:
        """The CHECK constraints on `table` that prove `column` NOT NULL (`"c" IS NOT NULL`), by
        name, each with whether it is validated, as the replayed history left them."""
        ...

    def column_type(self, table: TableName, column: str) -> str | None:
        """The column's type as the replayed history left it (Column.type's form), when known."""
        ...

    def history_note(self, table: TableName, column: str | None = None) -> str:
        """A sentence on where the table (or column) comes from and what still uses it, or ""."""
        ...

    def state(self, kind: type[T], owner: str = "") -> T:
        """The section's one instance of `kind` (made with no arguments when first asked for),
        kept from statement to statement: what a rule gathers as it goes instead of rescanning
        `earlier` for every statement, and reports from in finish_section. `owner` keeps apart
        the instances of rules that share a class (linter/section_state.py)."""
        ...

    def index_owner(self, index: TableName) -> IndexOwner:
        """The table `index` is on, as the file says up to the current statement (or a later
        statement that creates it again)."""
        ...

    def source(self, statement: Statement) -> str:
        """The statement's SQL as the file writes it (the ";" left out), for help that repeats it."""
        ...

    def same_transaction(self, statement: Statement) -> bool:
        """Whether `statement`, earlier or later in the section, runs in the transaction the
        current one runs in (False when the current one runs in none)."""
        ...

    def enum_unused(self, name: TableName) -> bool:
        """An enum type the replayed history knows and no column uses: no running code can
        still bind a value of it."""
        ...

    def trigger_function(self, name: TableName) -> bool:
        """A function the replayed history knows as RETURNS trigger: triggers call it, never
        application code."""
        ...

    def finding(
        self,
        rule: RuleInfo,
        message: str,
        *,
        help: str = "",
        span: tuple[int, int] | None = None,
        fix: Fix | None = None,
        table: TableName | None = None,
        severity: Severity | None = None,
        covers: Iterable[Statement] = (),
    ) -> Finding:
        """A finding on the current statement, or on `span` (character offsets)."""
        ...
