"""Which table an index named by a statement (DROP INDEX, REINDEX INDEX) belongs to.

Those statements name only the index; its table is known when this file created the index
(earlier, or later: a dropped index is often re-created under the same name).
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

from migralint.linter.file_schema import FileSchema
from migralint.sql.postgres.nodes import Node, TableName, unwrap

if TYPE_CHECKING:
    from migralint.linter.catalog import Catalog


@dataclass(frozen=True, slots=True)
class IndexTable:
    """The table an index is on, as a file section says at a statement, and how the file says it."""

    index: TableName
    table: TableName | None  # None: the file does not say
    created_earlier: bool  # created before the statement, in this file or the migration a rollback undoes
    from_later_create: bool  # `table` is where a later statement of the file re-creates the index

    def table_words(self) -> str:
        """The table for a message: `"User"`, or `the table of index "X"`."""
        if self.table is None:
            return f'the table of index "{self.index}"'
        if self.from_later_create:
            return f'"{self.table}" (where this file re-creates it)'
        return f'"{self.table}"'


def dropped_index_names(node: Node) -> list[TableName]:
    """The indexes a DROP INDEX statement names."""
    return [TableName.from_names(unwrap(obj)[1].get("items", [])) for obj in node.get("objects", [])]


def index_table_at(
    schema: FileSchema, index: TableName, position: int, catalog: Catalog | None = None
) -> IndexTable:
    """What the file (or else the replayed history) says about `index` as seen by the statement
    at `position` (Statement.index)."""
    entry = schema.indexes.get(index)
    if entry is None:
        known = catalog.indexes.get(index) if catalog is not None else None
        return IndexTable(index, known.table if known is not None else None, False, False)
    table, created = entry
    if created < position:
        return IndexTable(index, table, True, False)
    # Created later: before this statement the name belonged to an index of an existing table,
    # most likely the same one. A table the file creates itself cannot have held it before.
    if table in schema.tables:
        return IndexTable(index, None, False, False)
    return IndexTable(index, table, False, True)
