"""What the CockroachDB rules share: which statements are schema changes of existing objects,
and which of them the runner sends in one transaction.

Sources for the runners are in docs/dialects/cockroachdb.md ("The runners").
"""

from __future__ import annotations

import re
from typing import NamedTuple, Protocol

from migralint.linter.model_context import ModelContext, RowsKind
from migralint.sql import ir
from migralint.sql.dialect import Dialect

COCKROACHDB = frozenset({Dialect.COCKROACHDB})
ONLINE_SCHEMA_CHANGES = "https://www.cockroachlabs.com/docs/stable/online-schema-changes"

_DDL = frozenset({
    ir.Kind.CREATE_TABLE, ir.Kind.ALTER_TABLE, ir.Kind.DROP_TABLE, ir.Kind.RENAME_TABLE, ir.Kind.CREATE_INDEX,
    ir.Kind.DROP_INDEX, ir.Kind.CREATE_OTHER, ir.Kind.ALTER_OTHER, ir.Kind.DROP_OTHER,
})
DML = frozenset({ir.Kind.INSERT, ir.Kind.UPDATE, ir.Kind.DELETE})
_GOOSE_UP = re.compile(r"^--\s*\+goose\s+Up\b", re.I | re.M)
_GOOSE_NO_TX = re.compile(r"^--\s*\+goose\s+NO\s+TRANSACTION\b", re.I | re.M)


class CockroachContext(ModelContext, Protocol):
    """What the model engine's context (linter/model_engine.FileState) adds for these rules."""

    tool: str  # the runner's layout: "Prisma Migrate", "golang-migrate", "ory popx", ...
    parsed: ir.ParsedFile


class Transaction(NamedTuple):
    statements: tuple[ir.Statement, ...]  # the statements of the current one, the current last
    why: str  # how it comes to be one: "an explicit BEGIN", "golang-migrate sends the file as one query"


def file_transaction(ctx: CockroachContext) -> str:
    """Why the runner runs the whole file as one transaction, or "" when it runs each statement
    on its own (docs/dialects/cockroachdb.md, "The runners")."""
    tool = ctx.tool
    if tool == "Prisma Migrate":
        # prisma-engines sets enable_implicit_transaction_for_batch_statements=false on 22.2+.
        return ""
    if tool == "golang-migrate":
        return "golang-migrate sends the file as one query, which CockroachDB runs as one implicit transaction"
    if tool == "ory popx":
        return "ory popx runs each migration file in one transaction"
    if tool == "Flyway":
        return "Flyway runs each migration in one transaction on CockroachDB"
    if tool in ("dbmate", "diesel"):
        return f"{tool} runs each migration in one transaction"
    text = ctx.parsed.text
    if _GOOSE_UP.search(text) and not _GOOSE_NO_TX.search(text):
        return "goose runs each file in one transaction (no `-- +goose NO TRANSACTION`)"
    if ctx.settings.assume_in_transaction:
        return "the `assume_in_transaction` setting says the file runs in one transaction"
    return ""


def current_transaction(ctx: CockroachContext) -> Transaction | None:
    """The transaction the current statement runs in together with others, if any."""
    statements = (*ctx.earlier, ctx.statement)
    begin = None
    for position, statement in enumerate(statements):
        if statement.tx is ir.Tx.BEGIN:
            begin = position
        elif statement.tx in (ir.Tx.COMMIT, ir.Tx.ROLLBACK):
            begin = None
    if begin is not None:
        line = ctx.parsed.index.position(statements[begin].start)[0]
        return Transaction(statements[begin + 1 :], f"the BEGIN on line {line}")
    whole = file_transaction(ctx)
    if not whole:
        return None
    last_end = max((p for p, s in enumerate(statements) if s.tx in (ir.Tx.COMMIT, ir.Tx.ROLLBACK)), default=-1)
    return Transaction(statements[last_end + 1 :], whole)


def changed_tables(statement: ir.Statement) -> tuple[ir.TableName, ...]:
    """The tables whose schema the statement changes."""
    found: dict[ir.TableName, None] = {}
    for event in statement.events:
        if isinstance(event, (ir.DataChange, ir.CreateObject)):
            continue
        table = getattr(event, "table", None)
        if isinstance(table, ir.TableName):
            found[table] = None
        elif isinstance(event, ir.DropIndex):
            found[event.name] = None
        elif isinstance(event, ir.DropObject):
            found[event.name] = None
    return tuple(found)


def existing_schema_change(statement: ir.Statement, ctx: ModelContext) -> tuple[ir.TableName, ...]:
    """The existing tables (or objects) a schema change statement changes; () when it is no schema
    change or changes only what this migration or a pending one created."""
    if statement.kind not in _DDL or not statement.understood:
        return ()
    if statement.kind is ir.Kind.CREATE_TABLE or (statement.kind is ir.Kind.CREATE_OTHER and not statement.events):
        return ()  # a new object: nobody uses it yet, and CockroachDB creates it at once
    return tuple(t for t in changed_tables(statement) if ctx.rows(t).kind is not RowsKind.NEW)
