from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import own_migration_note
from migralint.linter.enum_uses import LiteralUse, enum_literal_uses
from migralint.sql.postgres.nodes import TableName, walk
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


# Statements that can use a constant as an enum value (as a DEFAULT, in a WHERE, a cast...).
_USERS = (
    "UpdateStmt", "InsertStmt", "DeleteStmt", "SelectStmt", "MergeStmt", "AlterTableStmt", "CreateStmt",
    "IndexStmt", "ViewStmt", "CreateTableAsStmt", "CreateTrigStmt", "CreatePolicyStmt", "AlterPolicyStmt",
    "RuleStmt", "AlterDomainStmt", "CreateDomainStmt",
)


class EnumValueUsedInSameTransaction(Rule):
    name = "enum-value-used-in-same-transaction"
    severity = Severity.ERROR
    nodes = ("AlterEnumStmt", "CreateEnumStmt", *_USERS)
    summary = "A value added with ALTER TYPE ... ADD VALUE is used before its transaction commits: the migration fails."
    why = (
        "PostgreSQL refuses to use an enum value added by ALTER TYPE ... ADD VALUE until the transaction "
        "that added it commits: a DEFAULT, a comparison, a cast or an INSERT of the new value fails with "
        "\"unsafe use of new value\" (55P04), and the migration with it. A migration that runs in one "
        "transaction (a runner's, an explicit BEGIN, or the implicit transaction of a file that Prisma "
        "sends as one query) must not add a value and use it. Before PostgreSQL 12, ADD VALUE cannot "
        "run inside a transaction block at all. An enum type created in the same transaction is not "
        "flagged: PostgreSQL allows both there."
    )
    bad = (
        "BEGIN;\n"
        "ALTER TYPE \"Role\" ADD VALUE 'OWNER';\n"
        'ALTER TABLE "User" ALTER COLUMN "role" SET DEFAULT \'OWNER\';\n'
        "COMMIT;"
    )
    good = (
        "-- one migration:\nALTER TYPE \"Role\" ADD VALUE 'OWNER';\n"
        "-- the next migration:\n"
        'ALTER TABLE "User" ALTER COLUMN "role" SET DEFAULT \'OWNER\';'
    )
    options = "`pg_version`: before 12, any ADD VALUE inside a transaction block is flagged."
    references = (
        "https://www.postgresql.org/docs/current/sql-altertype.html#SQL-ALTERTYPE-NOTES",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        block = ctx.block
        if block is None:
            return ()
        # What the file did so far, gathered statement by statement so that the rule stays
        # linear in the number of statements (a file of thousands of ADD VALUEs and UPDATEs).
        state = ctx.state(_Gathered)
        created, unused = state.created, state.unused
        if state.block != block.id:
            # Transaction blocks are contiguous: an added value of an earlier block is committed.
            unused.clear()
            state.block = block.id
        if statement.kind == "CreateEnumStmt":
            created.add((block.id, TableName.from_names(statement.node.get("typeName", []))))
            return ()
        if statement.kind == "AlterEnumStmt":
            added = _added_value(statement)
            if added is None or (block.id, added[0]) in created:
                return ()
            state.added += 1
            unused.setdefault(added[1], []).append(_Added(statement, state.added, *added))
            if ctx.pg_version < 12:
                sql = ctx.parsed.text[statement.start : statement.end]
                return (ctx.finding(
                    self,
                    "ALTER TYPE ... ADD VALUE cannot run inside a transaction block before PostgreSQL 12, and "
                    "this one runs in one: the migration fails.",
                    help=(
                        "Add the value in a migration of its own, outside a transaction.\n"
                        f"{own_migration_note(ctx.runner)}\n{sql};"
                    ),
                ),)
            return ()
        if not unused:
            return ()
        return self._uses(statement, ctx, unused)

    def _uses(self, statement: Statement, ctx: Context, unused: dict[str, list[_Added]]) -> Iterator[Finding]:
        constants = _string_constants(statement)
        candidates = sorted((a for value in constants if value in unused for a in unused[value]), key=lambda a: a.order)
        for candidate in candidates:
            uses = enum_literal_uses(statement, candidate.value, candidate.enum, ctx.catalog)
            if uses:
                # Only the first use is reported: it is where the migration fails.
                unused[candidate.value].remove(candidate)
                if not unused[candidate.value]:
                    del unused[candidate.value]
                yield _finding(self, ctx, candidate.statement, candidate.enum, candidate.value,
                               min(uses, key=lambda u: (not u.certain, u.location)))


class _Added(NamedTuple):
    """An enum value added in a transaction and not used yet."""

    statement: Statement
    order: int  # the how-manieth ADD VALUE of the file section
    enum: TableName
    value: str


# A plain class, not a dataclass: see section_state.py.
class _Gathered:
    """What the section did so far, as the rule walks it."""

    __slots__ = ("created", "unused", "block", "added")

    def __init__(self) -> None:
        self.created: set[tuple[int, TableName]] = set()  # (block id, enum) created in that block
        # value -> the ADD VALUEs of it not used yet, by value: a statement looks up its own
        # string constants, not every value added so far (8,000 ADD VALUEs made it quadratic).
        self.unused: dict[str, list[_Added]] = {}
        self.block: int | None = None  # the transaction block `unused` belongs to
        self.added = 0  # ADD VALUEs seen so far


def _string_constants(statement: Statement) -> set[str]:
    return {str(body["sval"].get("sval")) for kind, body in walk(statement.node) if kind == "A_Const" and "sval" in body}


def _finding(rule: Rule, ctx: Context, added_by: Statement, enum: TableName, value: str, use: LiteralUse) -> Finding:
    line = ctx.parsed.index.position(added_by.start)[0]
    literal = "'" + value.replace("'", "''") + "'"
    refusal = (
        "PostgreSQL refuses to use a new enum value before the transaction that added it commits "
        '("unsafe use of new value")'
    )
    if use.certain:
        message = (
            f'{literal} was added to enum "{enum}" on line {line}, in the same transaction: {refusal}, so this '
            "statement fails and the migration with it."
        )
    else:
        message = (
            f'{literal}, added to enum "{enum}" on line {line} in the same transaction, is used here: if it is '
            f'read as a "{enum}" value, {refusal}, and the migration fails.'
        )
    sql = ctx.parsed.text[added_by.start : added_by.end]
    return ctx.finding(
        rule,
        message,
        help=(
            "Add the value in a migration of its own, so that it is committed before this one uses it.\n"
            f"-- a migration of its own, before this one (and delete it here):\n{sql};"
        ),
        location=use.location,
    )


def _added_value(statement: Statement) -> tuple[TableName, str] | None:
    node = statement.node
    if statement.kind != "AlterEnumStmt" or not node.get("newVal") or node.get("oldVal"):
        return None
    return TableName.from_names(node.get("typeName", [])), str(node["newVal"])
