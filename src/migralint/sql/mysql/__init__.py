"""MySQL and MariaDB through sqlglot: split.py (statements as each tool splits them), parse.py
(text -> ir.ParsedFile), statements.py / alter.py / commands.py (what each statement does),
online_ddl.py (what an ALTER costs on InnoDB), sqltext.py (help SQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.sql.front_ends import FrontEnd, Versions
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
