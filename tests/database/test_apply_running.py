"""While apply runs: progress lines, lock-timeout retries, PostgreSQL's DETAIL and HINT, a database that goes away.

Against the real PostgreSQL the suite starts (tests/pg.py); the locks are real locks held by
another session, and the database is really dropped under a running apply.
"""

from __future__ import annotations

import re
import threading
import time

import psycopg

from tests.database.test_apply import INIT, Project, project  # noqa: F401  (the fixture)
from tests.pg import Database

ADD_LENGTH = 'ALTER TABLE "Booking" ADD COLUMN "length" INTEGER;\n'


class LockHolder:
    """ACCESS EXCLUSIVE on "Booking" from another session (application_name "holder"), from a thread.

    Held until release(), or, with `after_waiter` seconds, until that long after another session
    starts waiting for it: the timing follows apply's, however slowly the machine starts it.
    """

    def __init__(self, database: Database, after_waiter: float | None = None) -> None:
        self.database = database
        self.after_waiter = after_waiter
        self._release = threading.Event()
        held = threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(held,))
        self.thread.start()
        assert held.wait(10)

    def _hold(self, held: threading.Event) -> None:
        with psycopg.connect(self.database.url, application_name="holder", autocommit=True) as other:
            other.execute("BEGIN")
            other.execute('LOCK TABLE "Booking" IN ACCESS EXCLUSIVE MODE')
            held.set()
            deadline = time.monotonic() + 60
            with psycopg.connect(self.database.url, autocommit=True) as watcher:
                while not self._release.is_set() and time.monotonic() < deadline:
                    if self.after_waiter is not None and watcher.execute(
                        """SELECT 1 FROM pg_locks WHERE NOT granted AND relation = '"Booking"'::regclass"""
                    ).fetchone():
                        self._release.wait(self.after_waiter)
                        break
                    self._release.wait(0.05)
            other.execute("ROLLBACK")

    def release(self) -> None:
        self._release.set()
        self.thread.join()


def test_a_lock_timeout_is_retried_and_only_the_outcome_is_recorded(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    project.add("20240201000000_length", 'CREATE TABLE "Before" ("id" INTEGER);\n' + ADD_LENGTH)
    holder = LockHolder(project.database, after_waiter=0.6)  # the first attempt times out, a retry gets it
    started = time.monotonic()
    code, out, err = project.apply("--lock-timeout", "400ms", "--lock-timeout-retries", "4")
    holder.release()
    assert code == 0, out + err
    retries = [line for line in out.splitlines() if "retrying 20240201000000_length" in line]
    assert retries and retries[0].startswith(
        '  lock_timeout (400ms) ran out waiting for a lock on "Booking", held by another session (pid ')
    assert "retry 1 of 4" in retries[0] and time.monotonic() - started < 15
    rows = [(r["migration_name"], r["finished_at"] is not None, r["logs"]) for r in project.rows()]
    assert rows == [("20240101000000_init", True, None), ("20240201000000_length", True, None)]
    assert project.exists('"Before"')


def test_when_the_retries_run_out_one_failed_row_says_so(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    project.add("20240201000000_length", ADD_LENGTH)
    holder = LockHolder(project.database)
    code, out, err = project.apply("--lock-timeout", "300ms", "--lock-timeout-retries", "1")
    holder.release()
    assert code == 1
    assert out.count("retrying 20240201000000_length in 1s (retry 1 of 1)") == 1
    assert "(and again on each of 1 retry) (55P03)." in err.splitlines()[-1]
    failed = project.rows()[1:]
    assert len(failed) == 1 and failed[0]["finished_at"] is None and "55P03" in failed[0]["logs"]


def test_statement_by_statement_is_not_retried(project: Project) -> None:
    """Its statements commit one by one: running it again would repeat the ones that completed."""
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    project.add("20240201000000_index", 'CREATE INDEX CONCURRENTLY "Booking_note_idx" ON "Booking"("note");\n')
    holder = LockHolder(project.database)
    code, out, _ = project.apply("--lock-timeout", "300ms", "--lock-timeout-retries", "3")
    holder.release()
    assert code == 1 and "retrying" not in out


def test_a_long_statement_gets_progress_lines_that_name_the_lock_and_its_holder(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    # Room for a poll or two in each: 2.5s asleep, then 2.5s waiting for the lock.
    project.add("20240201000000_slow", 'SELECT pg_sleep(2.5);\n' + ADD_LENGTH)
    holder = LockHolder(project.database, after_waiter=2.5)
    code, out, err = project.apply("--lock-timeout", "20s", "--progress-every", "700ms")
    holder.release()
    assert code == 0, out + err
    lines = [line for line in out.splitlines() if "running for" in line]
    assert any(line.startswith("  20240201000000_slow line 1: SELECT pg_sleep(2.5): running for ")
               and line.endswith(", not waiting for a lock") for line in lines), lines
    waiting = [line for line in lines if "line 2: ALTER TABLE" in line]
    assert waiting, lines
    assert re.search(r'waiting for a lock on "Booking" held by pid \d+, holder, idle in transaction$', waiting[-1]), waiting


def test_no_progress_lines_when_switched_off(project: Project) -> None:
    project.add("20240101000000_init", INIT + "SELECT pg_sleep(1.2);\n")
    code, out, _ = project.apply("--progress-every", "0")
    assert code == 0 and "running for" not in out


def test_postgresql_detail_and_hint_are_shown(project: Project) -> None:
    project.add("20240101000000_init", INIT + "SELECT no_such_function(1);\n")
    code, _, err = project.apply()
    assert code == 1
    assert ("failed: function no_such_function(integer) does not exist (42883). HINT: No function matches the given "
            "name and argument types. You might need to add explicit type casts. Its transaction was rolled back"
            ) in err.splitlines()[-1]


def test_a_database_dropped_mid_run_gets_one_consistent_message(project: Project, database: Database) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_slow", 'CREATE TABLE "Partial" ("id" INTEGER);\nSELECT pg_sleep(30);\n')
    process = project.spawn("apply", "--yes")
    deadline = time.monotonic() + 15
    while not database.run("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                           "AND query LIKE 'SELECT pg_sleep(30)%%'"):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    with database.server.admin() as admin:
        admin.execute(f"DROP DATABASE {database.name} WITH (FORCE)")
    _, err = process.communicate(timeout=20)
    assert process.returncode == 1, err
    message = err.splitlines()[-1]
    assert message.startswith("migralint: error: prisma/migrations/20240201000000_slow/migration.sql:2: migration "
                              "20240201000000_slow did not finish: the connection to the database was lost ("), message
    assert "PostgreSQL rolls back a transaction that was not committed" in message
    assert "The failure could not be recorded in _prisma_migrations (the connection is gone)" in message
    assert "records the failure" not in message and "Traceback" not in err
