"""Small readers for libpg_query's JSON tree, so that rules speak of tables, not dicts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

Node = dict[str, Any]

DEFAULT_SCHEMA = "public"


class TableName(NamedTuple):
    """A table (or index, view...) as PostgreSQL resolves it: schema and folded name.

    A NamedTuple rather than a dataclass: rules build and hash hundreds of thousands of them
    on a large corpus, and tuples do both in C.
    """

    schema: str
    name: str

    @classmethod
    def from_range_var(cls, range_var: Node) -> TableName:
        return shared_name(range_var.get("schemaname") or DEFAULT_SCHEMA, range_var.get("relname", ""))

    @classmethod
    def from_names(cls, names: list[Node]) -> TableName:
        """From a qualified name list such as a DropStmt object: [schema,] name."""
        parts = [string_value(n) for n in names]
        if len(parts) >= 2:
            return shared_name(parts[-2], parts[-1])
        return shared_name(DEFAULT_SCHEMA, parts[-1] if parts else "")

    def sql(self) -> str:
        """The name as SQL, schema omitted when it is the default."""
        if self.schema == DEFAULT_SCHEMA:
            return quote_ident(self.name)
        return f"{quote_ident(self.schema)}.{quote_ident(self.name)}"

    def __str__(self) -> str:
        return self.name if self.schema == DEFAULT_SCHEMA else f"{self.schema}.{self.name}"


@lru_cache(maxsize=8192)
def shared_name(schema: str, name: str) -> TableName:
    """TableName(schema, name), one object for the names seen lately.

    Every statement that names a table decodes its own copy of the name, and the facts kept per
    statement (its locks, what it creates), the statement model and the catalog each kept a
    TableName of it: in a 20 MB migration, 9 copies of each name (docs/robustness.md). The
    names of neighbouring statements repeat most, so a bounded cache shares nearly all of them.
    """
    return TableName(schema, name)


_SIMPLE_IDENT = re.compile(r"[a-z_][a-z0-9_$]*\Z")

# Reserved keywords that must be quoted when used as identifiers (the common ones in DDL).
_RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric both case cast check collate column
    constraint create current_catalog current_date current_role current_time current_timestamp
    current_user default deferrable desc distinct do else end except false fetch for foreign from
    grant group having in initially intersect into lateral leading limit localtime localtimestamp
    not null offset on only or order placing primary references returning select session_user
    some symmetric system_user table then to trailing true union unique user using variadic when
    where window with""".split()
)


def quote_ident(name: str) -> str:
    """`name` as SQL, quoted where PostgreSQL needs it."""
    # A schema's few names are quoted again for every column type, finding and help text. Not
    # a front end's own str class (SQL Server's Name): one equal to a name in another case
    # would get that name's answer.
    return _quoted(name) if type(name) is str else _quote(name)


def _quote(name: str) -> str:
    if _SIMPLE_IDENT.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


_quoted = lru_cache(maxsize=4096)(_quote)


def string_value(node: Node) -> str:
    """The text of a String node (or of a bare dict with sval)."""
    if "String" in node:
        return str(node["String"].get("sval", ""))
    return str(node.get("sval", ""))


def unwrap(node: Node) -> tuple[str, Node]:
    """`{"Type": {...}}` -> ("Type", {...}); `{}` (libpg_query's NULL in a list, as in
    `CREATE AGGREGATE cnt(*)`) -> ("", {})."""
    if not node:
        return "", {}
    (pair,) = node.items()  # the dict's own (type, fields) pair: no tuple built and unpacked again
    return pair


def walk(node: Any) -> Iterator[tuple[str, Node]]:
    """Every typed node below `node`, depth first, as (type, fields)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if len(item) == 1:
                ((key, value),) = item.items()
                if key[:1].isupper() and isinstance(value, dict):
                    yield key, value
                    stack.append(value)
                    continue
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(reversed(item))


def type_name(type_node: Node) -> str:
    """A column type's base name, lower case, without the pg_catalog prefix: "int4", "varchar"."""
    names = type_node.get("names")
    return string_value(names[-1]).lower() if names else ""


