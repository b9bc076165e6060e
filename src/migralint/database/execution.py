"""How `apply` runs one migration file: its statements, and whether they share one transaction.

A file runs in one transaction, unless it holds a statement PostgreSQL refuses inside one
(CONCURRENTLY, VACUUM, ALTER SYSTEM, ...) or its runner was told not to use one (Flyway's
`executeInTransaction=false`): then it runs statement by statement, each committed on its own.
Either way each statement is sent as the file spells it (its original text), so that an error
points at a line of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from migralint.linter.concurrently import reindex_is_concurrent
from migralint.sql.postgres.locks import statement_locks
from migralint.sql.postgres.nodes import Node, alter_table_commands, quote_ident
from migralint.linter.parse import parse_source
from migralint.migrations.layouts import RunnerMode
from migralint.migrations.layouts import Layout, MigrationFile
from migralint.source import LineIndex


class Mode(str, Enum):
    TRANSACTION = "one transaction"
    STATEMENTS = "statement by statement"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of the file, as it is sent."""

    number: int  # 1-based, in the file
    text: str
    start: int  # character offset in the file
    line: int
    kind: str  # the statement's node type
    outside_transaction: str | None  # what PostgreSQL refuses inside a transaction, or None
    node: Node = field(compare=False, repr=False)

    def relations(self) -> list[str]:
        """The tables the statement names, as SQL for to_regclass: the ones it locks first."""
        names = [table.sql() for table in (taken.table for taken in statement_locks(self.kind, self.node))]
        for relation in _relations(self.node):
            schema = relation.get("schemaname")
            name = quote_ident(relation["relname"])
            names.append(f"{quote_ident(schema)}.{name}" if schema else name)
        return list(dict.fromkeys(names))

    @property
    def summary(self) -> str:
        """The statement's first line, shortened: for progress lines."""
        first = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return first if len(first) <= 72 else first[:69] + "..."


@dataclass(frozen=True, slots=True)
class FilePlan:
    """How apply runs one migration file: its bytes (for the checksum), its steps, and in one
    transaction or statement by statement."""

    migration: MigrationFile
    data: bytes  # the file's bytes: their SHA-256 is the checksum recorded
    index: LineIndex  # the file's text, for lines of error positions
    steps: tuple[Step, ...]
    mode: Mode
    why: str  # why statement by statement ("" in one transaction)
    syntax_error: str | None = None

    @property
    def name(self) -> str:
        return self.migration.name

    def line_of(self, step: Step, position: int | None) -> int:
        """The line of a 1-based character position in the step's text (PostgreSQL's error position)."""
        if not position or position < 1:
            return step.line
        return self.index.position(step.start + min(position - 1, len(step.text)))[0]


def plan_file(migration: MigrationFile, data: bytes, server_version: int) -> FilePlan:
    """The plan for a file whose bytes are `data`, on a server of `server_version` (e.g. 160002)."""
    text = data.decode("utf-8-sig")
    parsed = parse_source(text)
    sections = [s for s in migration.sections(text) if not s.rollback]
    steps: list[Step] = []
    for statement in parsed.statements:
        if not any(section.start <= statement.start < section.end for section in sections):
            continue  # dbmate's -- migrate:down section is not run
        steps.append(Step(
            len(steps) + 1,
            text[statement.start:statement.end],
            statement.start,
            parsed.index.position(statement.start)[0],
            statement.kind,
            refuses_transaction(statement.kind, statement.node, server_version),
            statement.node,
        ))
    outside = next((step for step in steps if step.outside_transaction), None)
    if outside is not None:
        mode, why = Mode.STATEMENTS, f"{outside.outside_transaction} (line {outside.line}) cannot run inside a transaction"
    elif migration.runner is RunnerMode.AUTOCOMMIT and migration.layout is not Layout.PLAIN:
        mode, why = Mode.STATEMENTS, f"{migration.layout} is told to run it outside a transaction"
    else:
        mode, why = Mode.TRANSACTION, ""
    error = parsed.syntax_error.message if parsed.syntax_error else None
    return FilePlan(migration, data, parsed.index, tuple(steps), mode, why, error)


def refuses_transaction(kind: str, node: Node, server_version: int) -> str | None:
    """What PostgreSQL refuses to run inside a transaction block, or None."""
    if kind == "IndexStmt" and node.get("concurrent"):
        return "CREATE INDEX CONCURRENTLY"
    if kind == "DropStmt" and node.get("concurrent"):
        return "DROP INDEX CONCURRENTLY"
    if kind == "ReindexStmt":
        if reindex_is_concurrent(node):
            return "REINDEX CONCURRENTLY"
        if node.get("kind") in ("REINDEX_OBJECT_SYSTEM", "REINDEX_OBJECT_DATABASE"):
            return "REINDEX " + str(node["kind"]).rsplit("_", 1)[-1]
    if kind == "AlterTableStmt" and any(
        cmd.get("subtype") == "AT_DetachPartition" and cmd.get("def", {}).get("PartitionCmd", {}).get("concurrent")
        for cmd in alter_table_commands(node)
    ):
        return "DETACH PARTITION CONCURRENTLY"
    if kind == "VacuumStmt" and node.get("is_vacuumcmd"):
        return "VACUUM"
    if kind == "AlterEnumStmt" and not node.get("oldVal") and server_version < 120000:
        return "ALTER TYPE ... ADD VALUE before PostgreSQL 12"
    if kind == "ClusterStmt" and "relation" not in node:
        return "CLUSTER of every table"
    return _ALWAYS_OUTSIDE.get(kind)


_ALWAYS_OUTSIDE = {
    "AlterSystemStmt": "ALTER SYSTEM",
    "CreatedbStmt": "CREATE DATABASE",
    "DropdbStmt": "DROP DATABASE",
    "CreateTableSpaceStmt": "CREATE TABLESPACE",
    "DropTableSpaceStmt": "DROP TABLESPACE",
    "CreateSubscriptionStmt": "CREATE SUBSCRIPTION",
    "DropSubscriptionStmt": "DROP SUBSCRIPTION",
}


def _relations(node: Any) -> Iterator[Node]:
    """Every RangeVar below `node` (libpg_query writes a RangeVar field without its type name)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("relname"), str):
                yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
