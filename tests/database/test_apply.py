"""`migralint apply`, against a real PostgreSQL that the tests start (tests/pg.py), with faults.

Each test has a database of its own. The concurrency and SIGKILL cases run the installed
`migralint` command as separate processes; the lock case holds a real ACCESS EXCLUSIVE lock
from another session.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from migralint.cli import main
from tests.database.test_database import PRISMA_TABLE, apply_prisma
from tests.pg import READER, READER_PASSWORD, Database

MIGRALINT = Path(sys.executable).parent / "migralint"
INIT = (
    "-- ☕ the first migration, é\n"
    'CREATE TABLE "Booking" ("id" SERIAL PRIMARY KEY, "note" TEXT);\n'
    'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "name" TEXT);\n'
)
ADD_EMAIL = 'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n'
INDEX_NOTE = 'CREATE INDEX CONCURRENTLY "Booking_note_idx" ON "Booking"("note");\n'


class Project:
    """A Prisma project in tmp_path whose DATABASE_URL is the test's own database."""

    def __init__(self, root: Path, database: Database) -> None:
        self.root = root
        self.database = database
        self.folder = root / "prisma" / "migrations"
        self.folder.mkdir(parents=True)
        (self.folder / "migration_lock.toml").write_text('provider = "postgresql"\n')

    def add(self, name: str, sql: str) -> Path:
        (self.folder / name).mkdir(exist_ok=True)
        path = self.folder / name / "migration.sql"
        path.write_text(sql, encoding="utf-8")
        return path

    def run(self, *args: str, url: str | None = None) -> tuple[int, str, str]:
        env = {"DATABASE_URL": url or self.database.url, "CI": None, "NO_COLOR": "1"}
        result = CliRunner().invoke(main, list(args), env=env)
        return result.exit_code, result.stdout, result.stderr

    def apply(self, *args: str, url: str | None = None) -> tuple[int, str, str]:
        return self.run("apply", "--yes", *args, url=url)

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        env = {**os.environ, "DATABASE_URL": self.database.url, "NO_COLOR": "1"}
        env.pop("CI", None)
        return subprocess.Popen([str(MIGRALINT), *args], cwd=self.root, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def rows(self) -> list[dict[str, Any]]:
        names = ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at",
                 "applied_steps_count")
        rows = self.database.run(f'SELECT {", ".join(names)} FROM "_prisma_migrations" ORDER BY started_at')
        return [dict(zip(names, row)) for row in rows]

    def exists(self, relation: str) -> bool:
        return self.database.run("SELECT to_regclass(%s) IS NOT NULL", [relation])[0][0] is True

    def status(self) -> tuple[int, dict[str, Any]]:
        code, out, err = self.run("status", "--format", "json")
        assert out, err
        return code, json.loads(out)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database) -> Project:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    return Project(tmp_path, database)


