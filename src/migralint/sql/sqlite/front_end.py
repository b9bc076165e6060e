"""The SQLite front end as the engine takes it (sql/front_ends.py imports it when a SQLite file is parsed)."""

from __future__ import annotations

from migralint.sql.model_front_end import FrontEnd
from migralint.sql.sqlite import SQL_TEXT, parse, rollback_from

FRONT_END = FrontEnd(parse, rollback_from, SQL_TEXT)
