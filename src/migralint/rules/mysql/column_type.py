"""changing-column-type's verdict on MySQL and MariaDB: a MODIFY / CHANGE that changes a column's
type copies the table with writes blocked, except a VARCHAR that grows while its length prefix
stays 1 byte (up to 255 bytes) or stays 2.

Sources: MySQL 8.4 manual, 17.12.1 "Online DDL Operations", column operations ("Changing the
column data type is only supported with ALGORITHM=COPY"; "Extending VARCHAR column size ... in
place ... as long as the number of length bytes required by a VARCHAR column remains the same");
MariaDB KB, "InnoDB Online DDL Operations with ALGORITHM=INPLACE" (the same, from 10.2.2).

Which rule says what, so that one change is reported once: ENUM / SET member changes, CONVERT TO
CHARACTER SET and the other copies are `mysql-table-copy`'s; a MODIFY that changes only NULL / NOT
NULL is `mysql-table-rebuild`'s; every other type change of a column the history knows is this
rule's. A column whose earlier type the history does not have is left alone, as those rules do: a
MODIFY restates the whole column, so it may change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migralint.findings import Finding, RuleInfo
from migralint.linter.model_context import ModelContext
from migralint.linter.suppressions import ignore_comment
from migralint.rules.mysql.common import (
    MySqlContext,
    Modify,
    asks_for_copy,
    existing_table_clauses,
    modifies,
    online_tool_help,
)
from migralint.sql import ir
from migralint.sql.mysql.online_ddl import Server, varchar_growth
from migralint.sql.mysql.readings import MySqlNode

_CHARSET = re.compile(r"\b(?:CHARACTER\s+SET|CHARSET)\s*=?\s*[`'\"]?(\w+)", re.I)
_CONVERTED = re.compile(r"\bCONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\s+[`'\"]?(\w+)", re.I)
_COLLATE = re.compile(r"\bCOLLATE\s*=?\s*[`'\"]?([a-z0-9]+)_", re.I)


def column_type_findings(rule: RuleInfo, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
    mysql_ctx: MySqlContext = ctx
    found = existing_table_clauses(statement, mysql_ctx)
    if found is None or asks_for_copy(statement):
        return  # new table, refused by its own ALGORITHM/LOCK, or mysql-table-copy's ALGORITHM=COPY finding
    table, changes = found
    server = Server(ctx.settings.mysql_version, ctx.settings.mariadb_version)
    for change in changes:
        for modify in modifies(change.clause, table, mysql_ctx):
            if modify.verdict != "type" or modify.old is None:
                continue
            charset = _charset(statement, change.span, table, ctx)
            growth = varchar_growth(modify.old.type, modify.new_type, charset)
            if growth is not None and growth[0] == growth[1] and server.varchar_grows_in_place():
                continue  # MySQL changes it in place, as metadata: writes go on
            yield ctx.finding(
                rule,
                _message(ctx, table, modify, growth, charset, server),
                span=change.span,
                table=table,
                help=_help(statement, ctx, table, modify),
            )


def _message(
    ctx: ModelContext, table: ir.TableName, modify: Modify, growth: tuple[int, int] | None, charset: str | None,
    server: Server,
) -> str:
    shown, column = ctx.sql.table(table), ctx.sql.quote(modify.column)
    old = modify.old.type if modify.old is not None else "?"
    if modify.old is not None and modify.old.name != modify.column:
        column = f"{ctx.sql.quote(modify.old.name)} (renamed {column})"
    why = ""
    if growth is not None and growth[0] != growth[1]:
        assumed = f"in {charset}" if charset else "in utf8mb4 (assumed: the migration does not name the character set)"
        why = (f" (a VARCHAR grows in place only while its length prefix stays {growth[0]} byte, and "
               f"{modify.new_type} needs {growth[1]} {assumed})")
    elif growth is not None:
        why = f" ({server.name} grows a VARCHAR only by copying the table: in place from MySQL 5.7, MariaDB 10.2.2)"
    return (
        f"This ALTER changes {column} of {shown} from {old} to {modify.new_type}{why}: MySQL runs a type change "
        f"with ALGORITHM=COPY, copying every row of {shown} while writes to it (INSERT, UPDATE, DELETE) wait."
    )


def _help(statement: ir.Statement, ctx: ModelContext, table: ir.TableName, modify: Modify) -> str:
    t = ctx.sql.table(table)
    # A CHANGE that also renames: the new column takes the new name; the old one is still the old name.
    existing = modify.old.name if modify.old is not None else modify.column
    old = ctx.sql.quote(existing)
    new = ctx.sql.quote(modify.column if modify.column != existing else f"{modify.column}_new")
    null = " NOT NULL" if modify.not_null else ""
    lines = [
        "Expand and contract: add a column of the new type, backfill it in batches, switch the code to it, "
        "then drop the old column:",
        f"ALTER TABLE {t} ADD COLUMN {new} {modify.new_type} NULL, ALGORITHM=INSTANT;",
        f"-- keep {new} in step with {old} (in the code or with triggers) and backfill in batches, each committed "
        "on its own (repeat until it changes no rows):",
        f"UPDATE {t} SET {new} = {old} WHERE {new} IS NULL AND {old} IS NOT NULL LIMIT 1000;",
        f"-- once the code reads and writes only {new}, in a later migration:",
        ignore_comment("ban-drop-column", f"no deployed code uses {old} any more"),
        f"ALTER TABLE {t} DROP COLUMN {old};",
    ]
    if null:
        lines.append(f"-- then make {new} NOT NULL (an in-place rebuild, writes go on) and rename it if you like")
    tool = online_tool_help(
        statement, ctx, "-- or keep the change as written and run it with an online schema change tool, which copies the "
        "table in small throttled chunks while writes go on, then record the migration as applied:"
    )
    return "\n".join(lines) + "\n" + tool


def _charset(statement: ir.Statement, span: tuple[int, int], table: ir.TableName, ctx: ModelContext) -> str | None:
    """The column's character set: written on the MODIFY itself, else a CONVERT TO CHARACTER SET of the
    table earlier in the file; None otherwise. (A CREATE TABLE's DEFAULT CHARSET is not in the replayed
    history, and a table created in this file is not flagged at all.)"""
    clause = _text(statement)[span[0] - statement.start : span[1] - statement.start]
    written = _CHARSET.search(clause) or _COLLATE.search(clause)
    if written:
        return written.group(1).lower()
    for earlier in reversed(ctx.earlier):
        converted = _CONVERTED.search(_text(earlier)) if table in earlier.tables else None
        if converted:
            return converted.group(1).lower()
    return None


def _text(statement: ir.Statement) -> str:
    raw = statement.raw
    return raw.text if isinstance(raw, MySqlNode) else ""
