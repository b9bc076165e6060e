from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from migralint.findings import Finding, Severity
from migralint.linter.change_targets import data_target, schema_targets, selects_from_tables
from migralint.linter.index_tables import index_table_at
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import TableName
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_SCHEMA_VERBS = {"AlterTableStmt": "ALTER TABLE", "RenameStmt": "ALTER TABLE ... RENAME", "IndexStmt": "CREATE INDEX"}
_DATA_VERBS = {"UpdateStmt": "UPDATE", "DeleteStmt": "DELETE", "InsertStmt": "INSERT ... SELECT", "MergeStmt": "MERGE"}
# The statement types _schema_change and _data_change_table answer for; None for the others.
_ASKED = frozenset({*_SCHEMA_VERBS, "DropStmt", *_DATA_VERBS})


class _SchemaChange(NamedTuple):
    position: int
    verb: str
    lock: Lock
    table: TableName | None  # None: the table of a dropped index the file does not name
    table_words: str  # the table as the message names it


class MixingSchemaAndDataChanges(Rule):
    name = "mixing-schema-and-data-changes"
    severity = Severity.WARNING
    summary = "One transaction both changes an existing table's schema and rewrites existing rows."
    why = (
        "A schema change on an existing table (ALTER TABLE, a rename, DROP, CREATE INDEX) takes a lock "
        "that blocks writes, often reads too, and keeps it until its transaction commits. When the "
        "same transaction then runs an UPDATE, DELETE or INSERT ... SELECT over existing rows, that "
        "lock stays held for the whole data change, minutes on a large table, and the application "
        "waits. Split them: the schema change in a migration that commits in milliseconds, the data "
        "change afterwards, in batches. A migration file that Prisma or golang-migrate runs, or that "
        "the runner wraps in a transaction, is one transaction. Seed rows (INSERT ... VALUES) and "
        "tables created in the same migration do not count."
    )
    bad = (
        'BEGIN;\nALTER TABLE "User" ADD COLUMN "fullName" TEXT;\n'
        'UPDATE "User" SET "fullName" = "firstName" || \' \' || "lastName";\nCOMMIT;'
    )
    good = (
        "-- migration 1: the schema change, which commits at once\n"
        'ALTER TABLE "User" ADD COLUMN "fullName" TEXT;\n'
        "-- migration 2 (or a script): the backfill, in batches of its own\n"
        'UPDATE "User" SET "fullName" = "firstName" || \' \' || "lastName" WHERE "id" BETWEEN 1 AND 10000;'
    )

    reported_once = (
        "per file, for every data change that runs under the lock of a schema change in the same "
        "transaction, and those schema changes"
    )
    # Handed each statement only to read what check_file needs of its tree while it is parsed:
    # a large file's trees are let go once checked (linter/pieces.py).
    nodes = (*_SCHEMA_VERBS, "DropStmt", *_DATA_VERBS)

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        if statement.tree_held:
            return ()  # a file parsed whole: check_file reads the trees, when it needs them
        if statement.kind not in _DATA_VERBS:
            statement.fact(schema_targets)
        elif statement.kind == "InsertStmt":
            table = statement.fact(data_target)
            # Walking seed rows is costly: only for a table the file did not create (check_file
            # asks only about tables that may hold rows; the schema is static, the answer exact).
            if table is not None and not ctx.schema.table_is_new(table, statement.index):
                statement.fact(selects_from_tables)
        else:
            statement.fact(data_target)
        ctx.locks(statement)
        return ()

    def check_file(self, ctx: Context) -> Iterable[Finding]:
        if not any(statement.kind in _DATA_VERBS for statement in ctx.statements):
            return ()  # most migrations change no rows: no statement to ask about locks
        return self._findings(ctx)

    def _findings(self, ctx: Context) -> Iterator[Finding]:
        schema_changes: list[_SchemaChange] = []
        data_changes: list[tuple[int, TableName]] = []
        for position, statement in enumerate(ctx.statements):
            if statement.kind not in _ASKED:
                continue  # neither a schema change nor a data change: no view of it made for nothing
            here = ctx.on(statement)
            change = _schema_change(here, statement, position)
            if change is not None:
                schema_changes.append(change)
            table = _data_change_table(here, statement)
            if table is not None:
                data_changes.append((position, table))
        # Reported once, on the first data change that runs under a schema change's lock; it covers
        # every such pair in the file, so an ignore on any of their statements accepts it.
        first: tuple[int, _SchemaChange, TableName] | None = None
        covers: set[int] = set()
        for position, table in data_changes:
            here = ctx.on(ctx.statements[position])
            # Only a schema change before the data change holds its lock through it; one after it
            # takes its lock once the rows are written, as it would in a migration of its own.
            held = [
                c for c in schema_changes
                if c.position < position and here.same_transaction(ctx.statements[c.position])
            ]
            if held:
                covers.update([position, *(c.position for c in held)])
                if first is None:
                    # The lock on the table whose rows change matters most, then the strongest lock.
                    first = position, min(held, key=lambda c: (c.table != table, -c.lock, c.position)), table
        if first is not None:
            position, change, table = first
            yield self._finding(ctx.on(ctx.statements[position]), change, table, [ctx.statements[p] for p in sorted(covers)])

    def _finding(self, ctx: Context, change: _SchemaChange, table: TableName, covers: list[Statement]) -> Finding:
        data = ctx.statement
        schema_statement = ctx.statements[change.position]
        line, _ = ctx.parsed.index.position(schema_statement.start)
        text = ctx.parsed.text
        return ctx.finding(
            self,
            f'{_DATA_VERBS[data.kind]} changes rows of "{table}" in the same transaction as the {change.verb} '
            f"on line {line}: the {change.lock.sql_name} lock it took on {change.table_words} stays held while the "
            f"rows change, and {change.lock.blocks} until the transaction commits.",
            help=(
                "Split them: one migration per step, so the schema change commits in milliseconds and the "
                "data change runs on its own, in batches on a large table.\n"
                f"-- a migration of its own:\n{text[schema_statement.start : schema_statement.end]};\n"
                f"-- the next migration:\n{text[data.start : data.end]};"
            ),
            covers=covers,
        )


