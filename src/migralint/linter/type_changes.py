"""Which column type changes PostgreSQL makes without rewriting the table.

ALTER COLUMN TYPE rewrites the table and rebuilds its indexes unless the old values are
already valid values of the new type: the cast is binary-coercible (varchar -> text,
cidr -> inet) or a length coercion that the type's support function proves to be a no-op
(varchar(n) -> varchar(m >= n), numeric(p, s) -> numeric(q >= p, s), timestamp(3) ->
timestamp(6)). Each case here was checked against PostgreSQL 15 by comparing the table's and
its index's relfilenode before and after the ALTER.
"""

from __future__ import annotations

from typing import NamedTuple

from migralint.sql.postgres.sqltext import type_sql
from migralint.sql.postgres.nodes import Node, string_value, unwrap

_LENGTH_LIMITED = ("varchar", "varbit")  # a larger limit, or none, is rewrite-free
_TEMPORAL = ("timestamp", "timestamptz", "time", "timetz")  # a larger precision, or none, too
_MAX_TEMPORAL_PRECISION = 6


class ColumnType(NamedTuple):
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


class TypeChange(NamedTuple):
    rewrite_free: bool
    reason: str  # why, in a few words, for messages
    rebuilds_indexes: bool = False  # no rewrite, but the column's indexes are built again
    utc_only: bool = False  # rewrite-free only in a session whose TimeZone is UTC (PostgreSQL 12+)


def type_change(old: Node, new: Node, *, utc_session: bool = False, pg_version: int = 15) -> TypeChange:
    """Whether changing a column from TypeName `old` to TypeName `new` (without USING) skips the rewrite.

    `utc_session`: the migration set the session TimeZone to UTC, which makes timestamp and
    timestamptz binary-compatible (PostgreSQL 12+).
    """
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
    elif {old_name, new_name} == {"timestamp", "timestamptz"} and utc_session and pg_version >= 12:
        old_precision = old_mods[0] if old_mods else _MAX_TEMPORAL_PRECISION
        if not new_mods or new_mods[0] >= old_precision:
            return TypeChange(True, f"{label} in a UTC session keeps the stored values", rebuilds_indexes=True)
    elif new_name == "citext" and old_name in ("text", "varchar"):
        return TypeChange(True, f"{label} is binary-coercible", rebuilds_indexes=True)
    elif old_name == "timestamp" and new_name == "timestamptz":
        return TypeChange(
            False,
            f"{label} skips the rewrite only on PostgreSQL 12+ with the session TimeZone set to UTC, "
            "and the column's indexes are rebuilt either way",
            utc_only=pg_version >= 12,
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
        # text becomes an unlimited varchar in place; a limit means checking every value's length
        if mods:
            return f"{after.name}(n) with n <= {mods[0]}"
        return f"{after.name}(n)" + (" or text" if after.name == "varchar" else "")
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


def alter_type_rewrites(old: Node | None, cmd: Node) -> bool:
    """Whether an ALTER COLUMN TYPE subcommand rewrites the table, given the column's current
    type `old` (None when unknown): yes unless the change is known to be rewrite-free."""
    column = str(cmd.get("name", ""))
    column_def = unwrap(cmd["def"])[1] if cmd.get("def") else {}
    new = column_def.get("typeName", {})
    if old is None:
        return True
    return not (type_change(old, new).rewrite_free and is_plain_using(column_def.get("raw_default"), column, new))
