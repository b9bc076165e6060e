"""What the schema catalog (catalog.py) holds: tables, columns, constraints, indexes, views, enums.

Each object remembers the migration that created it (`origin`; "" for objects that existed
before the history began). They are mutable: the catalog changes them as migrations replay,
and they compare by identity. A Column is the exception: tables share equal ones, and the
replay puts another in a table's place instead of changing one (model_replay._column_value).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from migralint.sql.postgres.nodes import Node, TableName


@dataclass(slots=True, eq=False, repr=False)
class Column:
    """A column of a table in the catalog: its type and default trees, NOT NULL, and the migration
    that made it."""

    name: str
    type_name: Node | None  # libpg_query's TypeName; None when the history never said
    not_null: bool = False
    default: Node | None = None
    origin: str = ""


@dataclass(slots=True, eq=False, repr=False)
class Constraint:
    """A table's constraint in the catalog: its kind, columns, CHECK expression or referenced table,
    and whether it is validated."""

    table: TableName
    name: str
    kind: str  # "check", "foreign", "unique", "primary", "exclusion", "not_null"
    validated: bool = True
    columns: tuple[str, ...] = ()
    expression: Node | None = None  # a CHECK's expression
    references: TableName | None = None  # a foreign key's referenced table
    referenced_columns: tuple[str, ...] = ()  # ... and columns (empty: its primary key)
    origin: str = ""
    # A foreign key's ON DELETE action as ir.AddConstraint.on_delete has it (the model dialects:
    # SQLite's table rebuild fires it on every child); "" when not written or not known.
    on_delete: str = ""


@dataclass(slots=True, eq=False, repr=False)
class Index:
    """An index in the catalog: its table and columns, unique, partial, valid, and whether a
    constraint owns it."""

    name: TableName  # schema and index name
    table: TableName
    unique: bool = False
    partial: bool = False
    valid: bool = True
    columns: tuple[str, ...] = ()
    origin: str = ""
    constraint: bool = False  # the index of a UNIQUE or PRIMARY KEY constraint: not free to attach


@dataclass(slots=True, eq=False, repr=False)
class Table:
    """A table in the catalog: its columns, constraints, index names, and its partitioning."""

    name: TableName
    columns: dict[str, Column] = field(default_factory=dict)
    constraints: dict[str, Constraint] = field(default_factory=dict)  # by name
    # Keys of Catalog.indexes. A tuple: a table has a few indexes, and an empty set cost 216
    # bytes for each of a 20 MB migration's 60,000 tables (docs/robustness.md).
    index_names: tuple[TableName, ...] = ()
    partitioned: bool = False
    partition_of: TableName | None = None
    origin: str = ""


@dataclass(slots=True, eq=False, repr=False)
class View:
    """A view or materialized view in the catalog: the tables and column names its query reads."""

    name: TableName
    materialized: bool
    tables: frozenset[TableName] = frozenset()  # the tables its query reads
    columns: frozenset[str] = frozenset()  # every column name its query mentions
    origin: str = ""


@dataclass(slots=True, eq=False, repr=False)
class EnumType:
    """An enum type in the catalog and its values, in order."""

    name: TableName
    values: list[str] = field(default_factory=list)
    origin: str = ""
