from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.rules.base import Rule
from migralint.rules.sqlserver.common import (
    CREATE_INDEX, EDITIONS, ONLINE_INDEX, ONLINE_INDEX_EDITIONS, SQLSERVER, blocks_reads_or_writes,
)
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext

_KEYS = (ir.ConstraintKind.PRIMARY_KEY, ir.ConstraintKind.UNIQUE)
_WITH = re.compile(r"\bWITH\s*\(", re.I)
_ONLINE_OFF = re.compile(r"\bONLINE\s*=\s*OFF\b", re.I)
_FILEGROUP = re.compile(r"\s+ON\s+(?:\[[^\]]+\]|\w+)(?:\s*\([^()]*\))?\s*\Z", re.I)


class MssqlBlockingIndex(Rule):
    name = "mssql-blocking-index"
    severity = Severity.ERROR
    dialects = SQLSERVER
    kinds = (ir.Kind.CREATE_INDEX, ir.Kind.ALTER_TABLE)
    summary = (
        "CREATE INDEX (or ADD CONSTRAINT ... PRIMARY KEY / UNIQUE) without WITH (ONLINE = ON) on an existing table "
        "blocks writes to it (a clustered index or a constraint, reads too) until the index is built."
    )
    why = (
        "Without `ONLINE = ON`, SQL Server builds a nonclustered index under a shared (S) lock on the table, "
        "which lets reads go on but makes every INSERT, UPDATE and DELETE wait for the whole build; a clustered "
        "index is built under a schema-modification (Sch-M) lock, which blocks reads as well (CREATE INDEX "
        "(Transact-SQL), ONLINE = OFF). Prisma runs each SQL Server migration in one transaction (BEGIN TRAN "
        "... COMMIT TRAN), so the lock is held until the whole file commits. With `WITH (ONLINE = ON)` only an "
        "intent-share lock is held during the build, and a short S or Sch-M lock at the start and the end. "
        "Online index operations are an Enterprise feature: they run on SQL Server Enterprise, Developer and "
        "Evaluation editions, Azure SQL Database and Azure SQL Managed Instance (Editions and supported features "
        "of SQL Server 2022, RDBMS high availability: online indexing); Standard and Express refuse the option "
        "with Msg 1712, \"Online index operations can only be performed in Enterprise edition of SQL Server\". "
        "There, build the index at a quiet time. A few indexes cannot be built online at all: XML indexes, and a "
        "clustered index on a table with text, ntext or image columns (Guidelines for online index operations). "
        "`ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY` or `UNIQUE` builds its index the same way, under the "
        "Sch-M lock ALTER TABLE takes (reads wait too), and takes `WITH (ONLINE = ON)` as well, one constraint per "
        "statement; Prisma writes it to change a table's primary key. Tables created in the same migration, or by "
        "one not applied yet, are not flagged."
    )
    bad = "CREATE NONCLUSTERED INDEX [Post_authorId_idx] ON [dbo].[Post]([authorId]);"
    good = (
        "CREATE NONCLUSTERED INDEX [Post_authorId_idx] ON [dbo].[Post]([authorId]) WITH (ONLINE = ON);\n"
        "CREATE TABLE [dbo].[Tag] ([id] INT NOT NULL, [name] NVARCHAR(100) NOT NULL);\n"
        "CREATE INDEX [Tag_name_idx] ON [dbo].[Tag]([name]);"
    )
    references = (CREATE_INDEX, ONLINE_INDEX, EDITIONS)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        indexes = [e for e in statement.events if isinstance(e, ir.CreateIndex) and not e.online]
        keys = [e for e in statement.events if isinstance(e, ir.AddConstraint) and e.kind in _KEYS]
        built: list[ir.CreateIndex | ir.AddConstraint] = [*indexes, *keys]
        for event in built:
            lock = blocks_reads_or_writes(statement, event.table)
            if lock is None or not ctx.rows(event.table).may_hold_rows:
                continue
            t = ctx.sql.table(event.table)
            what = ctx.sql.quote(event.name) if event.name else "the index"
            if isinstance(event, ir.AddConstraint):
                what = f"the index of {event.kind.value.upper()} {what}"
            waits = ("every query on " + t + ", reads included," if lock.blocks & ir.Blocks.READS
                     else "every INSERT, UPDATE and DELETE on " + t)
            held = " and the lock is held until the migration's transaction commits" if ctx.in_transaction else ""
            verb = "ADD CONSTRAINT" if isinstance(event, ir.AddConstraint) else "CREATE INDEX"
            yield ctx.finding(
                self,
                f"{verb} builds {what} on {t} under {lock.name}: {waits} waits until it is built{held}.",
                help=(
                    f"Build it online ({ONLINE_INDEX_EDITIONS}); on those, build it at a quiet time instead.\n"
                    + (_online(statement) if len(indexes) + len(keys) == 1 else _one_key(ctx, event))
                ),
                span=statement.span_of(event),
                table=event.table,
            )


def _one_key(ctx: ModelContext, event: ir.CreateIndex | ir.AddConstraint) -> str:
    """ONLINE = ON takes one constraint per ALTER TABLE (Guidelines for online index operations)."""
    columns = ", ".join(ctx.sql.quote(c) for c in event.columns)
    if isinstance(event, ir.CreateIndex):
        unique = "UNIQUE " if event.unique else ""
        return (f"CREATE {unique}INDEX {ctx.sql.quote(event.name or 'index')} ON {ctx.sql.table(event.table)} "
                f"({columns}) WITH (ONLINE = ON);")
    named = f"CONSTRAINT {ctx.sql.quote(event.name)} " if event.name else ""
    return (f"ALTER TABLE {ctx.sql.table(event.table)} ADD {named}{event.kind.value.upper()} ({columns}) "
            "WITH (ONLINE = ON);")


def _online(statement: ir.Statement) -> str:
    """The statement as sqlglot read it, with ONLINE = ON among its options."""
    written = getattr(statement.raw, "sql", None)
    text = str(written(dialect="tsql")) if callable(written) else ""
    if not text:
        return "-- add WITH (ONLINE = ON) to the statement"
    if _ONLINE_OFF.search(text):
        return _ONLINE_OFF.sub("ONLINE = ON", text) + ";"
    if _WITH.search(text):
        return _WITH.sub("WITH (ONLINE = ON, ", text, count=1) + ";"
    filegroup = _FILEGROUP.search(text)
    if filegroup is not None and ")" in text[: filegroup.start()]:
        return f"{text[: filegroup.start()]} WITH (ONLINE = ON){text[filegroup.start():]};"
    return f"{text} WITH (ONLINE = ON);"
