"""Help SQL in MySQL's own syntax: backticks, the connection's database left implicit."""

from __future__ import annotations

from migralint.sql.ir import AddColumn, Statement, TableName


class MySqlText:
    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def table(self, table: TableName) -> str:
        if table.schema:
            return f"{self.quote(table.schema)}.{self.quote(table.name)}"
        return self.quote(table.name)

    def name(self, table: TableName) -> str:
        return table.qualified()

    def alter_table(self, statement: Statement) -> str:
        table = statement.tables[0] if statement.tables else TableName("", "")
        return f"ALTER TABLE {self.table(table)}"

    def add_column_steps(self, statement: Statement, event: AddColumn) -> list[str]:
        column = event.column
        return [f"{self.alter_table(statement)} ADD COLUMN {self.quote(column.name)} {column.type};"]
