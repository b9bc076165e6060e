from __future__ import annotations

from migralint.linter.parse import parse_source
from migralint.linter.transactions import BlockOrigin, transaction_blocks
from migralint.migrations.layouts import RunnerMode


def _blocks(sql: str, mode: RunnerMode) -> list[tuple[int, BlockOrigin] | None]:
    blocks, _ = transaction_blocks(parse_source(sql).statements, mode)
    return [(b.id, b.origin) if b else None for b in blocks]


def test_single_statement_query_runs_outside_a_transaction() -> None:
    assert _blocks("CREATE INDEX CONCURRENTLY i ON t (c);", RunnerMode.SINGLE_QUERY) == [None]


def test_multi_statement_query_is_one_implicit_transaction() -> None:
    blocks = _blocks("SELECT 1; SELECT 2;", RunnerMode.SINGLE_QUERY)
    assert blocks == [(1, BlockOrigin.IMPLICIT), (1, BlockOrigin.IMPLICIT)]


def test_autocommit_with_explicit_begin_and_commit() -> None:
    blocks = _blocks("SELECT 1; BEGIN; SELECT 2; COMMIT; SELECT 3;", RunnerMode.AUTOCOMMIT)
    assert blocks == [None, (1, BlockOrigin.EXPLICIT), (1, BlockOrigin.EXPLICIT), (1, BlockOrigin.EXPLICIT), None]


def test_runner_transaction_wraps_everything_and_reports_nested_begin() -> None:
    statements = parse_source("SELECT 1; BEGIN; SELECT 2; COMMIT;").statements
    blocks, events = transaction_blocks(statements, RunnerMode.TRANSACTION)
    assert all(b is not None and b.id == 1 for b in blocks)
    assert [e.kind for e in events] == ["nested-begin"]


def test_uncommitted_begin_and_stray_commit_are_events() -> None:
    _, events = transaction_blocks(parse_source("COMMIT; BEGIN; SELECT 1;").statements, RunnerMode.AUTOCOMMIT)
    assert [e.kind for e in events] == ["commit-without-transaction", "uncommitted-begin"]
