"""History rules about applied migrations: the sources hand in facts, the rules write the words.

The rows are what each runner's history table holds (the database tests read them from a real
PostgreSQL); here they go straight to runner_history.interpret, which turns them into facts.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from migralint.api import _APPLIED_HISTORY_RULES
from migralint.database.checksums import flyway_checksum
from migralint.database.runner_history import interpret, interpret_migralint
from migralint.migrations.discover import discover
from migralint.migrations.history import HistoryEvent, HistoryProblem, Runner
from migralint.migrations.layouts import Layout, MigrationFile
from migralint.rules.applied_history import AppliedHistoryRule, words_for
from migralint.rules.registry import ALL_RULES

STARTED = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)
BEHIND = "this branch is behind the database, or the migration was deleted or renamed"


def _folder(root: Path, files: dict[str, str]) -> list[MigrationFile]:
    for name, sql in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(sql, encoding="utf-8")
    return discover([str(root)])


def test_each_event_has_one_rule_and_those_rules_are_the_ones_kept_for_any_file() -> None:
    reporting = {event: [r.name for r in ALL_RULES if issubclass(r, AppliedHistoryRule) and r.event is event]
                 for event in HistoryEvent}
    assert all(len(names) == 1 for names in reporting.values()), reporting
    assert _APPLIED_HISTORY_RULES == {names[0] for names in reporting.values()}
    assert {r.name for r in ALL_RULES if r.about_applied} == _APPLIED_HISTORY_RULES


def test_a_prisma_failure_is_a_fact_with_its_start_and_first_error_line(tmp_path: Path) -> None:
    migrations = _folder(tmp_path, {"20240101000000_init/migration.sql": "CREATE TABLE a (id int);\n"})
    logs = "Database error code: 23502\n\nDatabase error:\nERROR: column \"x\" contains null values\nDETAIL: more\n"
    state = interpret(Layout.PRISMA, [("20240101000000_init", "c", None, None, STARTED, logs)], tmp_path, migrations)
    assert state.problems == [HistoryProblem(
        HistoryEvent.FAILED, Runner.PRISMA, tmp_path / "20240101000000_init" / "migration.sql", "20240101000000_init",
        started_at=STARTED, error='ERROR: column "x" contains null values',
    )]
    rule, message, help = words_for(state.problems[0], ALL_RULES)
    assert rule == "failed-migration"
    assert message == (
        "migration 20240101000000_init failed in the database (started 2024-03-01 08:00 UTC): ERROR: column \"x\" "
        "contains null values; `prisma migrate deploy` refuses to apply anything until it is resolved"
    )
    assert help == (
        "Finish or undo by hand what it left half done, then record what you did: `npx prisma migrate resolve "
        "--applied 20240101000000_init` (or `--rolled-back 20240101000000_init` to run it again)."
    )


def test_a_long_error_line_is_cut_in_the_words_not_in_the_fact(tmp_path: Path) -> None:
    migrations = _folder(tmp_path, {"001_init.sql": "CREATE TABLE a (id int);\n"})
    error = "ERROR: " + "x" * 200
    state = interpret_migralint([("001_init", "c", None, None, None, error)], tmp_path, migrations)
    assert state.problems[0].runner is Runner.MIGRALINT and state.problems[0].error == error
    message = words_for(state.problems[0], ALL_RULES)[1]
    assert message == (f"migration 001_init failed in the database: {error[:157]}...; "
                       "`migralint apply` refuses to apply anything until it is resolved")


@pytest.mark.parametrize(("layout", "files", "rows", "expected"), [
    pytest.param(Layout.FLYWAY, {"V1__init.sql": "CREATE TABLE a (id int);\n"},
                 [(1, "1", "init", "SQL", "V1__init.sql", 123, True)],
                 [("edited-applied-migration", "V1__init.sql",
                   "applied migration V1__init.sql was edited: its checksum ({checksum}) differs from the one in "
                   "flyway_schema_history (123), so the databases that ran it ran other SQL; `flyway validate` fails "
                   "on it")], id="flyway edited"),
    pytest.param(Layout.FLYWAY, {"V1__init.sql": "CREATE TABLE a (id int);\n"},
                 [(1, "1", "init", "SQL", "V1__init.sql", 0, False), (2, "3", "gone", "SQL", "V3__gone.sql", 5, True)],
                 [("failed-migration", "V1__init.sql",
                   "migration V1__init.sql failed in the database: flyway_schema_history records it with success = "
                   "false; `flyway migrate` refuses to run until the failure is repaired"),
                  ("missing-applied-migration", "V3__gone.sql",
                   "migration V3__gone.sql is applied in the database (flyway_schema_history) but the file is not "
                   f"here: {BEHIND}; `flyway validate` fails on it")], id="flyway failed and missing"),
    pytest.param(Layout.GOLANG_MIGRATE, {"1_init.up.sql": "CREATE TABLE a (id int);\n"}, [(5, True)],
                 [("failed-migration", ".",
                   "migration version 5 failed in the database: schema_migrations marks version 5 dirty; `migrate up` "
                   "refuses to run until it is forced")], id="golang-migrate dirty, no file"),
    pytest.param(Layout.GOLANG_MIGRATE, {"1_init.up.sql": "CREATE TABLE a (id int);\n"}, [(5, False)],
                 [("missing-applied-migration", ".",
                   f"the database is at version 5 (schema_migrations) but no 5_*.up.sql is here: {BEHIND}")],
                 id="golang-migrate missing"),
    pytest.param(Layout.DBMATE, {"20240101000000_init.sql": "-- migrate:up\nCREATE TABLE a (id int);\n"},
                 [("20240101000000",), ("20231201000000",)],
                 [("missing-applied-migration", ".",
                   f"version 20231201000000 is applied in the database (schema_migrations) but no 20231201000000_*.sql "
                   f"is here: {BEHIND}")], id="dbmate missing"),
])
def test_other_runners_words(
    tmp_path: Path, layout: Layout, files: dict[str, str], rows: list[tuple[object, ...]],
    expected: list[tuple[str, str, str]],
) -> None:
    migrations = _folder(tmp_path, files)
    state = interpret(layout, rows, tmp_path, migrations)
    checksum = flyway_checksum(next(iter(files.values())).encode())
    said = [(rule, p.path.relative_to(tmp_path).as_posix() or ".", message)
            for p in state.problems for rule, message, _ in [words_for(p, ALL_RULES)]]
    assert said == [(rule, path, message.format(checksum=checksum)) for rule, path, message in expected]