def test_a_clean_folder_applies_then_nothing_and_status_agrees(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_add_email", ADD_EMAIL)
    project.add("20240301000000_index_note", INDEX_NOTE)
    code, out, err = project.apply()
    assert code == 0, err
    assert "applying 20240101000000_init (one transaction)" in out
    assert "applying 20240301000000_index_note (statement by statement)" in out
    assert '  line 1: CREATE INDEX CONCURRENTLY "Booking_note_idx" ON "Booking"("note")' in out
    assert err.splitlines()[-1] == "migralint: applied 3 migration(s)"
    assert project.exists('"User"') and project.exists('"Booking_note_idx"')
    assert project.database.run("""SELECT indisvalid FROM pg_index WHERE indexrelid = '"Booking_note_idx"'::regclass""") == [(True,)]

    code, out, err = project.apply()
    assert code == 0 and err.splitlines()[-1] == "migralint: nothing to apply: all 3 migration(s) are applied"
    assert len(project.rows()) == 3

    code, status = project.status()
    assert code == 0 and not status["needs_attention"]
    assert [(m["name"], m["state"]) for m in status["migrations"]] == [
        ("20240101000000_init", "applied"), ("20240201000000_add_email", "applied"), ("20240301000000_index_note", "applied"),
    ]
    _, text, _ = project.run("status")
    assert text.splitlines()[-1] == "3 applied: nothing needs attention."


def test_rows_are_the_ones_prisma_writes(project: Project, database: Database) -> None:
    """Same table (columns, types, defaults), same checksums of the file bytes, applied_steps_count = 1."""
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_add_email", ADD_EMAIL.replace("\n", "\r\n"))  # the bytes, CRLF and all
    assert project.apply()[0] == 0
    database.run("CREATE SCHEMA prisma_reference")
    database.run("SET search_path = prisma_reference; " + PRISMA_TABLE)
    columns = """SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
                 FROM information_schema.columns WHERE table_schema = %s AND table_name = '_prisma_migrations'
                 ORDER BY ordinal_position"""
    assert database.run(columns, ["public"]) == database.run(columns, ["prisma_reference"])
    assert database.run("""SELECT a.attname FROM pg_index AS i JOIN pg_attribute AS a
                           ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                           WHERE i.indrelid = 'public._prisma_migrations'::regclass AND i.indisprimary""") == [("id",)]
    for row, name in zip(project.rows(), ("20240101000000_init", "20240201000000_add_email")):
        data = (project.folder / name / "migration.sql").read_bytes()
        assert row["migration_name"] == name
        assert row["checksum"] == hashlib.sha256(data).hexdigest()
        assert uuid.UUID(row["id"]).version == 4
        assert row["applied_steps_count"] == 1 and row["logs"] is None and row["rolled_back_at"] is None
        assert row["finished_at"] >= row["started_at"]


def test_history_written_by_prisma_is_read_and_continued(project: Project, database: Database) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_add_email", ADD_EMAIL)
    apply_prisma(database, project.folder, ("20240101000000_init",))  # as `prisma migrate deploy` leaves it
    code, out, err = project.apply()
    assert code == 0, err
    assert "1 applied, 1 pending" in out and "applying 20240101000000_init" not in out
    assert [r["migration_name"] for r in project.rows()] == ["20240101000000_init", "20240201000000_add_email"]
    # And `lint --database-url`, which reads the history as Prisma does, finds nothing pending.
    code, out, err = project.run("lint", "--format", "json")
    assert "nothing to lint" in err and json.loads(out)["findings"] == []


def test_an_unsafe_pending_migration_is_refused_and_the_database_is_unchanged(project: Project, database: Database) -> None:
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    database.run("""INSERT INTO "Booking" ("note") SELECT 'note ' || n FROM generate_series(1, 20000) AS n""")
    database.run('ANALYZE "Booking"')
    project.add("20240201000000_add_email", ADD_EMAIL)
    project.add("20240301000000_index_note", 'CREATE INDEX "Booking_note_idx" ON "Booking"("note");\n')
    before = project.rows()
    code, out, err = project.apply()
    assert code == 1
    assert 'error[require-concurrent-index-creation] CREATE INDEX takes SHARE on "Booking" (20K rows, ' in out
    assert "lint: failed (1 error)" in out
    assert "migralint: refusing to apply: the lint failed; nothing was changed." in err
    assert project.rows() == before  # not even the migration before it ran
    assert not project.exists('"Booking_note_idx"')
    assert database.run("""SELECT count(*) FROM information_schema.columns WHERE column_name = 'email'""") == [(0,)]


def test_the_lint_knows_the_applied_tables_and_the_new_ones(project: Project, database: Database) -> None:
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    # A table created by a pending migration holds no rows: indexing it in the next one is safe.
    project.add("20240201000000_invoice", 'CREATE TABLE "Invoice" ("id" SERIAL PRIMARY KEY, "note" TEXT);\n')
    project.add("20240202000000_invoice_note", 'CREATE INDEX "Invoice_note_idx" ON "Invoice"("note");\n')
    code, out, err = project.apply("--dry-run")
    assert code == 0, out + err
    assert "lint: passed (no findings)" in out and "nothing was changed" in err
    assert not project.exists('"Invoice"')


def test_strict_refuses_on_warnings_and_inline_ignores_are_shown(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    # "Booking" holds a few rows in the database: the lock finding is only a warning (on an empty
    # table there would be none).
    project.database.run("""INSERT INTO "Booking" ("note") SELECT 'n' FROM generate_series(1, 30) AS n""")
    project.database.run('ANALYZE "Booking"')
    project.add("20240201000000_index_note", 'CREATE INDEX "Booking_note_idx" ON "Booking"("note");\n')
    code, out, _ = project.apply("--strict")
    assert code == 1 and "warning[require-concurrent-index-creation]" in out and "lint: failed (1 warning)" in out
    (project.root / "migralint.toml").write_text("strict = true\n")
    code, out, _ = project.apply()
    assert code == 1 and "lint: failed (1 warning)" in out and not project.exists('"Booking_note_idx"')
    project.add("20240201000000_index_note", (
        "-- migralint: ignore require-concurrent-index-creation -- Booking is written once a day, at night\n"
        'CREATE INDEX "Booking_note_idx" ON "Booking"("note");\n'
    ))
    code, out, err = project.apply("--strict")
    assert code == 0, out + err
    assert "1 finding accepted by inline ignores:" in out
    assert "require-concurrent-index-creation (Booking is written once a day, at night)" in out
    assert "lint: passed (no findings, 1 accepted by inline ignores)" in out


def test_a_failing_statement_leaves_no_partial_schema_and_a_failed_row_until_resolved(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    bad = project.add("20240201000000_invoice", (
        "-- é ☕\n"
        'CREATE TABLE "Invoice" ("id" INTEGER PRIMARY KEY);\n'
        'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n'
        'INSERT INTO "Invoice" ("id")\n'
        "VALUES (1), (1);\n"
    ))
    project.add("20240301000000_add_phone", 'ALTER TABLE "User" ADD COLUMN "phone" TEXT;\n')
    code, out, err = project.apply()
    assert code == 1
    message = err.splitlines()[-1]
    assert message.startswith(
        "migralint: error: prisma/migrations/20240201000000_invoice/migration.sql:4: migration 20240201000000_invoice "
        'failed: duplicate key value violates unique constraint "Invoice_pkey" (23505). DETAIL: Key (id)=(1) already '
        "exists. Its transaction was rolled back: nothing of it is left in the database."
    ), message
    assert "migralint resolve --rolled-back 20240201000000_invoice" in message
    assert not project.exists('"Invoice"') and not project.exists('"User_email"')
    assert project.database.run("SELECT count(*) FROM information_schema.columns WHERE column_name IN ('email', 'phone')") == [(0,)]
    failed = project.rows()[-1]
    assert failed["migration_name"] == "20240201000000_invoice" and failed["finished_at"] is None
    assert "ERROR: duplicate key value violates unique constraint" in failed["logs"]
    assert "Database error code: 23505" in failed["logs"] and "line 4, statement 3 of 3" in failed["logs"]
    assert [r["migration_name"] for r in project.rows()] == ["20240101000000_init", "20240201000000_invoice"]

    code, _, err = project.apply()
    assert code == 1
    assert "refusing to apply: the history in public._prisma_migrations needs attention first" in err
    assert "migration 20240201000000_invoice failed in the database" in err
    code, status = project.status()
    assert code == 1 and status["migrations"][1]["state"] == "failed"
    assert [m["state"] for m in status["migrations"]] == ["applied", "failed", "pending"]

    bad.write_text(bad.read_text(encoding="utf-8").replace("(1), (1)", "(1), (2)"), encoding="utf-8")
    code, _, err = project.run("resolve", "--rolled-back", "20240201000000_invoice")
    assert code == 0 and "marked 1 failed run(s) of 20240201000000_invoice rolled back" in err
    code, out, err = project.apply()
    assert code == 0, err
    assert project.database.run('SELECT count(*) FROM "Invoice"') == [(2,)]
    rows = [(r["migration_name"], r["finished_at"] is not None, r["rolled_back_at"] is not None) for r in project.rows()]
    assert rows == [
        ("20240101000000_init", True, False), ("20240201000000_invoice", False, True),
        ("20240201000000_invoice", True, False), ("20240301000000_add_phone", True, False),
    ]


def test_resolve_applied_and_its_refusals(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_broken", 'ALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n')
    assert project.apply()[0] == 1
    code, _, err = project.run("resolve", "--rolled-back", "20240101000000_init")
    assert code == 2
    assert err.splitlines()[-1] == "migralint: error: migration 20240101000000_init cannot be marked rolled back: it is not failed (P3012)"
    code, _, err = project.run("resolve", "--applied", "20240301000000_nope")
    assert code == 2 and "there is no migration 20240301000000_nope in prisma/migrations" in err
    code, _, err = project.run("resolve", "--applied", "x", "--rolled-back", "y")
    assert code == 2 and "give one of --rolled-back NAME and --applied NAME" in err

    code, _, err = project.run("resolve", "--applied", "20240201000000_broken")
    assert code == 0 and "recorded 20240201000000_broken as applied" in err and "1 failed run(s) marked rolled back" in err
    failed, applied = project.rows()[1:]
    assert failed["rolled_back_at"] is not None and failed["finished_at"] is None
    # prisma-engines' mark_migration_applied: started_at = finished_at, logs '', applied_steps_count 0.
    assert applied["finished_at"] == applied["started_at"] and applied["logs"] == "" and applied["applied_steps_count"] == 0
    assert applied["checksum"] == hashlib.sha256(b'ALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n').hexdigest()
    code, _, err = project.run("resolve", "--applied", "20240201000000_broken")
    assert code == 2 and "is already recorded as applied" in err
    assert project.apply()[0] == 0 and project.status()[0] == 0


def test_concurrently_runs_outside_a_transaction_and_a_failed_build_is_an_invalid_index(project: Project) -> None:
    project.add("20240101000000_init", INIT + """INSERT INTO "Booking" ("note") VALUES ('a'), ('a');\n""")
    project.add("20240201000000_unique_note", 'CREATE UNIQUE INDEX CONCURRENTLY "Booking_note_key" ON "Booking"("note");\n')
    code, out, err = project.apply()
    assert code == 1
    assert "applying 20240201000000_unique_note (statement by statement)" in out
    message = err.splitlines()[-1]
    assert "migration.sql:1: migration 20240201000000_unique_note failed: could not create unique index" in message
    assert 'The failed build left the INVALID index "Booking_note_key": DROP INDEX CONCURRENTLY "Booking_note_key";' in message
    assert project.rows()[-1]["finished_at"] is None
    code, status = project.status()
    assert code == 1 and status["invalid_indexes"] == [
        {"index": '"Booking_note_key"', "table": '"Booking"', "fix": 'DROP INDEX CONCURRENTLY "Booking_note_key";'}
    ]
    _, text, _ = project.run("status")
    assert 'INVALID indexes' in text and '"Booking_note_key" on "Booking": DROP INDEX CONCURRENTLY "Booking_note_key";' in text
    assert text.splitlines()[-1] == "1 applied, 1 failed, 1 INVALID index: needs attention (failed)."


ENUM_MIGRATION = (
    "-- AlterEnum, as Prisma writes it\n"
    "BEGIN;\n"
    "CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\n"
    'ALTER TABLE "User" ADD COLUMN "role" "Role";\n'
    "COMMIT;\n"
    'CREATE TABLE "Audit" ("id" INTEGER PRIMARY KEY);\n'
)


def test_a_file_with_its_own_begin_and_commit_runs_as_postgresql_runs_it(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_role", ENUM_MIGRATION)
    code, out, err = project.apply()
    assert code == 0, out + err
    assert project.exists('"Audit"') and project.rows()[-1]["finished_at"] is not None
    # A failure after the file's own COMMIT: what it committed stays, the rest is rolled back.
    project.add("20240301000000_again", ENUM_MIGRATION.replace('"Role"', '"Kind"').replace('"role"', '"kind"')
                .replace('"Audit"', '"Audit2"') + 'INSERT INTO "Audit2" VALUES (1), (1);\n')
    code, _, err = project.apply()
    assert code == 1
    assert "The statements up to its own COMMIT on line 5 stay applied; the ones after it were rolled back." in err
    assert project.database.run("""SELECT to_regtype('"Kind"') IS NOT NULL""") == [(True,)]
    assert not project.exists('"Audit2"')


def test_a_plain_folder_is_recorded_in_migralint_table_statement_by_statement(project: Project, database: Database) -> None:
    folder = project.root / "sql"
    folder.mkdir()
    (folder / "001_init.sql").write_text('CREATE TABLE account (id bigint PRIMARY KEY, email text);\n')
    (folder / "002_index.sql").write_text(
        "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY account_email_idx ON account (email);\nVACUUM account;\n")
    code, out, err = project.apply("sql")
    assert code == 0, out + err
    assert "002_index  statement by statement: CREATE INDEX CONCURRENTLY (line 2) cannot run inside a transaction" in out
    assert "  line 3: VACUUM account" in out
    rows = database.run('SELECT migration_name, applied_steps_count FROM "_migralint_migrations" ORDER BY started_at')
    assert rows == [("001_init", 1), ("002_index", 1)]
    assert not project.exists("_prisma_migrations")
    assert project.run("status", "sql")[0] == 0


def test_statement_by_statement_a_failure_keeps_what_completed_and_says_so(project: Project, database: Database) -> None:
    folder = project.root / "sql"
    folder.mkdir()
    (folder / "001_accounts.sql").write_text(
        "CREATE TABLE account (id bigint PRIMARY KEY, email text);\n"
        "CREATE INDEX CONCURRENTLY account_email_idx ON account (email);\n"
        "CREATE INDEX CONCURRENTLY missing_idx ON missing (email);\n"
        "CREATE TABLE after_it (id bigint);\n"
    )
    code, out, err = project.apply("sql")
    assert code == 1
    assert "  line 1: CREATE TABLE account" in out and "  line 2: CREATE INDEX CONCURRENTLY account_email_idx" in out
    message = err.splitlines()[-1]
    assert message.startswith('migralint: error: sql/001_accounts.sql:3: migration 001_accounts failed: relation '
                              '"missing" does not exist (42P01). 2 statement(s) completed before it and stay applied '
                              "(lines 1, 2); nothing after it ran."), message
    assert "`migralint resolve --rolled-back 001_accounts`" in message
    assert project.exists("account_email_idx") and not project.exists("after_it")
    (row,) = database.run('SELECT finished_at, logs FROM "_migralint_migrations"')
    assert row[0] is None and "statement 3 of 4 (statement by statement)" in row[1]


def test_the_statement_timeout_is_set_for_each_migration(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_slow", 'SELECT pg_sleep(2);\nCREATE TABLE "Later" ("id" INTEGER);\n')
    code, _, err = project.apply("--statement-timeout", "200ms")
    assert code == 1
    assert ("migration.sql:1: migration 20240201000000_slow failed: statement_timeout (200ms) ran out: canceling "
            "statement due to statement timeout (57014).") in err
    assert project.exists('"User"') and not project.exists('"Later"')


def test_two_applies_started_together_one_applies_the_other_waits(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    # Long enough for the second process to start (and import) on a loaded machine while the first holds the lock.
    project.add("20240201000000_slow", "SELECT pg_sleep(4);\n")
    first = project.spawn("apply", "--yes")
    deadline = time.monotonic() + 15
    while not project.database.run(  # the second starts once the first holds Prisma's lock
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND granted"
    ):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.02)
    second = project.spawn("apply", "--yes")
    outputs = [process.communicate(timeout=30) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    errs = sorted(err for _, err in outputs)
    assert sum("applied 2 migration(s)" in err for err in errs) == 1, errs
    waited = next(err for err in errs if "nothing to apply" in err)
    assert "another migration run holds pg_advisory_lock(72707369) held by pid " in waited
    assert [r["migration_name"] for r in project.rows()] == ["20240101000000_init", "20240201000000_slow"]


def test_a_killed_apply_leaves_no_partial_migration_and_the_next_run_reports_it(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_slow", 'CREATE TABLE "Partial" ("id" INTEGER);\nSELECT pg_sleep(30);\n')
    process = project.spawn("apply", "--yes")
    deadline = time.monotonic() + 15
    while not project.database.run(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
        "AND query LIKE 'SELECT pg_sleep(30)%%'"
    ):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    code, status = project.status()  # unfinished while its run holds the lock: running, not failed
    assert code == 0 and status["migrations"][1]["state"] == "running" and status["lock_holder"].startswith("pid ")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=5)
    assert not project.exists('"Partial"')
    slow = project.rows()[-1]
    assert slow["migration_name"] == "20240201000000_slow" and slow["finished_at"] is None
    code, _, err = project.apply()
    assert code == 1, err
    assert "migration 20240201000000_slow failed in the database (started " in err
    assert not project.exists('"Partial"')
    # The server noticed the client was gone (client_connection_check_interval) and cancelled the sleep.
    assert project.database.run("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%%'") == [(0,)]


def test_a_locked_table_stops_apply_at_the_lock_timeout_with_its_name(project: Project, database: Database) -> None:
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    project.add("20240201000000_note_length", (
        'CREATE TABLE "Before" ("id" INTEGER);\n'
        'ALTER TABLE "Booking" ADD COLUMN "length" INTEGER;\n'
        'CREATE TABLE "After" ("id" INTEGER);\n'
    ))
    project.add("20240301000000_next", 'CREATE TABLE "Next" ("id" INTEGER);\n')
    with psycopg.connect(database.url) as other:
        other.execute('LOCK TABLE "Booking" IN ACCESS EXCLUSIVE MODE')  # held until this block ends
        started = time.monotonic()
        code, _, err = project.apply("--lock-timeout", "1s")
        elapsed = time.monotonic() - started
    assert code == 1 and elapsed < 8
    message = err.splitlines()[-1]
    assert message.startswith(
        "migralint: error: prisma/migrations/20240201000000_note_length/migration.sql:2: migration "
        '20240201000000_note_length failed: lock_timeout (1s) ran out waiting for a lock on "Booking", '
        "held by another session (pid "
    ), message
    assert "(55P03). Its transaction was rolled back: nothing of it is left in the database." in message
    assert not any(project.exists(name) for name in ('"Before"', '"After"', '"Next"'))
    assert [r["migration_name"] for r in project.rows()] == ["20240101000000_init", "20240201000000_note_length"]


def test_an_edited_applied_migration_is_refused(project: Project) -> None:
    path = project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    path.write_text(INIT + 'CREATE TABLE "Extra" ("id" INTEGER);\n', encoding="utf-8")
    project.add("20240201000000_add_email", ADD_EMAIL)
    code, _, err = project.apply()
    assert code == 1
    assert ("applied migration 20240101000000_init was edited: its SHA-256 no longer matches the checksum in "
            "_prisma_migrations") in err
    assert not project.exists('"Extra"') and len(project.rows()) == 1
    assert project.status()[1]["migrations"][0]["state"] == "edited"


def test_a_deleted_applied_migration_is_refused(project: Project) -> None:
    path = project.add("20240101000000_init", INIT)
    project.add("20240201000000_add_email", ADD_EMAIL)
    assert project.apply()[0] == 0
    path.unlink()
    path.parent.rmdir()
    project.add("20240301000000_add_phone", 'ALTER TABLE "User" ADD COLUMN "phone" TEXT;\n')
    code, _, err = project.apply()
    assert code == 1
    assert "migration 20240101000000_init is applied in the database (_prisma_migrations) but its folder is not here" in err
    code, status = project.status()
    assert code == 1 and ("20240101000000_init", "missing") in [(m["name"], m["state"]) for m in status["migrations"]]


def test_a_pending_migration_before_an_applied_one_is_refused(project: Project) -> None:
    project.add("20240201000000_init", INIT)
    assert project.apply()[0] == 0
    project.add("20240101000000_add_email", ADD_EMAIL)
    code, _, err = project.apply()
    assert code == 1
    # The words of migration-order-conflict, with what apply does instead of what Prisma Migrate would.
    said = ("20240101000000_add_email is not applied, but 20240201000000_init, which sorts after it, is (per {}): "
            "applying it now would run the migrations in an order no other database ran them.")
    assert said.format("public._prisma_migrations") in err
    assert ("    help: Rename it so that it sorts after 20240201000000_init:\n"
            "          git mv prisma/migrations/20240101000000_add_email prisma/migrations/20240201000001_add_email\n"
            ) in err
    out_of_order = project.status()[1]["migrations"][0]
    assert out_of_order["state"] == "out of order" and out_of_order["detail"] == said.format("the database")


@pytest.mark.parametrize("case", ["bad url", "wrong password", "unreachable"])
def test_connection_problems_are_one_sentence_and_exit_2(case: str, project: Project, database: Database) -> None:
    project.add("20240101000000_init", INIT)
    secret = READER_PASSWORD
    if case == "bad url":
        url = f"postgresql://{READER}:{secret}@/{database.name}?host=/tmp&frobnicate=1&sslmode=bogus"  # unknown: dropped, as Prisma does
        expected = 'invalid sslmode value: "bogus"'
    elif case == "wrong password":
        secret = "Wr0ng-Secret-x9"
        url = database.server.url(database.name, READER, secret)
        expected = f'password authentication failed for user "{READER}"'
    else:
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"postgresql://{READER}:{secret}@127.0.0.1:{port}/{database.name}"
        expected = "connection refused"
    for command in (("apply", "--yes"), ("status",), ("resolve", "--rolled-back", "x")):
        code, out, err = project.run(*command, "--database-url", url)
        assert code == 2 and out == "", (command, err)
        errors = [line for line in err.splitlines() if "error" in line]
        assert len(errors) == 1 and errors[0].startswith("migralint: error: ")
        assert expected in errors[0] and secret not in err and ":***@" in err


def test_the_url_comes_from_a_dotenv_file_next_to_the_folder(project: Project, database: Database) -> None:
    project.add("20240101000000_init", INIT)
    (project.root / "prisma" / ".env").write_text(f'# prisma/.env\nDATABASE_URL="{database.url}"\n')
    result = CliRunner().invoke(main, ["apply", "--yes"], env={"DATABASE_URL": None, "CI": None})
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"migralint: database {database.url} (from DATABASE_URL in prisma/.env)\n")
    (project.root / "prisma" / ".env").unlink()
    result = CliRunner().invoke(main, ["status"], env={"DATABASE_URL": None})
    assert result.exit_code == 2 and "no database URL: pass --database-url, set DATABASE_URL" in result.stderr


def test_apply_needs_yes_without_a_terminal_and_dry_run_changes_nothing(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    code, out, err = project.run("apply")
    assert code == 2 and "there is no terminal to confirm on: pass --yes (CI=true counts as yes)" in err
    code, out, err = project.run("apply", "--dry-run", "--lock-timeout", "2s", "--statement-timeout", "1min")
    assert code == 0, err
    assert "_prisma_migrations (absent: created before the first migration runs)" in out
    assert "0 applied, 1 pending; lock_timeout 2s, statement_timeout 1min" in out
    assert "20240101000000_init  one transaction, 2 statement(s)" in out and "lint: passed" in out
    assert not project.exists("_prisma_migrations") and not project.exists('"User"')
    code, _, err = project.run("apply", "--lock-timeout", "5")
    assert code == 2 and "--lock-timeout '5' needs a unit: 5s or 5ms?" in err
    result = CliRunner().invoke(main, ["apply"], env={"DATABASE_URL": project.database.url, "CI": "true"})
    assert result.exit_code == 0, result.stderr
