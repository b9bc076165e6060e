"""Which column type changes PostgreSQL makes without rewriting the table.

ALTER COLUMN TYPE rewrites the table and rebuilds its indexes unless the old values are
already valid values of the new type: the cast is binary-coercible (varchar -> text,
cidr -> inet) or a length coercion that the type's support function proves to be a no-op
(varchar(n) -> varchar(m >= n), numeric(p, s) -> numeric(q >= p, s), timestamp(3) ->
timestamp(6)). Each case here was checked against PostgreSQL 15 by comparing the table's and
its index's relfilenode before and after the ALTER.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from migralint.linter.constraint_sql import type_sql
from migralint.linter.nodes import Node, TableName, alter_table_commands, string_value, unwrap
from migralint.linter.parse import Statement

_LENGTH_LIMITED = ("varchar", "varbit")  # a larger limit, or none, is rewrite-free
_TEMPORAL = ("timestamp", "timestamptz", "time", "timetz")  # a larger precision, or none, too
_MAX_TEMPORAL_PRECISION = 6


@dataclass(frozen=True, slots=True)
class ColumnType:
    name: str  # "varchar", "int4", "public.mood"
    typmods: tuple[int, ...] | None  # None: modifiers other than plain integers
    array_depth: int

    @classmethod
    def of(cls, type_name: Node) -> ColumnType:
        names = [string_value(n) for n in type_name.get("names", [])]
        if len(names) == 2 and names[0] == "pg_catalog":
            names = names[1:]
        # The parser already turns SQL spellings (integer, character varying, timestamp with
        # time zone) into pg_catalog names, so the catalog names are all that is compared.
        name = ".".join(names) if len(names) > 1 else (names[0].lower() if names else "")
        values = [unwrap(typmod)[1].get("ival") for typmod in type_name.get("typmods", [])]
        integers = [value for value in values if isinstance(value, dict)]
        # ival 0 is left out of the JSON; anything but integers (interval fields) is not compared.
        typmods = tuple(int(value.get("ival", 0)) for value in integers) if len(integers) == len(values) else None
        return cls(name, typmods, len(type_name.get("arrayBounds", [])))


@dataclass(frozen=True, slots=True)
class TypeChange:
    rewrite_free: bool
    reason: str  # why, in a few words, for messages


def type_change(old: Node, new: Node) -> TypeChange:
    """Whether changing a column from TypeName `old` to TypeName `new` (without USING) skips the rewrite."""
    before, after = ColumnType.of(old), ColumnType.of(new)
    label = f"{type_sql(old)} to {type_sql(new)}"
    if before == after:
        return TypeChange(True, "the type does not change")
    if before.array_depth or after.array_depth or before.typmods is None or after.typmods is None:
        return TypeChange(False, f"{label} needs a rewrite")
    old_name, new_name = before.name, after.name
    old_mods, new_mods = before.typmods, after.typmods
    if old_name in _LENGTH_LIMITED and new_name == old_name:
        if not new_mods or (old_mods and new_mods[0] >= old_mods[0]):
            return TypeChange(True, f"{label} only raises the length limit")
    elif (old_name, new_name) == ("varchar", "text") or ((old_name, new_name) == ("text", "varchar") and not new_mods):
        return TypeChange(True, f"{label} is binary-coercible")
    elif old_name == "cidr" and new_name == "inet":
        return TypeChange(True, f"{label} is binary-coercible")
    elif old_name == "numeric" and new_name == "numeric":
        if not new_mods:
            return TypeChange(True, f"{label} lifts the precision limit")
        if old_mods and _scale(new_mods) == _scale(old_mods) and new_mods[0] >= old_mods[0]:
            return TypeChange(True, f"{label} keeps the scale and does not lower the precision")
    elif old_name in _TEMPORAL and new_name == old_name:
        old_precision = old_mods[0] if old_mods else _MAX_TEMPORAL_PRECISION
        if not new_mods or new_mods[0] >= old_precision:
            return TypeChange(True, f"{label} does not lower the precision")
    elif old_name == "timestamp" and new_name == "timestamptz":
        return TypeChange(
            False,
            f"{label} skips the rewrite only on PostgreSQL 12+ with the session TimeZone set to UTC, "
            "and the column's indexes are rebuilt either way",
        )
    return TypeChange(False, f"{label} needs a rewrite")


def _scale(typmods: tuple[int, ...]) -> int:
    return typmods[1] if len(typmods) > 1 else 0


def rewrite_free_sources(new: Node) -> str | None:
    """The old types from which a change to `new` would be rewrite-free, in words; None if none."""
    after = ColumnType.of(new)
    if after.array_depth or after.typmods is None:
        return None
    mods = after.typmods
    if after.name == "text":
        return "varchar"
    if after.name in _LENGTH_LIMITED:
        extra = " or text" if after.name == "varchar" else ""
        return f"{after.name}(n) with n <= {mods[0]}{extra}" if mods else f"{after.name}(n){extra}"
    if after.name == "numeric":
        if not mods:
            return "numeric(p, s)"
        return f"numeric(p, {_scale(mods)}) with p <= {mods[0]}" if len(mods) > 1 else f"numeric(p) with p <= {mods[0]}"
    if after.name == "inet":
        return "cidr"
    # Temporal precision changes are rewrite-free too, but rare: a change to timestamptz is
    # almost always from timestamp, and naming timestamptz(p) there would mislead.
    return None


def is_plain_using(using: Node | None, column: str, new: Node) -> bool:
    """USING that changes nothing: the column itself, or the column cast to the new type."""
    if using is None:
        return True
    kind, body = unwrap(using)
    if kind == "TypeCast":
        if ColumnType.of(body.get("typeName", {})) != ColumnType.of(new):
            return False
        kind, body = unwrap(body.get("arg", {"": {}}))
    fields = body.get("fields", []) if kind == "ColumnRef" else []
    return len(fields) == 1 and string_value(fields[0]) == column


def column_type_before(statements: Iterable[Statement], table: TableName, column: str) -> Node | None:
    """The TypeName `statements` last gave the column (CREATE TABLE, ADD COLUMN, ALTER TYPE),
    following renames of the table and the column; None when they say nothing of it."""
    types: dict[tuple[TableName, str], Node] = {}
    for statement in statements:
        node = statement.node
        if statement.kind == "CreateStmt":
            created = TableName.from_range_var(node["relation"])
            for element in node.get("tableElts", []):
                kind, body = unwrap(element)
                if kind == "ColumnDef" and "typeName" in body:
                    types[(created, body.get("colname", ""))] = body["typeName"]
        elif statement.kind == "AlterTableStmt" and node.get("objtype") == "OBJECT_TABLE":
            _record_alter(types, TableName.from_range_var(node["relation"]), node)
        elif statement.kind == "RenameStmt" and "relation" in node:
            _record_rename(types, TableName.from_range_var(node["relation"]), node)
        elif statement.kind == "DropStmt" and node.get("removeType") == "OBJECT_TABLE":
            dropped = {TableName.from_names(unwrap(o)[1].get("items", [])) for o in node.get("objects", [])}
            types = {key: value for key, value in types.items() if key[0] not in dropped}
    return types.get((table, column))


def _record_alter(types: dict[tuple[TableName, str], Node], table: TableName, node: Node) -> None:
    for cmd in alter_table_commands(node):
        subtype = cmd.get("subtype")
        definition = unwrap(cmd["def"])[1] if cmd.get("def") else {}
        if subtype == "AT_AddColumn" and "typeName" in definition:
            types[(table, definition.get("colname", ""))] = definition["typeName"]
        elif subtype == "AT_AlterColumnType" and "typeName" in definition:
            types[(table, cmd.get("name", ""))] = definition["typeName"]
        elif subtype == "AT_DropColumn":
            types.pop((table, cmd.get("name", "")), None)


def _record_rename(types: dict[tuple[TableName, str], Node], table: TableName, node: Node) -> None:
    new_name = node.get("newname", "")
    if node.get("renameType") == "OBJECT_COLUMN":
        old = types.pop((table, node.get("subname", "")), None)
        if old is not None:
            types[(table, new_name)] = old
    elif node.get("renameType") == "OBJECT_TABLE":
        renamed = TableName(table.schema, new_name)
        for (owner, column), value in list(types.items()):
            if owner == table:
                del types[(owner, column)]
                types[(renamed, column)] = value


def alter_type_rewrites(statements: Iterable[Statement], table: TableName, cmd: Node) -> bool:
    """Whether an ALTER COLUMN TYPE subcommand rewrites `table`, as far as the earlier
    `statements` tell: yes unless the column's old type is known and the change is rewrite-free."""
    column = str(cmd.get("name", ""))
    column_def = unwrap(cmd["def"])[1] if cmd.get("def") else {}
    new = column_def.get("typeName", {})
    old = column_type_before(statements, table, column)
    if old is None:
        return True
    return not (type_change(old, new).rewrite_free and is_plain_using(column_def.get("raw_default"), column, new))
