"""Lock findings on a table the database says is empty are no findings (a real PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.config import Settings
from migralint.database.connection import DatabaseSource
from migralint.findings import Finding
from migralint.linter.table_sizes import with_table_sizes
from migralint.migrations.history import AppliedState
from migralint.report.table_size import shown_message
from tests.helpers import lint_sql, rule_set
from tests.pg import Database, database, postgres  # noqa: F401  (fixtures)

SETTINGS = Settings(select=("ALL",))
RULES = rule_set(SETTINGS)

# Each table as production left it; autovacuum is off so that only what the test does is counted.
SCHEMA = """
CREATE TABLE never_used (id int, note text) WITH (autovacuum_enabled = false);
CREATE TABLE busy (id int, note text) WITH (autovacuum_enabled = false);
INSERT INTO busy SELECT n, 'x' FROM generate_series(1, 20000) AS n;
ANALYZE busy;
CREATE TABLE not_analyzed (id int, note text) WITH (autovacuum_enabled = false);
INSERT INTO not_analyzed SELECT n, 'x' FROM generate_series(1, 500) AS n;
CREATE TABLE emptied (id int, note text) WITH (autovacuum_enabled = false);
INSERT INTO emptied SELECT n, 'x' FROM generate_series(1, 5000) AS n;
DELETE FROM emptied;
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
    WITH (autovacuum_enabled = false);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
    WITH (autovacuum_enabled = false);
"""

MIGRATION = "\n".join(
    f'CREATE INDEX {table}_note_idx ON {table} ({column});' for table, column in
    (("never_used", "note"), ("busy", "note"), ("not_analyzed", "note"), ("emptied", "note"), ("events", "at"))
) + "\n"


def _prepare(database: Database) -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            database.run(statement)
    database.run("VACUUM emptied")  # counts no live row and gives the empty pages back


def _sized(database: Database, sql: str, settings: Settings = SETTINGS) -> list[Finding]:
    source = DatabaseSource(database.url)
    try:
        findings = list(lint_sql(sql, settings=settings).findings)
        return with_table_sizes(findings, [AppliedState()], settings, rule_set(settings), source.table_stats)
    finally:
        source.close()


def _index_tables(findings: list[Finding]) -> list[str | None]:
    return [f.table for f in findings if f.rule == "require-concurrent-index-creation"]


def test_an_empty_table_has_no_lock_finding(database: Database) -> None:
    _prepare(database)
    assert _index_tables(list(lint_sql(MIGRATION, settings=SETTINGS).findings)) == [
        "public.never_used", "public.busy", "public.not_analyzed", "public.emptied", "public.events"
    ]
    after = _sized(database, MIGRATION)
    # never_used has no data page; emptied was vacuumed to none; the partitions of events hold none
    # (never analyzed, but a table without pages holds no row). not_analyzed has rows nobody
    # counted yet (reltuples -1): not known to be empty, so still flagged, and says why.
    assert _index_tables(after) == ["public.busy", "public.not_analyzed"]
    messages = {f.table: shown_message(f) for f in after if f.rule == "require-concurrent-index-creation"}
    assert 'on "busy" (20K rows, ' in messages["public.busy"]
    assert "rows not counted yet: never analyzed" in messages["public.not_analyzed"]


def test_a_table_counted_empty_by_analyze_has_no_lock_finding(database: Database) -> None:
    database.run("CREATE TABLE queue (id int, note text) WITH (autovacuum_enabled = false)")
    database.run("INSERT INTO queue SELECT n, 'x' FROM generate_series(1, 300) AS n")
    sql = "CREATE INDEX queue_note_idx ON queue (note);\n"
    assert _index_tables(_sized(database, sql)) == ["public.queue"]  # rows, never counted
    database.run("DELETE FROM queue")
    database.run("ANALYZE queue")  # reltuples 0; the dead rows' pages are still there
    assert database.run("SELECT reltuples, relpages > 0 FROM pg_class WHERE relname = 'queue'") == [(0.0, True)]
    assert _index_tables(_sized(database, sql)) == []


def test_waiting_for_the_lock_is_still_reported_on_an_empty_table(database: Database) -> None:
    """The lock queue does not care how many rows the table has: require-lock-timeout stays, and so
    does a slow statement run while ACCESS EXCLUSIVE is held on the empty table."""
    _prepare(database)
    sql = (
        "BEGIN;\n"
        "ALTER TABLE never_used ADD COLUMN extra text;\n"
        "UPDATE busy SET note = 'y';\n"
        "COMMIT;\n"
    )
    after = _sized(database, sql)
    by_rule = {f.rule: f for f in after}
    assert "(0 rows: below small_table_rows, a warning)" in shown_message(by_rule["require-lock-timeout"])
    assert by_rule["statements-after-access-exclusive"].table == "public.never_used"


def test_lint_with_a_database_url_drops_findings_on_empty_tables(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prepare(database)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "001_indexes.sql").write_text(MIGRATION)
    result = CliRunner().invoke(main, ["lint", "sql", "--database-url", database.url, "--format", "json"])
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    flagged = [f["line"] for f in findings if f["rule"] == "require-concurrent-index-creation"]
    assert flagged == [2, 3], result.stderr  # busy and not_analyzed
    assert result.exit_code == 1
