"""Help SQL in MySQL's own syntax: backticks, the connection's database left implicit."""

from __future__ import annotations

from migralint.sql.ir import TableName


class MySqlText:
    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def table(self, table: TableName) -> str:
        if table.schema:
            return f"{self.quote(table.schema)}.{self.quote(table.name)}"
        return self.quote(table.name)
