"""PostgreSQL's default names for constraints and indexes, as the statement model (the name an
unnamed constraint or index gets), the catalog and the rules' help write them.
"""

from __future__ import annotations

from migralint.sql.postgres.nodes import TableName

# NAMEDATALEN - 1: the longest identifier PostgreSQL keeps, in bytes.
_MAX_NAME_BYTES = 63


def _clip(name: str, max_bytes: int) -> str:
    """The longest prefix of `name` that fits `max_bytes` of UTF-8 without splitting a character."""
    return name.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")


def object_name(name1: str, name2: str, label: str) -> str:
    """PostgreSQL's makeObjectName: `name1_name2_label`, the two names shortened to fit 63 bytes.

    PostgreSQL adds a number when the name is taken; that cannot be known here.
    """
    overhead = len(label) + 1 + (1 if name2 else 0)
    available = _MAX_NAME_BYTES - overhead
    chars1, chars2 = len(name1.encode("utf-8")), len(name2.encode("utf-8"))
    while chars1 + chars2 > available:
        if chars1 > chars2:
            chars1 -= 1
        else:
            chars2 -= 1
    parts = [_clip(name1, chars1)] + ([_clip(name2, chars2)] if name2 else []) + [label]
    return "_".join(parts)


def default_constraint_name(table: TableName, columns: list[str], label: str) -> str:
    """The name PostgreSQL gives an unnamed constraint: label is fkey, key, pkey or check."""
    return object_name(table.name, "_".join(columns), label)
