"""require-lock-timeout names the first statement that waits on a table holding rows and counts
the others: the count and the statements an ignore may sit on are what the rule's two readings
(the first put into words, the rest only tested) must agree on."""

from __future__ import annotations

from migralint.config import Settings
from migralint.linter.catalog import Catalog
from migralint.linter.engine import lint_text, replay_text
from migralint.migrations.layouts import RunnerMode, Section
from tests.helpers import rule_set

HISTORY = 'CREATE TABLE "User" ("id" INT PRIMARY KEY, "name" TEXT);\nCREATE INDEX "User_name_idx" ON "User"("name");\n'


def _findings(sql: str) -> list[tuple[int, str]]:
    chosen = Settings(select=("require-lock-timeout",))
    catalog = Catalog()
    replay_text(HISTORY, [Section(0, len(HISTORY), RunnerMode.SINGLE_QUERY)], catalog, "1_init")
    report = lint_text(
        sql, path="2_next.sql", sections=[Section(0, len(sql), RunnerMode.SINGLE_QUERY)], settings=chosen,
        rules=rule_set(chosen), catalog=catalog, migration="2_next",
    )
    return [(f.line, f.message) for f in report.findings if f.rule == "require-lock-timeout"]


SQL = (
    'CREATE TABLE "Team" ("id" INT PRIMARY KEY);\n'  # 1: a new table: nobody waits
    'ALTER TABLE "Team" ADD COLUMN "name" TEXT;\n'  # 2: still new
    'ALTER TABLE "User" ADD COLUMN "plan" TEXT;\n'  # 3: the first that waits: named
    'SELECT 1;\n'  # 4: no lock
    'DROP INDEX "User_name_idx";\n'  # 5: counted (an index of a table with rows)
    'CREATE INDEX "User_plan_idx" ON "User"("plan");\n'  # 6: counted (SHARE)
    'CREATE INDEX "Team_name_idx" ON "Team"("name");\n'  # 7: a new table's index: not counted
)


def test_the_first_is_named_and_the_others_counted() -> None:
    [(line, message)] = _findings(SQL)
    assert line == 3
    assert '"User"' in message and "2 more statements do the same in this file." in message


def test_an_ignore_on_a_counted_statement_covers_the_finding() -> None:
    lines = SQL.splitlines(keepends=True)
    ignored = "".join(lines[:4]) + "-- migralint: ignore require-lock-timeout -- set by the deploy\n" + "".join(lines[4:])
    assert _findings(ignored) == []
    # On a statement the rule does not count, it covers nothing.
    not_counted = "".join(lines[:6]) + "-- migralint: ignore require-lock-timeout -- new table\n" + "".join(lines[6:])
    assert [line for line, _ in _findings(not_counted)] == [3]
