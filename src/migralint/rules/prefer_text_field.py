from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.column_types import (
    DeclaredType,
    declared_types,
    type_span,
    type_text,
    with_type,
    written_typmods,
)
from migralint.findings import Finding, Severity
from migralint.linter.constraint_sql import alter_table_prefix
from migralint.linter.constraint_names import default_constraint_name
from migralint.sql.postgres.nodes import quote_ident
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class PreferTextField(Rule):
    name = "prefer-text-field"
    severity = Severity.WARNING
    default_enabled = False
    nodes = ("CreateStmt", "AlterTableStmt")
    summary = "varchar(n) makes every change of its limit an ALTER COLUMN TYPE; use text with a CHECK constraint."
    why = (
        "The limit of a varchar(n) column can only be changed with ALTER COLUMN TYPE, which takes "
        "ACCESS EXCLUSIVE on the table: raising the limit needs no rewrite (PostgreSQL 9.2+), but "
        "the lock still waits behind every running query on the table and blocks every query "
        "queued after it, reads included; lowering it rewrites the table. A limit kept as a CHECK "
        "constraint on a text column is changed by adding another one NOT VALID and validating it "
        "under SHARE UPDATE EXCLUSIVE, while reads and writes go on. text and varchar are stored "
        "alike. varchar without a limit is text by another name and is not flagged. Flagged in "
        "CREATE TABLE, ADD COLUMN and ALTER COLUMN TYPE, on new tables too: this is about the "
        "schema's design, not about the lock of the statement itself."
    )
    bad = 'CREATE TABLE "User" ("id" TEXT NOT NULL, "name" VARCHAR(100) NOT NULL);'
    good = (
        'CREATE TABLE "User" ("id" TEXT NOT NULL, "name" TEXT NOT NULL CHECK (char_length("name") <= 100));\n'
        "-- varchar without a limit is text:\n"
        'ALTER TABLE "User" ADD COLUMN "bio" VARCHAR;'
    )
    references = (
        "https://www.postgresql.org/docs/current/datatype-character.html",
        "https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_varchar.28n.29_by_default",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        for declared in declared_types(statement):
            limit = written_typmods(declared.type_node)
            if declared.builtin != "varchar" or not limit:
                continue
            yield ctx.finding(
                self,
                f'Column "{declared.column}" of "{declared.table}" is {type_text(ctx, declared)}: changing '
                f'the limit later takes ACCESS EXCLUSIVE on "{declared.table}" (ALTER COLUMN TYPE).',
                help=_help(ctx, declared, limit[0]),
                span=type_span(ctx, declared),
            )


def _help(ctx: Context, declared: DeclaredType, limit: int) -> str:
    if declared.is_array:
        better = "text" + "[]" * len(declared.type_node.get("arrayBounds", []))
        return f"Use {better}; a limit on each element belongs in the code that writes them:\n" + with_type(
            ctx, declared, better
        )
    check = f"CHECK (char_length({quote_ident(declared.column)}) <= {limit})"
    prose = f"Use text, with the {limit}-character limit as a CHECK constraint that can be changed without ALTER COLUMN TYPE:"
    new_table = declared.command is None or ctx.is_new_table(declared.table)
    if new_table and not declared.alters_type:
        return f"{prose}\n{with_type(ctx, declared, 'text ' + check)}"
    prefix = alter_table_prefix(ctx.statement.node)
    constraint = quote_ident(default_constraint_name(declared.table, [declared.column], "check"))
    lines = [prose, with_type(ctx, declared, "text")]
    if new_table:
        lines.append(f"{prefix} ADD CONSTRAINT {constraint} {check};")
    else:
        lines.append(f"{prefix} ADD CONSTRAINT {constraint} {check} NOT VALID;")
        lines.append("-- in a migration of its own (VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):")
        lines.append(f"{prefix} VALIDATE CONSTRAINT {constraint};")
    return "\n".join(lines)
