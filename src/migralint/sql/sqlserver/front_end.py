"""The SQL Server front end as the engine takes it (sql/front_ends.py imports it when a SQL Server file is parsed)."""

from __future__ import annotations

from migralint.sql.model_front_end import FrontEnd
from migralint.sql.sqlserver import SQL_TEXT, parse


def _no_rollback(text: str) -> int | None:
    """Prisma and the runners that serve SQL Server keep no rollback section in a forward file."""
    return None


FRONT_END = FrontEnd(parse, _no_rollback, SQL_TEXT)