def _schema_change(ctx: Context, statement: Statement, position: int) -> _SchemaChange | None:
    """A write-blocking lock the statement takes on an existing table it changes the schema of."""
    if statement.kind not in _SCHEMA_VERBS and statement.kind != "DropStmt":
        return None
    # The check_file pass reads every statement: what it needs of a tree is a fact of the
    # statement, so that a large file's trees are not parsed again for it.
    targets, dropped_indexes = statement.fact(schema_targets)
    if dropped_indexes is not None:
        for name in dropped_indexes:
            index = index_table_at(ctx.schema, name, statement.index)
            if not index.created_earlier:
                return _SchemaChange(position, "DROP INDEX", Lock.ACCESS_EXCLUSIVE, index.table, index.table_words())
        return None
    verb = "DROP TABLE" if statement.kind == "DropStmt" else _SCHEMA_VERBS.get(statement.kind, "")
    for taken in ctx.locks(statement):
        if taken.table in targets and taken.lock.blocks_writes and not ctx.is_new_table(taken.table):
            return _SchemaChange(position, verb, taken.lock, taken.table, f'"{taken.table}"')
    return None


def _data_change_table(ctx: Context, statement: Statement) -> TableName | None:
    """The existing table whose rows an UPDATE, DELETE, MERGE or INSERT ... SELECT changes."""
    if statement.kind not in _DATA_VERBS:
        return None
    table = statement.fact(data_target)
    if table is None or ctx.is_new_table(table):
        return None
    if statement.kind == "InsertStmt" and not statement.fact(selects_from_tables):
        return None  # INSERT ... VALUES: seed rows
    return table
