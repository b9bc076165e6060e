"""Whether a statement earlier in the file left a table without rows.

Some migrations empty a table before changing it (`DELETE FROM "UserProfile";` then an
ADD COLUMN ... NOT NULL). A change that fails on existing rows cannot fail then; after a
TRUNCATE the table's files are new and empty too, so scanning or rewriting it costs nothing.
(A DELETE leaves the dead rows in the files until VACUUM: a scan still reads them.)
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from migralint.sql.postgres.nodes import TableName, unwrap
from migralint.linter.parse import Statement

if TYPE_CHECKING:
    from migralint.linter.context import Context

# Statements that may put rows into their relation again.
_FILLING = frozenset({"InsertStmt", "CopyStmt", "MergeStmt"})


# A plain class, not a dataclass: see section_state.py.
class _RowEvents:
    __slots__ = ("by_table",)

    def __init__(self) -> None:
        # table -> the positions of the statements that change its rows, and what each leaves
        self.by_table: dict[TableName, tuple[list[int], list[str | None]]] | None = None


def emptied_before(ctx: Context, table: TableName) -> str | None:
    """"TRUNCATE" or "DELETE" when the last statement before the current one that touched
    `table`'s rows removed all of them (a DELETE without WHERE, a TRUNCATE); None otherwise.
    From an index built once per section: rescanning every earlier statement for each check
    made long files quadratic."""
    kept = ctx.state(_RowEvents)
    events = kept.by_table
    if events is None:
        events = kept.by_table = _index(ctx)
    found = events.get(table)
    if found is None:  # most tables: no statement of the section touches their rows
        return None
    positions, states = found
    k = bisect_left(positions, ctx.position)
    return states[k - 1] if k else None


def _index(ctx: Context) -> dict[TableName, tuple[list[int], list[str | None]]]:
    events: dict[TableName, tuple[list[int], list[str | None]]] = {}
    for position, statement in enumerate(ctx.statements):
        for table, state in row_effects(statement):
            positions, states = events.setdefault(table, ([], []))
            positions.append(position)
            states.append(state)
    return events


def row_effects(statement: Statement) -> tuple[tuple[TableName, str | None], ...]:
    """What the statement does to its tables' rows: a fact of the statement, so that a large
    file is indexed without parsing its seed data again."""
    return statement.fact(_effects) if statement.kind in _TOUCHING else ()


_TOUCHING = _FILLING | {"TruncateStmt", "DeleteStmt"}


def _effects(statement: Statement) -> tuple[tuple[TableName, str | None], ...]:
    node = statement.node
    if statement.kind == "TruncateStmt":
        return tuple((TableName.from_range_var(unwrap(r)[1]), "TRUNCATE") for r in node.get("relations", []))
    if statement.kind == "DeleteStmt" and "relation" in node and "whereClause" not in node:
        return ((TableName.from_range_var(node["relation"]), "DELETE"),)
    if statement.kind in _FILLING and "relation" in node:
        return ((TableName.from_range_var(node["relation"]), None),)
    return ()
