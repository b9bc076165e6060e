"""The parts of `apply` that need no database: durations, .env files, how a file is run."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.errors import UserError
from migralint.database.durations import format_duration, parse_duration
from migralint.database.execution import Mode, plan_file
from migralint.migrations.layouts import classify


@pytest.mark.parametrize(("text", "milliseconds"), [
    ("5s", 5000), ("500ms", 500), ("2min", 120_000), ("1h", 3_600_000), ("0", 0), ("1.5s", 1500), (" 10S ", 10_000),
])
def test_durations(text: str, milliseconds: int) -> None:
    assert parse_duration("--lock-timeout", text) == milliseconds


@pytest.mark.parametrize(("text", "message"), [
    ("5", "--lock-timeout '5' needs a unit: 5s or 5ms?"),
    ("soon", "--lock-timeout 'soon' is not a duration: write it as 5s, 500ms, 2min or 1h (0 for no limit)"),
])
def test_bad_durations(text: str, message: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_duration("--lock-timeout", text)
    assert str(raised.value) == message


def test_durations_are_written_back_in_their_shortest_form() -> None:
    assert [format_duration(ms) for ms in (0, 1500, 5000, 120_000, 3_600_000)] == ["no limit", "1500ms", "5s", "2min", "1h"]


def _plan(tmp_path: Path, name: str, sql: str, server_version: int = 160000) -> tuple[Mode, str, list[int]]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql, encoding="utf-8")
    plan = plan_file(classify(path, sql), path.read_bytes(), server_version)
    return plan.mode, plan.why, [step.line for step in plan.steps]


@pytest.mark.parametrize(("sql", "refused"), [
    ("CREATE INDEX CONCURRENTLY i ON t (c);", "CREATE INDEX CONCURRENTLY"),
    ("DROP INDEX CONCURRENTLY i;", "DROP INDEX CONCURRENTLY"),
    ("REINDEX INDEX CONCURRENTLY i;", "REINDEX CONCURRENTLY"),
    ("REINDEX DATABASE app;", "REINDEX DATABASE"),
    ("ALTER TABLE p DETACH PARTITION c CONCURRENTLY;", "DETACH PARTITION CONCURRENTLY"),
    ("VACUUM (ANALYZE) t;", "VACUUM"),
    ("ALTER SYSTEM SET work_mem = '64MB';", "ALTER SYSTEM"),
    ("CREATE DATABASE other;", "CREATE DATABASE"),
])
def test_statements_postgresql_refuses_in_a_transaction(tmp_path: Path, sql: str, refused: str) -> None:
    mode, why, _ = _plan(tmp_path, "p/20240101000000_x/migration.sql", "SELECT 1;\n" + sql + "\n")
    assert mode is Mode.STATEMENTS and why == f"{refused} (line 2) cannot run inside a transaction"


def test_add_value_runs_in_a_transaction_from_postgresql_12(tmp_path: Path) -> None:
    sql = "ALTER TYPE mood ADD VALUE 'meh';\nANALYZE t;\nALTER TYPE mood RENAME VALUE 'a' TO 'b';\n"
    assert _plan(tmp_path, "a/001_x.sql", sql, 120000)[0] is Mode.TRANSACTION
    mode, why, _ = _plan(tmp_path, "b/001_x.sql", sql, 110000)
    assert mode is Mode.STATEMENTS and why.startswith("ALTER TYPE ... ADD VALUE before PostgreSQL 12 (line 1)")


def test_dbmate_runs_only_its_up_section_and_steps_keep_their_lines(tmp_path: Path) -> None:
    sql = "-- migrate:up\n-- é ☕\nCREATE TABLE a (id int);\n\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n"
    assert _plan(tmp_path, "db/migrations/20240101000000_x.sql", sql) == (Mode.TRANSACTION, "", [3, 5])


def test_flyway_told_not_to_use_a_transaction_runs_statement_by_statement(tmp_path: Path) -> None:
    (tmp_path / "V1__x.sql.conf").write_text("executeInTransaction=false\n")
    mode, why, _ = _plan(tmp_path, "V1__x.sql", "CREATE TABLE a (id int);\n")
    assert mode is Mode.STATEMENTS and why == "Flyway is told to run it outside a transaction"
