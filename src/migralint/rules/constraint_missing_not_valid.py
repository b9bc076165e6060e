from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.linter.constraint_sql import (
    AddedConstraint,
    added_constraints,
    alter_table_prefix,
    clause_text,
    column_without_constraint,
    constraint_name,
)
from migralint.findings import Finding, Severity
from migralint.linter.file_schema import altered_table
from migralint.sql.postgres.locks import Lock, alter_table_command_lock
from migralint.sql.postgres.nodes import Node, TableName, alter_table_commands, quote_ident, subcommands
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_CHECK = frozenset({"CONSTR_CHECK"})
_VALIDATABLE = frozenset({"CONSTR_CHECK", "CONSTR_FOREIGN"})
_VALIDATE_LATER = (
    "-- in a migration of its own (VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):\n"
)


class ConstraintMissingNotValid(Rule):
    name = "constraint-missing-not-valid"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    nodes = ("AlterTableStmt",)
    subcommands = ("AT_AddConstraint:CONSTR_CHECK", "AT_AddColumn", "AT_ValidateConstraint")
    summary = "A CHECK constraint added without NOT VALID, or validated in the transaction that added it, locks the table while every row is checked."
    why = (
        "Adding a CHECK constraint to a table that holds rows takes ACCESS EXCLUSIVE and scans "
        "the whole table to check every row: every query on it, reads included, waits until the "
        "scan ends. Adding it NOT VALID skips the scan, and VALIDATE CONSTRAINT then checks the "
        "rows under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. But only if "
        "VALIDATE runs in a later transaction: in the transaction that added the constraint "
        "(a Prisma migration is one), the ADD's lock (ACCESS EXCLUSIVE, or SHARE ROW EXCLUSIVE "
        "for a foreign key) is still held while VALIDATE scans, and NOT VALID gains nothing. "
        "Tables created earlier in the same file are not flagged. Foreign keys added without "
        "NOT VALID are adding-foreign-key-constraint's."
    )
    bad = 'ALTER TABLE "Product" ADD CONSTRAINT "Product_price_check" CHECK ("price" >= 0);'
    good = (
        'ALTER TABLE "Product" ADD CONSTRAINT "Product_price_check" CHECK ("price" >= 0) NOT VALID;\n'
        "-- then, in a migration of its own:\n"
        'ALTER TABLE "Product" VALIDATE CONSTRAINT "Product_price_check";'
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT",
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        table = ctx.altered_existing_table(statement)
        if table is None:
            return ()
        return self._on_existing(statement, ctx, table)

    def _on_existing(self, statement: Statement, ctx: Context, table: TableName) -> Iterator[Finding]:
        node = statement.node
        for added in added_constraints(node, _CHECK):
            if added.constraint.get("skip_validation"):
                continue
            yield ctx.finding(
                self,
                f'ADD CHECK takes {Lock.ACCESS_EXCLUSIVE.sql_name} on "{table}" and scans it to validate '
                f"every row: {Lock.ACCESS_EXCLUSIVE.blocks} until the scan ends.",
                help=_not_valid_help(ctx, node, table, added),
                span=ctx.subcommand_span(added.number),
            )
        for number, cmd in subcommands(node, "AT_ValidateConstraint"):
            constraint = str(cmd.get("name", ""))
            lock = _lock_held_by_add(ctx, statement, number, table, constraint)
            if lock is None:
                continue
            name = quote_ident(constraint)
            yield ctx.finding(
                self,
                f'VALIDATE CONSTRAINT "{constraint}" runs in the transaction that added it NOT VALID: the '
                f'{lock.sql_name} lock that ADD took on "{table}" is still held while VALIDATE scans '
                f"it, so {lock.blocks} until the scan ends.",
                help=(
                    "Validate the constraint in a migration of its own, after the one that adds it "
                    "NOT VALID has committed.\n"
                    f"{_VALIDATE_LATER}ALTER TABLE {table.sql()} VALIDATE CONSTRAINT {name};"
                ),
                span=ctx.subcommand_span(number),
            )


def _not_valid_help(ctx: Context, node: Node, table: TableName, added: AddedConstraint) -> str:
    prefix = alter_table_prefix(node)
    name = quote_ident(constraint_name(table, added))
    if added.column is not None:
        # A column constraint cannot be NOT VALID: add the column, then the constraint.
        steps = (
            f"{prefix} {column_without_constraint(ctx, added)};\n"
            f"{prefix} ADD CONSTRAINT {name} {clause_text(ctx, added, with_name=False)} NOT VALID;\n"
        )
    elif added.constraint.get("conname"):
        steps = f"{prefix} ADD {clause_text(ctx, added)} NOT VALID;\n"
    else:
        steps = f"{prefix} ADD CONSTRAINT {name} {clause_text(ctx, added)} NOT VALID;\n"
    return (
        "Add the constraint NOT VALID, which skips the scan, and validate it in a later migration, "
        "which lets reads and writes go on.\n"
        f"{steps}{_VALIDATE_LATER}ALTER TABLE {table.sql()} VALIDATE CONSTRAINT {name};"
    )


def _lock_held_by_add(
    ctx: Context, statement: Statement, number: int, table: TableName, name: str
) -> Lock | None:
    """The lock still held from the ADD ... NOT VALID of constraint `name`, when that ADD ran in
    the current transaction (the same statement, or an earlier one in the same block)."""
    commands = alter_table_commands(statement.node)
    if _adds_not_valid(commands[:number], name):
        return max(alter_table_command_lock(c) for c in commands)
    for earlier in reversed(ctx.earlier):
        if altered_table(earlier) != table:
            continue
        earlier_commands = alter_table_commands(earlier.node)
        if _adds_not_valid(earlier_commands, name):
            if not ctx.same_transaction(earlier):
                return None
            return max(alter_table_command_lock(c) for c in earlier_commands)
    return None


def _adds_not_valid(commands: list[Node], name: str) -> bool:
    for cmd in commands:
        if cmd.get("subtype") != "AT_AddConstraint" or not cmd.get("def"):
            continue
        constraint = cmd["def"].get("Constraint", {})
        if (
            constraint.get("conname") == name
            and constraint.get("contype") in _VALIDATABLE
            and constraint.get("skip_validation")
        ):
            return True
    return False
