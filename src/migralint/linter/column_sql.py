"""SQL that the help of column rules suggests: the user's column definition and type text cut
out of their statement, the batched backfill, and the scan-free way to SET NOT NULL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from migralint.linter import lazy_parser as pg_parser
from migralint.linter.concurrently import concurrent_step_note
from migralint.linter.constraint_sql import alter_table_prefix, clause_end, column_constraint_end, without_span
from migralint.linter.constraint_names import object_name
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    column_constraints,
    quote_ident,
    string_value,
    unwrap,
)

if TYPE_CHECKING:
    from migralint.linter.catalog import Catalog
    from migralint.linter.context import Context

BATCH_SIZE = 10000

_OPEN = ("ASCII_40", "ASCII_91")
_CLOSE = ("ASCII_41", "ASCII_93")


def column_def_span(ctx: Context, number: int, column_def: Node) -> tuple[int, int]:
    """Character span of an ADD COLUMN's definition (name, type, constraints) in the current statement."""
    start = ctx.node_offset(column_def.get("location"))
    limit = ctx.subcommand_span(number)[1]
    if limit <= start:
        limit = ctx.statement.end
    return start, clause_end(ctx.parsed.text, start, limit)


def column_def_without(ctx: Context, column_def: Node, span: tuple[int, int], contypes: Iterable[str]) -> str:
    """The column definition's text with its constraints of the given types cut out."""
    start, end = span
    removed = frozenset(contypes)
    cuts = []
    for constraint in column_constraints(column_def):
        if constraint.get("contype") in removed and constraint.get("location", -1) >= 0:
            cut_start = ctx.node_offset(constraint["location"])
            cut_end = column_constraint_end(column_def, constraint, ctx.node_offset, end)
            cuts.append((cut_start - start, min(cut_end, end) - start))
    text = ctx.parsed.text[start:end]
    for cut_start, cut_end in sorted(cuts, reverse=True):
        text = without_span(text, cut_start, cut_end)
    return text.strip()


def constraint_text(ctx: Context, column_def: Node, constraint: Node, limit: int) -> str:
    """A column constraint's own clause text, e.g. `DEFAULT gen_random_uuid()`."""
    start = ctx.node_offset(constraint.get("location"))
    end = column_constraint_end(column_def, constraint, ctx.node_offset, limit)
    return ctx.parsed.text[start:min(end, limit)].strip()


def after_keyword(sql: str, keyword: str) -> str | None:
    """The text after the first top-level `keyword` token of `sql` (DEFAULT, USING), or None."""
    for token, depth in _tokens(sql):
        if depth == 0 and token.name in (keyword, keyword + "_P"):
            return sql[token.end + 1 :].strip()
    return None


def until_keyword(sql: str, keywords: Iterable[str]) -> str:
    """The text of `sql` up to its first top-level token among `keywords` (e.g. USING)."""
    stop = set(keywords)
    for token, depth in _tokens(sql):
        if depth == 0 and token.name in stop:
            return sql[: token.start].strip()
    return sql.strip()


def _tokens(sql: str) -> Iterator[tuple[Any, int]]:
    try:
        tokens = pg_parser.scan(sql)
    except pg_parser.ParseError:
        return
    depth = 0
    for token in tokens:
        if token.name in _CLOSE:
            depth -= 1
        yield token, depth
        if token.name in _OPEN:
            depth += 1


def batch_update(table: TableName, column: str, value_sql: str, extra_condition: str = "") -> str:
    """One batch of a backfill: run it again until it updates no row.

    Rows are picked by ctid, so no knowledge of the table's key is needed.
    """
    target, col = table.sql(), quote_ident(column)
    return (
        f"UPDATE {target} SET {col} = {value_sql} WHERE ctid = ANY (ARRAY("
        f"SELECT ctid FROM {target} WHERE {col} IS NULL{extra_condition} LIMIT {BATCH_SIZE}));"
    )


def not_null_check_name(table: TableName, column: str) -> str:
    return object_name(table.name, column, "not_null")


