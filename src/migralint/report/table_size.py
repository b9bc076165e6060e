"""A finding's message as the reports show it: with the size of its table, when the database
gave one (Finding.table_size), right after the table's first mention.

The size is data on the finding; this is the one place that puts it into words, so that every
format says the same: `takes ACCESS EXCLUSIVE on "Booking" (2.4M rows, 1.8 GB): ...`.
"""

from __future__ import annotations

import re
from typing import Any

from migralint.findings import Finding, TableSize
from migralint.sql.postgres.nodes import DEFAULT_SCHEMA, TableName


def shown_message(finding: Finding) -> str:
    size = finding.table_size
    return finding.message if size is None else _with_note(finding.message, size.table, size.note())


def size_dict(size: TableSize) -> dict[str, Any]:
    """The size as the JSON and SARIF output carry it."""
    return {"table": size.table, "rows": size.rows, "bytes": size.bytes, "small": size.small}


def _with_note(message: str, table: str, note: str) -> str:
    """`note` in parentheses right after the table's first mention (as the rules name a table:
    `"Booking"`, `"app.orders"` or as SQL), else at the end."""
    schema, _, name = table.partition(".")
    named = TableName(schema or DEFAULT_SCHEMA, name)
    shown = str(named)
    for mention in (f'"{shown}"', named.sql()):
        at = message.find(mention)
        if at >= 0:
            end = at + len(mention)
            return f"{message[:end]} ({note}){message[end:]}"
    bare = re.search(rf"(?<![\w\"]){re.escape(shown)}(?![\w\"])", message)
    if bare:
        return f"{message[:bare.end()]} ({note}){message[bare.end():]}"
    return f'{message.rstrip(".")} ("{shown}": {note})'
