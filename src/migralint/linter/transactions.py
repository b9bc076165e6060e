"""Which transaction each statement of a file runs in, given how the runner sends the file."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from migralint.linter.parse import Statement
from migralint.migrations.layouts import RunnerMode


class BlockOrigin(str, Enum):
    RUNNER = "the runner's transaction"
    IMPLICIT = "the implicit transaction of a multi-statement query"
    EXPLICIT = "an explicit BEGIN"


class TransactionBlock(NamedTuple):
    id: int
    origin: BlockOrigin


class TransactionEvent(NamedTuple):
    """Something about transaction control that a rule may want to report."""

    statement: int
    # "nested-begin", "commit-without-transaction", "uncommitted-begin", or
    # "commit-ends-runner-transaction": a COMMIT or ROLLBACK with no BEGIN that ends the runner's
    # transaction or the implicit transaction of a multi-statement query early.
    kind: str


_BEGIN = frozenset({"TRANS_STMT_BEGIN", "TRANS_STMT_START"})
_END = frozenset({"TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE"})


def transaction_blocks(
    statements: tuple[Statement, ...], mode: RunnerMode
) -> tuple[list[TransactionBlock | None], list[TransactionEvent]]:
    """For each statement, the transaction block it runs in (None: autocommit)."""
    implicit = mode is RunnerMode.SINGLE_QUERY and len(statements) > 1
    next_id = 0

    def new_block(origin: BlockOrigin) -> TransactionBlock:
        nonlocal next_id
        next_id += 1
        return TransactionBlock(next_id, origin)

    current: TransactionBlock | None = None
    if mode is RunnerMode.TRANSACTION:
        current = new_block(BlockOrigin.RUNNER)
    elif implicit:
        current = new_block(BlockOrigin.IMPLICIT)
    explicit_open: int | None = None
    blocks: list[TransactionBlock | None] = []
    events: list[TransactionEvent] = []
    for stmt in statements:
        kind = stmt.node.get("kind") if stmt.kind == "TransactionStmt" else None
        if kind in _BEGIN:
            if explicit_open is not None or (current is not None and current.origin is BlockOrigin.RUNNER):
                events.append(TransactionEvent(stmt.index, "nested-begin"))
            if current is None:
                current = new_block(BlockOrigin.EXPLICIT)
            elif current.origin is BlockOrigin.IMPLICIT:
                # BEGIN inside a multi-statement query turns the implicit block explicit.
                current = TransactionBlock(current.id, BlockOrigin.EXPLICIT)
            explicit_open = stmt.index
            blocks.append(current)
        elif kind in _END:
            if current is None:
                events.append(TransactionEvent(stmt.index, "commit-without-transaction"))
            elif explicit_open is None and current.origin is not BlockOrigin.EXPLICIT:
                events.append(TransactionEvent(stmt.index, "commit-ends-runner-transaction"))
            blocks.append(current)
            explicit_open = None
            current = new_block(BlockOrigin.IMPLICIT) if implicit else None
        else:
            blocks.append(current)
    if explicit_open is not None:
        events.append(TransactionEvent(explicit_open, "uncommitted-begin"))
    return blocks, events
