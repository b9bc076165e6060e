"""Whether a statement earlier in the file left a table without rows.

Some migrations empty a table before changing it (`DELETE FROM "UserProfile";` then an
ADD COLUMN ... NOT NULL). A change that fails on existing rows cannot fail then; after a
TRUNCATE the table's files are new and empty too, so scanning or rewriting it costs nothing.
(A DELETE leaves the dead rows in the files until VACUUM: a scan still reads them.)
"""

from __future__ import annotations

from collections.abc import Iterable

from migralint.linter.nodes import TableName, unwrap
from migralint.linter.parse import Statement

# Statements that may put rows into their relation again.
_FILLING = frozenset({"InsertStmt", "CopyStmt", "MergeStmt"})


def emptied_by(statements: Iterable[Statement], table: TableName) -> str | None:
    """"TRUNCATE" or "DELETE" when the last of `statements` that touched `table`'s rows
    removed all of them (a DELETE without WHERE, a TRUNCATE); None otherwise."""
    emptied: str | None = None
    for statement in statements:
        node = statement.node
        if statement.kind == "TruncateStmt":
            truncated = {TableName.from_range_var(unwrap(r)[1]) for r in node.get("relations", [])}
            if table in truncated:
                emptied = "TRUNCATE"
        elif statement.kind == "DeleteStmt" and "relation" in node:
            if TableName.from_range_var(node["relation"]) == table and "whereClause" not in node:
                emptied = "DELETE"
        elif statement.kind in _FILLING and "relation" in node:
            if TableName.from_range_var(node["relation"]) == table:
                emptied = None
    return emptied
