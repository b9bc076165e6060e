"""The MySQL front end as the engine takes it (sql/front_ends.py imports it when a MySQL file is parsed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.sql.model_front_end import FrontEnd, Versions
from migralint.sql.mysql.online_ddl import Server
from migralint.sql.mysql.parse import parse_file
from migralint.sql.mysql.split import goose_down_offset
from migralint.sql.mysql.sqltext import MySqlText

if TYPE_CHECKING:
    from migralint.sql import ir


def server_of(versions: Versions) -> Server:
    return Server(versions.get("mysql") or Server().mysql, versions.get("mariadb"))


def _parse(text: str, versions: Versions) -> ir.ParsedFile:
    return parse_file(text, server_of(versions))


FRONT_END = FrontEnd(_parse, goose_down_offset, MySqlText())
