"""Building the SQL that a finding's help suggests, from the user's own statement text."""

from __future__ import annotations

import re

_INDEX_KEYWORD = re.compile(r"\bINDEX\b", re.I)


def add_concurrently(statement_sql: str) -> str:
    """`CREATE [UNIQUE] INDEX ...` or `DROP INDEX ...` with CONCURRENTLY after INDEX."""
    return _INDEX_KEYWORD.sub("INDEX CONCURRENTLY", statement_sql, count=1)


def one_line(sql: str) -> str:
    """A statement squeezed onto one line, for messages."""
    return " ".join(sql.split())
