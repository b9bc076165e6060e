from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.sqlite.common import ALTER_TABLE, SQLITE, SqliteContext, at, dropped_table, names, rebuilds
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.sql.sqlite.rebuilds import Rebuild


class SqliteRebuildDropsColumns(Rule):
    name = "sqlite-rebuild-drops-columns"
    severity = Severity.ERROR
    dialects = SQLITE
    summary = (
        "A table rebuild whose copy leaves out columns of the old table (their data is gone), or adds a NOT NULL "
        "column without a default that the copy does not fill (the migration fails on a non-empty table)."
    )
    why = (
        "A rebuild copies the rows with `INSERT INTO new_X (...) SELECT ... FROM X` and then drops X "
        "(sqlite.org/lang_altertable.html, \"Making Other Kinds Of Table Schema Changes\"). A column of X the copy "
        "does not read is gone with X: when it is meant to go, that is a DROP COLUMN, and the code still running "
        "breaks as `ban-drop-column` says; when it is not (a hand-edited copy, a generator that lost track of a "
        "column: cherry-studio#17568), the data is lost without a word; a column another INSERT ... SELECT of "
        "the file copies elsewhere first is kept. A rebuild with no copy at all loses every "
        "row. A NOT NULL column of the new table that has no DEFAULT and that the copy does not fill makes the "
        "INSERT fail on the first row (`NOT NULL constraint failed`): the migration stops halfway, and a runner "
        "that sends the file without a transaction (Prisma Migrate) leaves `new_X` behind. The old table's columns "
        "come from the folder's history; when the history does not know them, only the NOT NULL check is made. A "
        "table created in the same migration or by a pending one is not flagged."
    )
    bad = (
        "CREATE TABLE \"new_User\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL, \"role\" TEXT NOT NULL);\n"
        "INSERT INTO \"new_User\" (\"id\", \"email\") SELECT \"id\", \"email\" FROM \"User\";\n"
        "DROP TABLE \"User\";\n"
        "ALTER TABLE \"new_User\" RENAME TO \"User\";"
    )
    good = (
        "CREATE TABLE \"new_User\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"email\" TEXT NOT NULL, "
        "\"role\" TEXT NOT NULL DEFAULT 'member');\n"
        "INSERT INTO \"new_User\" (\"id\", \"email\") SELECT \"id\", \"email\" FROM \"User\";\n"
        "DROP TABLE \"User\";\n"
        "ALTER TABLE \"new_User\" RENAME TO \"User\";"
    )
    references = (ALTER_TABLE, "https://www.sqlite.org/lang_insert.html",
                  "https://github.com/CherryHQ/cherry-studio/issues/17568")

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        sqlite: SqliteContext = ctx  # type: ignore[assignment]
        for rebuild in rebuilds(sqlite):
            where = rebuild.copies[0] if rebuild.copies else rebuild.drop
            if at(sqlite, where) is not statement or not ctx.rows(dropped_table(rebuild)).may_hold_rows:
                continue
            old = ctx.sql.table(dropped_table(rebuild))
            new = ctx.sql.table(rebuild.table if rebuild.renames_old_first else rebuild.new)
            if not rebuild.copies:
                yield ctx.finding(
                    self,
                    f"This rebuild drops {old} without copying its rows into {new} first: every row is lost.",
                    help=_help(sqlite, rebuild, "Copy the rows before the DROP TABLE:", new, old),
                    table=rebuild.table,
                )
                continue
            kept = _moved(sqlite, rebuild)
            gone = tuple(c for c in rebuild.columns_lost if c not in kept)
            if gone:
                lost = names(sqlite, gone)
                its = "its data is" if len(gone) == 1 else "their data is"
                yield ctx.finding(
                    self,
                    f"The copy into {new} leaves out {lost} of {old}: {its} gone once {old} is dropped.",
                    help=_help(sqlite, rebuild, f"Keep {lost}: declare it in {new} and copy it; or, when it is meant "
                               "to go, deploy code that no longer uses it first and say so:", new, old, gone=gone),
                    table=rebuild.table,
                )
            if rebuild.unfilled_required:
                unfilled = names(sqlite, rebuild.unfilled_required)
                yield ctx.finding(
                    self,
                    f"{unfilled} of {new} {_is(rebuild.unfilled_required)} NOT NULL without a DEFAULT and the copy "
                    f"does not fill {_it(rebuild.unfilled_required)}: the INSERT "
                    f"fails on the first row of {old} (NOT NULL constraint failed) and the migration stops halfway.",
                    help=_help(sqlite, rebuild, f"Give {unfilled} a DEFAULT in the CREATE TABLE of {new}, or fill it "
                               "in the copy:", new, old, rebuild.unfilled_required),
                    table=rebuild.table,
                )


def _moved(ctx: SqliteContext, rebuild: Rebuild) -> set[str]:
    """Columns of the old table another INSERT ... SELECT copies elsewhere before the drop
    (vaultwarden moves ciphers.folder_uuid into folders_ciphers): their data is kept."""
    old = dropped_table(rebuild)
    return {
        column
        for statement in ctx.statements[: rebuild.drop]
        for event in statement.events
        if isinstance(event, ir.DataChange) and event.source == old
        for column in event.source_columns
        if column
    }


def _is(columns: tuple[str, ...]) -> str:
    return "is" if len(columns) == 1 else "are"


def _it(columns: tuple[str, ...]) -> str:
    return "it" if len(columns) == 1 else "them"


def _help(ctx: SqliteContext, rebuild: Rebuild, first: str, new: str, old: str, fill: tuple[str, ...] = (),
          gone: tuple[str, ...] = ()) -> str:
    kept = [c.name for c in rebuild.old_columns or () if c.name not in fill]
    if not kept:
        kept = ["<column>"]
    targets = ", ".join([*(ctx.sql.quote(c) for c in kept if c != "<column>"), *(ctx.sql.quote(c) for c in fill)])
    sources = ", ".join([*(ctx.sql.quote(c) for c in kept if c != "<column>"), *("<value>" for _ in fill)])
    if not targets:
        return first + f"\n-- INSERT INTO {new} (<columns>) SELECT <columns> FROM {old};"
    lines = [first, f"INSERT INTO {new} ({targets}) SELECT {sources} FROM {old};"]
    if "<value>" in sources:
        lines[1] = "-- " + lines[1] + "  (the value is yours to choose)"
    if gone:
        lines.append(f"-- migralint: ignore sqlite-rebuild-drops-columns -- no deployed code uses {names(ctx, gone)}")
    return "\n".join(lines)
