from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.model_context import ModelContext
from migralint.rules.base import Rule
from migralint.rules.sqlite.common import ALTER_RENAME, ALTER_TABLE, SQLITE, SqliteContext, at, rebuilds
from migralint.sql import ir


class SqliteRebuildRenamesOldTable(Rule):
    name = "sqlite-rebuild-renames-old-table"
    severity = Severity.ERROR
    dialects = SQLITE
    summary = (
        "A table rebuild that renames the old table away first (`RENAME TO X_old`): SQLite rewrites the children's "
        "references to X_old, which the rebuild then drops."
    )
    why = (
        "Since SQLite 3.26, `ALTER TABLE X RENAME TO X_old` rewrites every `REFERENCES X` of other tables to "
        "`REFERENCES X_old`, whether foreign keys are enforced or not, unless `PRAGMA legacy_alter_table=ON` "
        "(sqlite.org/lang_altertable.html, ALTER TABLE RENAME, compatibility note; measured on 3.40). A rebuild "
        "that renames the old table first, creates X anew, copies from X_old and drops it, leaves the children "
        "pointing at X_old, a table that no longer exists: every later insert into them fails with `no such table: "
        "main.X_old` while foreign keys are on, and with foreign keys on the DROP of X_old also fires their "
        "ON DELETE actions. The order SQLite's documentation gives (create `new_X`, copy, drop X, rename `new_X` to "
        "X) leaves the references alone. Not flagged: a table without known children in the folder's history, a "
        "table created in the same migration or by a pending one, `PRAGMA legacy_alter_table=ON` before the rename, "
        "children the same file rebuilds afterwards (created anew, they reference the new X), "
        "and a file that renames X to X_old and back after the drop (drizzle-kit's old output), which restores the "
        "references."
    )
    bad = (
        "ALTER TABLE \"Comment\" ADD COLUMN \"postId\" INTEGER REFERENCES \"Post\" (\"id\");\n"
        "ALTER TABLE \"Post\" RENAME TO \"Post_old\";\n"
        "CREATE TABLE \"Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"title\" TEXT);\n"
        "INSERT INTO \"Post\" (\"id\", \"title\") SELECT \"id\", \"title\" FROM \"Post_old\";\n"
        "DROP TABLE \"Post_old\";"
    )
    good = (
        "ALTER TABLE \"Comment\" ADD COLUMN \"postId\" INTEGER REFERENCES \"Post\" (\"id\");\n"
        "CREATE TABLE \"new_Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"title\" TEXT);\n"
        "INSERT INTO \"new_Post\" (\"id\", \"title\") SELECT \"id\", \"title\" FROM \"Post\";\n"
        "DROP TABLE \"Post\";\n"
        "ALTER TABLE \"new_Post\" RENAME TO \"Post\";"
    )
    references = (ALTER_RENAME, ALTER_TABLE, "https://www.sqlite.org/pragma.html#pragma_legacy_alter_table")

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        sqlite: SqliteContext = ctx  # type: ignore[assignment]
        for rebuild in rebuilds(sqlite):
            if not rebuild.renames_old_first or at(sqlite, rebuild.rename) is not statement:
                continue
            if rebuild.references_restored or not ctx.rows(rebuild.table).may_hold_rows or _legacy(sqlite, rebuild.rename):
                continue
            # A child rebuilt later in the file is created anew with REFERENCES to the new table (authelia).
            later = {e.table for s in sqlite.statements[rebuild.rename:] for e in s.events if isinstance(e, ir.CreateTable)}
            children = [c for c in _children(sqlite, rebuild.table) if c not in later]
            if not children:
                continue
            table, old = ctx.sql.table(rebuild.table), ctx.sql.table(rebuild.new)
            listed = ", ".join(dict.fromkeys(ctx.sql.table(k) for k in children))
            new = ctx.sql.table(ir.TableName(rebuild.table.schema, f"new_{rebuild.table.name}"))
            yield ctx.finding(
                self,
                f"Renaming {table} to {old} rewrites the references of {listed} to {old}, which this rebuild then "
                f"drops: they are left pointing at a table that does not exist.",
                help=(
                    f"Rebuild in the order SQLite documents: create the new table under another name, copy, drop "
                    f"{table}, then rename the new one (the children's references stay on {table}):\n"
                    f"-- CREATE TABLE {new} (...the new definition...);\n"
                    f"-- INSERT INTO {new} (...) SELECT ... FROM {table};\n"
                    f"DROP TABLE {table};\n"
                    f"ALTER TABLE {new} RENAME TO {table};"
                ),
                table=rebuild.table,
            )


def _children(ctx: SqliteContext, table: ir.TableName) -> list[ir.TableName]:
    """Tables whose foreign keys reference `table` now (the catalog is replayed up to here)."""
    found = []
    for owner in ctx.catalog.tables.values():
        for constraint in owner.constraints.values():
            refs = constraint.references
            if constraint.kind == "foreign" and refs is not None and (refs.schema, refs.name) == tuple(table):
                if (owner.name.schema, owner.name.name) != tuple(table):
                    found.append(ir.TableName(owner.name.schema, owner.name.name))
    return found


def _legacy(ctx: SqliteContext, before: int) -> bool:
    on = False
    for statement in ctx.statements[:before]:
        setting = statement.setting
        if setting is not None and setting.name == "legacy_alter_table":
            on = setting.value.lower() in ("on", "1", "true", "yes")
    return on
