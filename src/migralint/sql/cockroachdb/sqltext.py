"""Help SQL in CockroachDB's syntax: PostgreSQL's quoting and names, without what CockroachDB
does not take (ALTER TABLE ONLY: it has no table inheritance)."""

from __future__ import annotations

from migralint.sql.ir import AddColumn, Statement, TableName
from migralint.sql.postgres.nodes import DEFAULT_SCHEMA
from migralint.sql.postgres.sqltext import PostgresSqlText


class CockroachSqlText(PostgresSqlText):
    """`migralint.linter.model_context.SqlText` for CockroachDB."""

    def alter_table(self, statement: Statement) -> str:
        node = statement.raw if isinstance(statement.raw, dict) else {}
        table = statement.tables[0] if statement.tables else TableName(DEFAULT_SCHEMA, "")
        return "ALTER TABLE " + ("IF EXISTS " if node.get("missing_ok") else "") + self.table(table)

    def add_column_steps(self, statement: Statement, event: AddColumn) -> list[str]:
        # Each step is its own online schema change, so each goes in a migration (a transaction)
        # of its own: CockroachDB does not run several in one atomically.
        column = event.column
        alter = self.alter_table(statement)
        name = self.quote(column.name)
        return [
            f"{alter} ADD COLUMN {name} {column.type};",
            f"-- then, in batches: UPDATE {self.table(event.table)} SET {name} = <value> WHERE {name} IS NULL LIMIT 10000;",
            f"{alter} ALTER COLUMN {name} SET NOT NULL;",
        ]
