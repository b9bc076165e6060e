"""Names and column definitions out of sqlglot's MySQL nodes, in the model's words."""

from __future__ import annotations

from sqlglot import exp

from migralint.sql import ir

# Defaults MySQL evaluates once per row (an expression default in parentheses, MySQL 8.0.13+);
# CURRENT_TIMESTAMP fills every existing row with the one moment of the ALTER.
_VOLATILE = ("UUID", "RAND", "UUID_SHORT", "SYSDATE")


def identifier(node: object) -> str:
    """A name as the database stores it: quotes removed, case kept (MySQL table names are
    case-sensitive on Linux, lower_case_table_names=0)."""
    if node is None:
        return ""
    if isinstance(node, exp.Expression):
        return node.name
    return str(node)


def table_name(node: exp.Expression | None) -> ir.TableName:
    """A table; the schema is "" for the connection's database."""
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table):
        return ir.TableName(node.db, node.name)
    return ir.TableName("", identifier(node))


def type_text(definition: exp.ColumnDef) -> str:
    kind = definition.args.get("kind")
    return kind.sql(dialect="mysql").lower() if isinstance(kind, exp.Expression) else ""


def column_of(definition: exp.ColumnDef) -> ir.Column:
    not_null = False
    default = ir.Default.NONE
    stored = False
    for constraint in definition.args.get("constraints") or []:
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.NotNullColumnConstraint):
            not_null = not kind.args.get("allow_null")
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            not_null = True
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default = _default_kind(kind.this)
        elif isinstance(kind, exp.AutoIncrementColumnConstraint):
            default = ir.Default.SEQUENCE
        elif isinstance(kind, exp.ComputedColumnConstraint):
            stored = bool(kind.args.get("persisted"))
    return ir.Column(identifier(definition.this), type_text(definition), not_null, default, stored)


def _default_kind(value: exp.Expression | None) -> ir.Default:
    if value is None or isinstance(value, exp.Null):
        return ir.Default.NONE
    calls = {node.sql_name().upper() for node in value.find_all(exp.Func)} | {
        node.name.upper() for node in value.find_all(exp.Anonymous)
    }
    return ir.Default.VOLATILE if calls & set(_VOLATILE) else ir.Default.CONSTANT
