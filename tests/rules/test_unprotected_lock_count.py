"""require-lock-timeout names the first statement that waits on a table holding rows and counts
the others: the count and the statements an ignore may sit on are what the rule's two readings
(the first put into words, the rest only tested) must agree on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from migralint import api
from migralint.config import Settings
from migralint.linter.catalog import Catalog
from migralint.linter.engine import lint_text, replay_text
from migralint.migrations.layouts import RunnerMode, Section
from migralint.rules import unprotected_lock
from tests.helpers import rule_set

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "rules" / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus" / "prisma"

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


def _both_readings(paths: list[str], monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """For every statement the walk looks at (the fixtures', a corpus's), what each reading says:
    whether _blocks_writes finds a lock, and whether _strongest_blocking_lock does."""
    seen: list[tuple[bool, bool]] = []
    follow = unprotected_lock.UnprotectedLockRule._follow

    def both(self: Any, statement: Any, ctx: Any, walk: Any) -> None:
        seen.append((unprotected_lock._blocks_writes(statement, ctx),
                     unprotected_lock._strongest_blocking_lock(statement, ctx) is not None))
        follow(self, statement, ctx, walk)

    monkeypatch.setattr(unprotected_lock.UnprotectedLockRule, "_follow", both)
    settings = Settings(select=("require-lock-timeout",))
    api.lint(api.LintRequest(paths=paths, settings=settings, rules=rule_set(settings), jobs=1))
    return seen


def test_the_two_readings_agree_on_every_statement_of_the_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first unprotected statement is put into words, the rest only tested: the test (one
    # function) must find a lock exactly where the words (the other) do.
    seen = _both_readings([str(p) for p in sorted(FIXTURES.glob("*.sql"))], monkeypatch)
    assert {True, False} <= {found for found, _ in seen}
    assert [found for found, _ in seen] == [worded for _, worded in seen]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus/prisma")
def test_the_two_readings_agree_on_every_statement_of_a_corpus_project(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _both_readings([str(CORPUS / "documenso__documenso")], monkeypatch)
    assert len(seen) > 500 and {True, False} <= {found for found, _ in seen}
    assert [found for found, _ in seen] == [worded for _, worded in seen]
