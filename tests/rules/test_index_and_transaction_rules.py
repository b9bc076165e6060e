"""Cases of the index and transaction rules that a fixture cannot express: files that must be clean."""

from __future__ import annotations


from migralint.config import Settings
from migralint.migrations.layouts import RunnerMode
from tests.helpers import lint_sql, rules_found

RULES = (
    "require-concurrent-index-deletion",
    "ban-concurrent-index-creation-in-transaction",
    "require-lock-timeout",
    "mixing-schema-and-data-changes",
    "unbatched-backfill",
)


def test_prisma_migration_holding_only_the_concurrent_statement_is_clean() -> None:
    # Prisma sends the file as one query; with a single statement there is no transaction block.
    sql = '-- CreateIndex\nCREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");\n'
    assert "ban-concurrent-index-creation-in-transaction" not in rules_found(sql, runner=RunnerMode.SINGLE_QUERY)


def test_runner_that_sets_lock_timeout_turns_the_rule_off() -> None:
    sql = 'ALTER TABLE "User" ADD COLUMN "nickname" TEXT;\nDROP INDEX "User_email_idx";'
    settings = Settings(select=("ALL",), runner_sets_lock_timeout=True)
    assert "require-lock-timeout" not in rules_found(sql, runner=RunnerMode.SINGLE_QUERY, settings=settings)
    assert "require-lock-timeout" in rules_found(sql, runner=RunnerMode.SINGLE_QUERY)


def test_new_tables_need_no_lock_timeout() -> None:
    sql = (
        'CREATE TABLE "Tag" ("id" TEXT NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Tag_pkey" PRIMARY KEY ("id"));\n'
        'CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");\n'
        'ALTER TABLE "Tag" ADD COLUMN "color" TEXT;\n'
        'DROP INDEX "Tag_name_key";\n'
    )
    assert "require-lock-timeout" not in rules_found(sql, runner=RunnerMode.SINGLE_QUERY)


def test_drop_index_in_a_transaction_runner_says_how_to_leave_the_transaction() -> None:
    report = lint_sql('DROP INDEX "User_email_idx";', runner=RunnerMode.TRANSACTION)
    (finding,) = [f for f in report.findings if f.rule == "require-concurrent-index-deletion"]
    assert "executeInTransaction=false" in finding.help
    assert 'DROP INDEX CONCURRENTLY "User_email_idx";' in finding.help


def test_positions_after_non_ascii_text() -> None:
    sql = (
        "-- Café ☕\n"
        '/* é */ ALTER TABLE "Café" ADD COLUMN "x" TEXT; /* ☕ */ UPDATE "Café" SET "x" = \'é\';\n'
        '/* ☕☕ */ DROP INDEX "Café_idx";\n'
        "BEGIN; /* é */ CREATE INDEX CONCURRENTLY \"Café_x_idx\" ON \"Café\"(\"x\");\nCOMMIT;\n"
    )
    lines = sql.splitlines()

    def span(line: int, statement: str) -> tuple[int, int]:
        column = lines[line - 1].index(statement) + 1
        return column, column + len(statement)

    found = {(f.rule, f.line, f.column, f.end_column) for f in lint_sql(sql).findings if f.rule in RULES}
    assert found == {
        ("require-lock-timeout", 2, *span(2, 'ALTER TABLE "Café" ADD COLUMN "x" TEXT')),
        ("unbatched-backfill", 2, *span(2, 'UPDATE "Café" SET "x" = \'é\'')),
        ("require-concurrent-index-deletion", 3, *span(3, 'DROP INDEX "Café_idx"')),
        ("ban-concurrent-index-creation-in-transaction", 4, *span(4, 'CREATE INDEX CONCURRENTLY "Café_x_idx" ON "Café"("x")')),
    }
