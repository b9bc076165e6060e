"""A libpg_query Constraint as the statement model's AddConstraint, with what PostgreSQL makes of
it that the statement does not spell: the name it gets when none is written, the columns a
table's CHECK reads, whether it builds an index of its own.
"""

from __future__ import annotations

from migralint.sql import ir
from migralint.sql.ir import TableName
from migralint.sql.postgres.names import default_constraint_name
from migralint.sql.postgres.nodes import Node, string_value, walk
from migralint.sql.postgres.nodes import TableName as PgTableName

CONSTRAINT_KINDS = {
    "CONSTR_PRIMARY": ir.ConstraintKind.PRIMARY_KEY,
    "CONSTR_UNIQUE": ir.ConstraintKind.UNIQUE,
    "CONSTR_FOREIGN": ir.ConstraintKind.FOREIGN_KEY,
    "CONSTR_CHECK": ir.ConstraintKind.CHECK,
    "CONSTR_EXCLUSION": ir.ConstraintKind.EXCLUSION,
}
# The label of PostgreSQL's name for an unnamed constraint (ChooseConstraintName's callers).
_DEFAULT_NAME_LABELS = {
    ir.ConstraintKind.CHECK: "check", ir.ConstraintKind.FOREIGN_KEY: "fkey", ir.ConstraintKind.UNIQUE: "key",
    ir.ConstraintKind.EXCLUSION: "excl", ir.ConstraintKind.NOT_NULL: "not_null",
}
# A column's own constraints that the schema keeps (its NOT NULL and DEFAULT are the column's).
_COLUMN_KEYS = frozenset({"CONSTR_CHECK", "CONSTR_FOREIGN", "CONSTR_UNIQUE", "CONSTR_PRIMARY"})


def _table_of(range_var: Node) -> TableName:
    return TableName(*PgTableName.from_range_var(range_var))


def constraint(table: TableName, node: Node, columns: tuple[str, ...]) -> ir.AddConstraint:
    """`columns`: the column whose definition holds it, for a column's own constraint."""
    keys = tuple(string_value(k) for k in node.get("keys", []) or node.get("fk_attrs", []))
    kind = ir.ConstraintKind.NOT_NULL if node["contype"] == "CONSTR_NOTNULL" else CONSTRAINT_KINDS[node["contype"]]
    columns = keys or columns
    expression = node.get("raw_expr")
    if kind is ir.ConstraintKind.CHECK and not columns:  # a table's CHECK: the columns it reads
        columns = tuple(sorted({_column_ref_name(ref) for _, ref in walk(expression) if "fields" in ref} - {""}))
    return ir.AddConstraint(
        table=table,
        kind=kind,
        name=node.get("conname") or None,
        columns=columns,
        validated=not node.get("skip_validation"),
        references=_table_of(node["pktable"]) if "pktable" in node else None,
        referenced_columns=tuple(string_value(k) for k in node.get("pk_attrs", ())),
        default_name="" if node.get("conname") else _default_constraint_name(table, columns, kind),
        makes_index=kind in (ir.ConstraintKind.PRIMARY_KEY, ir.ConstraintKind.UNIQUE) and not node.get("indexname"),
        raw_expression=expression,
    )


def _default_constraint_name(table: TableName, columns: tuple[str, ...], kind: ir.ConstraintKind) -> str:
    """The name PostgreSQL gives it; a CHECK is named after its first column only."""
    pg_table = PgTableName(*table)
    if kind is ir.ConstraintKind.PRIMARY_KEY:
        return default_constraint_name(pg_table, [], "pkey")
    named_after = columns[:1] if kind is ir.ConstraintKind.CHECK else columns
    return default_constraint_name(pg_table, list(named_after), _DEFAULT_NAME_LABELS[kind])


def _column_ref_name(column_ref: Node) -> str:
    fields = [f for f in column_ref.get("fields", ()) if "String" in f]
    return string_value(fields[-1]) if fields else ""


def column_constraint_events(table: TableName, column: str, constraints: list[Node]) -> list[ir.AddConstraint]:
    """The constraints of a column's definition (`constraints`: its Constraint nodes,
    unwrapped) that the schema keeps."""
    return [constraint(table, c, (column,)) for c in constraints if c.get("contype") in _COLUMN_KEYS]


def is_table_constraint(body: Node) -> bool:
    """A CREATE TABLE's Constraint element that the schema keeps."""
    contype = body.get("contype")
    return contype in CONSTRAINT_KINDS or contype == "CONSTR_NOTNULL"