def column_constraints(column_def: Node) -> list[Node]:
    """A column's Constraint nodes, unwrapped, in the order written. Most columns have none:
    the statement model asks it of every column, and those get an empty list without a loop."""
    wrapped_all = column_def.get("constraints")
    return [unwrap(c)[1] for c in wrapped_all] if wrapped_all else []


def has_constraint(column_def: Node, contype: str) -> bool:
    return any(c.get("contype") == contype for c in column_constraints(column_def))


def alter_table_commands(statement_node: Node) -> list[Node]:
    """The subcommands of an ALTER TABLE, unwrapped.

    A dozen rules ask for them on every ALTER TABLE: the list is kept in the node itself under
    a key libpg_query never uses (the tree belongs to one parse of one file).
    """
    cached: list[Node] | None = statement_node.get("_commands")
    if cached is None:
        cached = statement_node["_commands"] = [unwrap(c)[1] for c in statement_node.get("cmds", [])]
    return cached


def subcommands(statement_node: Node, *subtypes: str) -> Iterator[tuple[int, Node]]:
    """(position, command) of each ALTER TABLE subcommand of the given kinds, e.g. "AT_DropColumn":
    the one loop over subcommands that the rules and the linter share."""
    for number, cmd in enumerate(alter_table_commands(statement_node)):
        if cmd.get("subtype") in subtypes:
            yield number, cmd


def subcommand_definitions(statement_node: Node, *subtypes: str) -> Iterator[tuple[int, Node, str, Node]]:
    """(position, command, its definition's node type, the definition) of each ALTER TABLE
    subcommand of the given kinds that has one: ADD COLUMN's ColumnDef, ADD CONSTRAINT's
    Constraint, DETACH PARTITION's PartitionCmd."""
    # One loop, not one over `subcommands`: rules ask this of every ALTER TABLE, and a
    # generator that drives another cost a third more.
    for number, cmd in enumerate(alter_table_commands(statement_node)):
        if cmd.get("subtype") in subtypes and cmd.get("def"):
            kind, definition = unwrap(cmd["def"])
            yield number, cmd, kind, definition


def added_columns(statement_node: Node) -> Iterator[tuple[int, Node, Node]]:
    """(position, command, ColumnDef) of each ADD COLUMN of an ALTER TABLE."""
    for number, cmd, _, column_def in subcommand_definitions(statement_node, "AT_AddColumn"):
        yield number, cmd, column_def


_SERIAL_TYPES = frozenset({"serial", "serial4", "serial8", "bigserial", "smallserial", "serial2"})


def is_serial_type(type_node: Node) -> bool:
    return is_serial_name(type_name(type_node))


def is_serial_name(name: str) -> bool:
    """Whether a type's base name (the last of its names, in any case) is a serial pseudo-type."""
    return name.lower() in _SERIAL_TYPES


def option_is_on(options: list[Node], name: str) -> bool:
    """True when a DefElem list (VACUUM, REINDEX, CLUSTER options) turns `name` on:
    `FULL`, `(FULL)`, `(FULL true)`, `(FULL 1)`; not `(FULL false)` or `(FULL off)`."""
    for item in options:
        option = unwrap(item)[1]
        if option.get("defname") != name:
            continue
        arg = option.get("arg")
        if not arg:
            return True
        kind, value = unwrap(arg)
        if kind == "Integer":
            return bool(value.get("ival", 0))
        if kind == "Boolean":
            return bool(value.get("boolval", False))
        return str(value.get("sval", "")).lower() not in ("false", "off", "0", "no")
    return False


def reindex_is_concurrent(node: Node) -> bool:
    """True for REINDEX (CONCURRENTLY) / REINDEX ... CONCURRENTLY, not for (CONCURRENTLY false)."""
    return option_is_on(node.get("params", []), "concurrently")
