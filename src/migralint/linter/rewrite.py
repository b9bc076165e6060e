"""Building the SQL that a finding's help suggests, from the user's own statement text."""

from __future__ import annotations

import re

from migralint.findings import Edit, Fix
from migralint.linter.parse import Statement

_INDEX_KEYWORD = re.compile(r"\bINDEX\b", re.I)


def add_concurrently(statement_sql: str) -> str:
    """`CREATE [UNIQUE] INDEX ...` or `DROP INDEX ...` with CONCURRENTLY after INDEX."""
    return _INDEX_KEYWORD.sub("INDEX CONCURRENTLY", statement_sql, count=1)


def concurrently_fix(text: str, statement: Statement) -> Fix | None:
    """Insert CONCURRENTLY after the INDEX keyword of a CREATE or DROP INDEX statement."""
    match = _INDEX_KEYWORD.search(text, statement.start, statement.end)
    if match is None:
        return None
    return Fix("add CONCURRENTLY", (Edit(match.end(), match.end(), " CONCURRENTLY"),))


def with_concurrently(text: str, statement: Statement, fixable: bool) -> tuple[str, Fix | None]:
    """What require-concurrent-index-creation and -deletion both offer: the statement as written
    with CONCURRENTLY added, for help, and the fix that adds it when `fixable` (outside a
    transaction block CONCURRENTLY runs as written, so `lint --fix` may make the change)."""
    sql = add_concurrently(text[statement.start : statement.end])
    return sql, concurrently_fix(text, statement) if fixable else None


def one_line(sql: str) -> str:
    """A statement squeezed onto one line, for messages."""
    return " ".join(sql.split())
