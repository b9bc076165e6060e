"""PostgreSQL's default names for constraints and indexes, as the catalog and the rules' help write them.

Apart from constraint_sql.py, whose help reads the Context: the catalog, which the Context
holds, names constraints too.
"""

from __future__ import annotations

from migralint.sql.postgres.nodes import TableName
from migralint.sql.postgres.object_names import object_name as object_name  # where it lives: the model builds names too


def default_constraint_name(table: TableName, columns: list[str], label: str) -> str:
    """The name PostgreSQL gives an unnamed constraint: label is fkey, key, pkey or check."""
    return object_name(table.name, "_".join(columns), label)
