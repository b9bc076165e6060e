"""The engine hands an ALTER TABLE only to the rules that take one of its subcommand types (a rule's
`subcommands`): the findings are the ones every rule called on every ALTER TABLE gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from migralint.config import Settings
from migralint.linter.engine import lint_text
from migralint.linter.parse import parse_source
from migralint.linter.rule_set import CheckingRule, RuleSet
from migralint.migrations.layouts import RunnerMode, Section
from migralint.rules.registry import ALL_RULES, build_rule_set
from migralint.rules.rule_index import RULES
from migralint.sql.dialect import Dialect
from tests.rules.test_fixtures import fixture_options

# The rule fixtures that say ALTER TABLE (RENAME and other dialects' too: the comparison is cheap).
FIXTURES = [
    path for path in sorted((Path(__file__).parents[1] / "rules" / "fixtures").glob("*.sql"))
    if "alter table" in path.read_text(encoding="utf-8").lower()
]

# Existing tables (no CREATE in the file): the rules that skip new tables look at every form.
EVERY_FORM = """\
ALTER TABLE "User" ADD COLUMN "a" INTEGER DEFAULT random()::int;
ALTER TABLE "User" ADD COLUMN "b" SERIAL PRIMARY KEY;
ALTER TABLE "User" ADD COLUMN "c" INTEGER GENERATED ALWAYS AS ("x" * 2) STORED;
ALTER TABLE "User" ADD COLUMN "d" INTEGER REFERENCES "Team"("id") UNIQUE CHECK ("d" > 0);
ALTER TABLE "User" ADD CONSTRAINT "User_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id");
ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE ("email");
ALTER TABLE "User" ADD CONSTRAINT "User_pkey" PRIMARY KEY ("id");
ALTER TABLE "User" ADD CONSTRAINT "User_x_check" CHECK ("x" > 0);
ALTER TABLE "User" ADD CONSTRAINT "User_no_overlap" EXCLUDE USING gist ("room" WITH =);
ALTER TABLE "User" ADD CONSTRAINT "Name_that_is_far_too_long_for_postgresql_to_keep_whole_so_it_clips_it" CHECK ("x" > 1);
ALTER TABLE "User" VALIDATE CONSTRAINT "User_x_check";
ALTER TABLE "User" ALTER COLUMN "x" TYPE BIGINT;
ALTER TABLE "User" ALTER COLUMN "x" SET NOT NULL, ALTER COLUMN "y" DROP NOT NULL;
ALTER TABLE "User" ALTER COLUMN "x" SET DEFAULT 0;
ALTER TABLE "User" DROP COLUMN "legacy", DROP CONSTRAINT "User_old_key";
ALTER TABLE "User" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "User" SET LOGGED;
ALTER TABLE "Measurement" DETACH PARTITION "Measurement_2020";
ALTER TABLE "Measurement" DETACH PARTITION "Measurement_2021" CONCURRENTLY;
ALTER TABLE "User" ADD COLUMN "e" TEXT, ALTER COLUMN "x" TYPE TEXT, DETACH PARTITION "User_old";
UPDATE "User" SET "e" = 'x';
"""


class _EveryAlterTable:
    """A rule as the engine called it before the dispatch by subcommand: on every ALTER TABLE."""

    subcommands: tuple[str, ...] = ()

    def __init__(self, rule: Any) -> None:
        self._rule = rule

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rule, name)


def _unfiltered(settings: Settings) -> RuleSet:
    rules = build_rule_set(settings)
    every: list[CheckingRule] = [_EveryAlterTable(rule.loaded()) for rule in rules.rules]  # type: ignore[attr-defined]
    return RuleSet(every, rules.known)


def _lint(
    sql: str, runner: RunnerMode, settings: Settings, rules: RuleSet, dialect: Dialect = Dialect.POSTGRESQL
) -> list[tuple[object, ...]]:
    report = lint_text(
        sql, path="m.sql", sections=[Section(0, len(sql), runner)], settings=settings, rules=rules, dialect=dialect
    )
    return [(f.rule, f.line, f.column, f.end_line, f.end_column, f.message, f.help, f.covers) for f in report.findings]


@pytest.mark.parametrize("runner", list(RunnerMode))
def test_every_alter_table_form_finds_what_calling_every_rule_finds(runner: RunnerMode) -> None:
    settings = Settings(select=("ALL",))
    found = _lint(EVERY_FORM, runner, settings, build_rule_set(settings))
    assert found == _lint(EVERY_FORM, runner, settings, _unfiltered(settings))
    # The forms reach the rules that have a subcommand list (otherwise this compares nothing).
    reached = {rule for rule, *_ in found}
    assert {"adding-field-with-default", "adding-foreign-key-constraint", "changing-column-type",
            "disallowed-unique-constraint", "adding-exclusion-constraint", "identifier-too-long",
            "adding-serial-primary-key-field", "constraint-missing-not-valid"} <= reached


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_each_rule_fixture_finds_what_calling_every_rule_finds(path: Path) -> None:
    sql = path.read_text(encoding="utf-8")
    runner, settings, dialect = fixture_options(sql)
    found = _lint(sql, runner, settings, build_rule_set(settings), dialect)
    assert found == _lint(sql, runner, settings, _unfiltered(settings), dialect)


def _names(rules: RuleSet, sql: str) -> set[str]:
    return {rule.name for rule in rules.statement_rules(parse_source(sql).statements[0])}


def test_an_alter_table_reaches_only_the_rules_of_its_subcommands() -> None:
    rules = build_rule_set(Settings(select=("ALL",)))
    drop = _names(rules, 'ALTER TABLE "User" DROP CONSTRAINT "User_old_key";')
    add = _names(rules, 'ALTER TABLE "User" ADD COLUMN "a" INTEGER DEFAULT 0;')
    both = _names(rules, 'ALTER TABLE "User" ADD COLUMN "a" INTEGER, ALTER COLUMN "b" TYPE TEXT;')
    assert "adding-field-with-default" not in drop and "adding-field-with-default" in add
    assert "changing-column-type" not in add and "changing-column-type" in both
    assert "statements-after-access-exclusive" in drop  # a rule without a list takes every ALTER TABLE
    assert add < both


def test_an_add_constraint_reaches_only_the_rules_of_its_constraint_type() -> None:
    rules = build_rule_set(Settings(select=("ALL",)))
    foreign = _names(rules, 'ALTER TABLE "User" ADD CONSTRAINT "f" FOREIGN KEY ("t") REFERENCES "Team"("id");')
    primary = _names(rules, 'ALTER TABLE "User" ADD CONSTRAINT "User_pkey" PRIMARY KEY ("id");')
    column = _names(rules, 'ALTER TABLE "User" ADD COLUMN "a" INTEGER;')
    assert "adding-foreign-key-constraint" in foreign and "adding-foreign-key-constraint" not in primary
    assert "adding-serial-primary-key-field" in primary and "adding-serial-primary-key-field" not in foreign
    assert not {"adding-exclusion-constraint", "disallowed-unique-constraint", "constraint-missing-not-valid"} & foreign
    # A rule that lists the subcommand type alone takes every ADD CONSTRAINT; an ADD COLUMN, whose
    # own constraints it may add, reaches every rule about one kind of constraint.
    assert "identifier-too-long" in foreign and "identifier-too-long" in primary
    assert {"adding-foreign-key-constraint", "adding-serial-primary-key-field", "adding-exclusion-constraint",
            "disallowed-unique-constraint", "constraint-missing-not-valid"} <= column


def test_only_alter_table_rules_list_subcommands_and_the_index_says_them() -> None:
    entries = {entry.name: entry for entry in RULES}
    for rule in ALL_RULES:
        assert not rule.subcommands or "AlterTableStmt" in rule.nodes, rule.name
        assert all(s.startswith("AT_") for s in rule.subcommands), rule.name
        assert entries[rule.name].subcommands == tuple(rule.subcommands), rule.name


def _every_model_rule(settings: Settings) -> RuleSet:
    """The rule set as PostgreSQL's engine dispatched the statement model before: every rule
    with `kinds`, those that check libpg_query's tree (`nodes`) too."""
    rules = build_rule_set(settings)
    rules.by_kind = {}
    for rule in rules.rules:
        if Dialect.POSTGRESQL in rule.dialects:
            for kind in rule.kinds:
                rules.by_kind.setdefault(kind, []).append(rule)
    rules.model_rules = tuple(dict.fromkeys(r for found in rules.by_kind.values() for r in found))
    return rules


@pytest.mark.parametrize("runner", list(RunnerMode))
def test_a_rule_that_checks_the_tree_finds_nothing_more_through_the_model(runner: RunnerMode) -> None:
    settings = Settings(select=("ALL",))
    before = _every_model_rule(settings)
    both = {rule.name for found in before.by_kind.values() for rule in found if rule.nodes}
    # PostgreSQL's engine hands these to check alone now (the comparison is about them).
    assert {"adding-foreign-key-constraint", "changing-column-type", "unbatched-backfill"} <= both
    assert not any(rule.nodes for found in build_rule_set(settings).by_kind.values() for rule in found)
    sqls = [EVERY_FORM, *(
        (Path(__file__).parents[1] / "rules" / "fixtures" / f"{name}.sql").read_text(encoding="utf-8")
        for name in sorted(both)
    )]
    for sql in sqls:
        assert _lint(sql, runner, settings, build_rule_set(settings)) == _lint(sql, runner, settings, before)