def set_not_null_steps(
    prefix: str, column: str, check_name: str, pg_version: int, *, add_check: bool = True
) -> list[str]:
    """NOT NULL through a CHECK constraint: added NOT VALID (no scan), validated without blocking
    writes in a later transaction, then SET NOT NULL, which PostgreSQL 12+ proves from the check."""
    col, check = quote_ident(column), quote_ident(check_name)
    lines = []
    if add_check:
        lines.append(f"{prefix} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;")
    lines.append(
        "-- in a migration of its own (VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):"
    )
    lines.append(f"{prefix} VALIDATE CONSTRAINT {check};")
    if pg_version < 12:
        # Not suggested as SQL: it is the very scan under ACCESS EXCLUSIVE the check avoids.
        lines.append(
            "-- before PostgreSQL 12 SET NOT NULL still scans the whole table under ACCESS EXCLUSIVE: keep the"
            " validated CHECK constraint instead of NOT NULL, or, at a quiet time:"
        )
        lines.append(f"-- {prefix} ALTER COLUMN {col} SET NOT NULL;")
        return lines
    lines.append("-- PostgreSQL 12+ proves NOT NULL from the validated CHECK constraint and skips the scan:")
    lines.append(f"{prefix} ALTER COLUMN {col} SET NOT NULL;")
    lines.append(f"{prefix} DROP CONSTRAINT {check};")
    return lines


def is_not_null_check(expression: Node, column: str) -> bool:
    """`"column" IS NOT NULL`, alone or as one conjunct of an AND: a check that proves NOT NULL."""
    kind, body = unwrap(expression)
    if kind == "BoolExpr" and body.get("boolop") == "AND_EXPR":
        return any(is_not_null_check(arg, column) for arg in body.get("args", []))
    if kind != "NullTest" or body.get("nulltesttype") != "IS_NOT_NULL":
        return False
    arg_kind, arg = unwrap(body.get("arg", {"": {}}))
    fields = arg.get("fields", []) if arg_kind == "ColumnRef" else []
    return bool(fields) and string_value(fields[-1]) == column


def not_null_checks(catalog: Catalog, table: TableName, column: str) -> dict[str, bool]:
    """The CHECK constraints on `table` that prove `column` NOT NULL, by name, each with whether
    it is validated (added without NOT VALID, or VALIDATEd since), as the history so far left them."""
    return {
        constraint.name: constraint.validated
        for constraint in catalog.constraints_of(table)
        if constraint.kind == "check"
        and constraint.expression is not None
        and is_not_null_check(constraint.expression, column)
    }


def nullable_column_steps(ctx: Context, number: int, column_def: Node, *, default_sql: str | None = None) -> list[str]:
    """The help for an ADD COLUMN (subcommand `number` of the current ALTER TABLE) that cannot be
    added as written: add it nullable and without a default, set the default for new rows,
    backfill the old ones in batches, then NOT NULL and PRIMARY KEY without long locks."""
    node = ctx.statement.node
    prefix = alter_table_prefix(node)
    table = TableName.from_range_var(node["relation"])
    column = str(column_def.get("colname", ""))
    col = quote_ident(column)
    constraints = column_constraints(column_def)
    contypes = {c.get("contype") for c in constraints}
    span = column_def_span(ctx, number, column_def)
    definition = column_def_without(ctx, column_def, span, ("CONSTR_DEFAULT", "CONSTR_NOTNULL", "CONSTR_PRIMARY"))
    if_not_exists = "IF NOT EXISTS " if unwrap(ctx.statement.node["cmds"][number])[1].get("missing_ok") else ""
    lines = [f"{prefix} ADD COLUMN {if_not_exists}{definition};"]
    if default_sql is not None:
        lines.append(f"{prefix} ALTER COLUMN {col} SET DEFAULT {default_sql};")
        lines.append(
            "-- backfill existing rows in batches, each in a transaction of its own (repeat until it updates no row):"
        )
        lines.append(batch_update(table, column, default_sql))
    else:
        lines.append(f"-- once the code writes {col}, backfill existing rows in batches (repeat until it updates no row):")
        lines.append("-- " + batch_update(table, column, "<value>"))
    if contypes & {"CONSTR_NOTNULL", "CONSTR_PRIMARY"}:
        lines.extend(set_not_null_steps(prefix, column, not_null_check_name(table, column), ctx.pg_version))
    primary = next((c for c in constraints if c.get("contype") == "CONSTR_PRIMARY"), None)
    if primary is not None:
        index = quote_ident(primary.get("conname") or object_name(table.name, "", "pkey"))
        lines.append(concurrent_step_note(ctx.runner))
        lines.append(f"CREATE UNIQUE INDEX CONCURRENTLY {index} ON {table.sql()} ({col});")
        lines.append("-- then, in the next migration:")
        lines.append(f"{prefix} ADD CONSTRAINT {index} PRIMARY KEY USING INDEX {index};")
    return lines
