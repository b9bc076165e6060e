"""Cases of the transaction and rewrite rules that a fixture cannot express: settings, history
from earlier migrations, exact positions, and files that must be clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.config_file import settings_from_table
from migralint.linter.catalog import Catalog
from migralint.linter.engine import lint_text, replay_text
from migralint.migrations.layouts import Section
from migralint.linter.parse import parse_source
from migralint.linter.transactions import transaction_blocks
from migralint.migrations.layouts import RunnerMode
from migralint.rules.registry import RULES_BY_NAME
from tests.helpers import lint_sql, rule_set, rules_found

RULES = (
    "ban-uncommitted-transaction",
    "transaction-nesting",
    "concurrently-on-partitioned-table",
    "concurrent-index-on-affected-version",
    "enum-value-used-in-same-transaction",
    "statements-after-access-exclusive",
    "require-statement-timeout",
    "prefer-robust-stmts",
    "adding-serial-primary-key-field",
    "adding-stored-generated-column",
    "adding-exclusion-constraint",
)


def _with_history(history: str, sql: str, runner: RunnerMode = RunnerMode.SINGLE_QUERY, **settings: object) -> list[str]:
    """Rules found in `sql` linted as the migration after `history`."""
    chosen = Settings(select=("ALL",), **settings)  # type: ignore[arg-type]
    catalog = Catalog()
    replay_text(history, [Section(0, len(history), runner)], catalog, "1_init")
    report = lint_text(
        sql, path="2_next.sql", sections=[Section(0, len(sql), runner)], settings=chosen,
        rules=rule_set(chosen), catalog=catalog, migration="2_next",
    )
    return [f.rule for f in report.findings]


def test_positions_after_non_ascii_text() -> None:
    sql = (
        "-- Café ☕\n"
        "BEGIN; /* é */ ALTER TYPE \"Rôle\" ADD VALUE '☕'; /* ☕ */ UPDATE \"Café\" SET \"r\" = '☕'::\"Rôle\";\n"
        '/* ☕☕ */ ALTER TABLE "Café" ADD COLUMN "n" BIGSERIAL, ADD COLUMN "t" INT GENERATED ALWAYS AS ("n" * 2) STORED;\n'
        "COMMIT;\n"
    )
    lines = sql.splitlines()

    def span(line: int, text: str, until_end: str | None = None) -> tuple[int, int]:
        column = lines[line - 1].index(text) + 1
        end = lines[line - 1].index(until_end) + len(until_end) + 1 if until_end else column + len(text)
        return column, end

    found = {(f.rule, f.line, f.column, f.end_column) for f in lint_sql(sql).findings if f.rule in RULES}
    assert ("enum-value-used-in-same-transaction", 2, *span(2, "'☕'::", '::"Rôle"')) in found
    assert ("adding-serial-primary-key-field", 3, *span(3, 'ADD COLUMN "n" BIGSERIAL')) in found
    assert ("adding-stored-generated-column", 3, *span(3, 'ADD COLUMN "t" INT GENERATED ALWAYS AS ("n" * 2) STORED')) in found
    assert ("statements-after-access-exclusive", 3, *span(3, "ALTER TABLE", "STORED")) not in found  # one statement


# -- transactions -----------------------------------------------------------------------


def test_commit_inside_the_runners_or_the_implicit_transaction_is_an_event() -> None:
    statements = parse_source("SELECT 1; COMMIT; SELECT 2;").statements
    for mode in (RunnerMode.TRANSACTION, RunnerMode.SINGLE_QUERY):
        _, events = transaction_blocks(statements, mode)
        assert [e.kind for e in events] == ["commit-ends-runner-transaction"], mode
    _, events = transaction_blocks(statements, RunnerMode.AUTOCOMMIT)
    assert [e.kind for e in events] == ["commit-without-transaction"]
    _, events = transaction_blocks(parse_source("SELECT 1; BEGIN; SELECT 2; COMMIT;").statements, RunnerMode.SINGLE_QUERY)
    assert events == []


def test_begin_in_a_prisma_file_is_not_nesting() -> None:
    sql = 'BEGIN;\nALTER TABLE "User" ADD COLUMN "bio" TEXT;\nCOMMIT;\n'
    assert "transaction-nesting" not in rules_found(sql, runner=RunnerMode.SINGLE_QUERY)
    assert "transaction-nesting" in rules_found(sql, runner=RunnerMode.TRANSACTION)


def test_uncommitted_begin_in_a_runners_transaction_is_committed_by_the_runner() -> None:
    found = rules_found('BEGIN;\nALTER TABLE "User" ADD COLUMN "bio" TEXT;\n', runner=RunnerMode.TRANSACTION)
    assert "ban-uncommitted-transaction" not in found
    assert "transaction-nesting" in found


# -- settings ---------------------------------------------------------------------------


def test_runner_that_sets_statement_timeout_turns_the_rule_off(tmp_path: Path) -> None:
    sql = 'ALTER TABLE "User" ADD COLUMN "bio" TEXT;'
    assert "require-statement-timeout" in rules_found(sql)
    settings = settings_from_table({"runner_sets_statement_timeout": True, "select": ["ALL"]}, tmp_path / "migralint.toml")
    assert settings.runner_sets_statement_timeout
    assert "require-statement-timeout" not in rules_found(sql, settings=settings)
    assert "require-lock-timeout" in rules_found(sql, settings=settings)


def test_lock_timeout_does_not_satisfy_statement_timeout() -> None:
    sql = "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c BOOLEAN;"
    found = rules_found(sql)
    assert "require-statement-timeout" in found and "require-lock-timeout" not in found
    assert "require-statement-timeout" not in rules_found("SET statement_timeout = '5s';\nALTER TABLE t ADD COLUMN c BOOLEAN;")


@pytest.mark.parametrize("version", [13, 14, 15, 16])
def test_concurrent_index_bug_is_flagged_on_14_only(version: int) -> None:
    sql = 'CREATE INDEX CONCURRENTLY "User_email_idx" ON "User" ("email");'
    found = rules_found(sql, settings=Settings(select=("ALL",), pg_version=version))
    assert ("concurrent-index-on-affected-version" in found) == (version == 14)


def test_bad_example_of_the_version_rule_is_flagged_on_its_version() -> None:
    rule = RULES_BY_NAME["concurrent-index-on-affected-version"]
    settings = Settings(select=("ALL",), pg_version=rule.example_pg_version)  # type: ignore[attr-defined]
    assert "concurrent-index-on-affected-version" in rules_found(rule.bad, settings=settings)


# -- history from earlier migrations ----------------------------------------------------


def test_partitioned_table_known_from_an_earlier_migration() -> None:
    history = (
        'CREATE TABLE "Event" ("id" BIGINT, "at" DATE) PARTITION BY RANGE ("at");\n'
        "CREATE TABLE \"Event_2024\" PARTITION OF \"Event\" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    )
    sql = 'CREATE INDEX CONCURRENTLY "Event_at_idx" ON "Event" ("at");'
    assert "concurrently-on-partitioned-table" in _with_history(history, sql)
    partition = 'CREATE INDEX CONCURRENTLY "Event_2024_at_idx" ON "Event_2024" ("at");'
    assert "concurrently-on-partitioned-table" not in _with_history(history, partition)


def test_enum_value_compared_with_a_column_the_history_knows() -> None:
    history = (
        "CREATE TYPE \"Role\" AS ENUM ('USER');\n"
        'CREATE TABLE "User" ("id" TEXT, "role" "Role", "note" TEXT);\n'
    )
    add = "ALTER TYPE \"Role\" ADD VALUE 'ADMIN';\n"
    rule = "enum-value-used-in-same-transaction"
    assert rule in _with_history(history, add + "DELETE FROM \"User\" WHERE \"role\" = 'ADMIN';")
    assert rule not in _with_history(history, add + "DELETE FROM \"User\" WHERE \"note\" = 'ADMIN';")
    assert rule not in _with_history(history, add + "UPDATE \"User\" SET \"note\" = 'ADMIN' || \"id\";")
    # Statement by statement, the value is committed before it is used.
    assert rule not in _with_history(
        history, add + "DELETE FROM \"User\" WHERE \"role\" = 'ADMIN';", runner=RunnerMode.AUTOCOMMIT
    )


def test_primary_key_column_known_not_null_needs_no_not_null_steps() -> None:
    history = 'CREATE TABLE "Account" ("id" TEXT NOT NULL, "name" TEXT);\n'
    chosen = Settings(select=("ALL",))
    catalog = Catalog()
    replay_text(history, [Section(0, len(history), RunnerMode.SINGLE_QUERY)], catalog, "1_init")
    sql = 'ALTER TABLE "Account" ADD PRIMARY KEY ("id");'
    report = lint_text(sql, path="2.sql", sections=[Section(0, len(sql), RunnerMode.SINGLE_QUERY)], settings=chosen,
                       rules=rule_set(chosen), catalog=catalog, migration="2")
    (finding,) = [f for f in report.findings if f.rule == "adding-serial-primary-key-field"]
    assert "SET NOT NULL" not in finding.help and "checked for NULL" not in finding.message
    assert 'PRIMARY KEY USING INDEX "Account_pkey"' in finding.help


# -- files that must be clean -----------------------------------------------------------


def test_prisma_file_of_quick_changes_to_several_tables_is_not_flagged() -> None:
    sql = (
        'ALTER TABLE "User" ADD COLUMN "bio" TEXT;\n'
        'ALTER TABLE "Post" DROP COLUMN "legacy";\n'
        'ALTER TABLE "Team" RENAME COLUMN "title" TO "name";\n'
        'CREATE TABLE "Tag" ("id" TEXT NOT NULL, "postId" TEXT REFERENCES "Post"("id"));\n'
        'CREATE INDEX "Tag_postId_idx" ON "Tag"("postId");\n'
    )
    assert "statements-after-access-exclusive" not in rules_found(sql, runner=RunnerMode.SINGLE_QUERY)


def test_one_statement_files_are_not_asked_to_be_rerunnable() -> None:
    for sql in ('ALTER TABLE "User" ADD COLUMN "bio" TEXT;', 'CREATE INDEX CONCURRENTLY "i" ON "User" ("bio");'):
        for runner in (RunnerMode.SINGLE_QUERY, RunnerMode.AUTOCOMMIT):
            assert "prefer-robust-stmts" not in rules_found(sql, runner=runner), (sql, runner)


def test_disallowed_unique_constraint_leaves_primary_keys_to_the_serial_rule() -> None:
    found = rules_found('ALTER TABLE "Account" ADD PRIMARY KEY ("id");')
    assert "adding-serial-primary-key-field" in found and "disallowed-unique-constraint" not in found
