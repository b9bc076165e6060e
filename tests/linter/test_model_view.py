"""Rules that read the statement model run in the PostgreSQL engine: dispatch by kind and dialect,
one answer to "does this table hold rows", findings on event spans, a bug contained to one rule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from migralint.config import Settings
from migralint.findings import Finding, Severity
from migralint.linter.catalog import Catalog
from migralint.linter.model_replay import apply_postgres
from migralint.linter.engine import lint_text
from migralint.linter.rule_set import RuleSet
from migralint.migrations.layouts import Section
from migralint.linter.model_context import ModelContext
from migralint.linter.parse import parse_source
from migralint.migrations.layouts import RunnerMode
from migralint.rules.base import Rule
from migralint.sql import ir
from migralint.sql.dialect import Dialect


class SaysRows(Rule):
    """Reports, on each dropped column, what the context says about the table's rows."""

    name = "says-rows"
    severity = Severity.ERROR
    summary = why = bad = good = "x"
    kinds = (ir.Kind.ALTER_TABLE,)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        for event in statement.events:
            if isinstance(event, ir.DropColumn):
                rows = ctx.rows(event.table)
                yield ctx.finding(self, f"{ctx.sql.name(event.table)}: {rows.kind.value} {rows.why}".strip(),
                                  span=statement.span_of(event))


class MySqlOnly(SaysRows):
    name = "mysql-only"
    dialects: ClassVar[frozenset[Dialect]] = frozenset({Dialect.MYSQL})


class Crashes(SaysRows):
    name = "crashes"

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        raise RuntimeError("boom")


def lint(sql: str, rules: list[Rule], catalog: Catalog | None = None, pending: frozenset[str] = frozenset()) -> list[Finding]:
    names = [rule.name for rule in rules]
    report = lint_text(sql, path="m.sql", sections=[Section(0, len(sql), RunnerMode.TRANSACTION)],
                       settings=Settings(select=tuple(names)), rules=RuleSet(rules, names),
                       catalog=catalog, migration="m2", pending=pending)
    return list(report.findings)


def test_rows_is_one_answer_with_its_reason() -> None:
    sql = (
        'CREATE TABLE "New" ("a" int, "b" int);\n'
        'ALTER TABLE "New" DROP COLUMN "a";\n'
        'ALTER TABLE "Old" DROP COLUMN "a";\n'
        'TRUNCATE "Old";\n'
        'ALTER TABLE "Old" DROP COLUMN "b";\n'
        'ALTER TABLE "Pending" DROP COLUMN "a";\n'
    )
    catalog = Catalog()
    for statement in parse_source('CREATE TABLE "Pending" ("a" int);').statements:
        apply_postgres(catalog, statement, "m1")
    findings = lint(sql, [SaysRows()], catalog, pending=frozenset({"m1"}))
    assert [(f.line, f.message) for f in findings] == [
        (2, "New: new created earlier in this file"),
        (3, "Old: existing"),
        (5, "Old: emptied emptied by a TRUNCATE earlier in this file"),
        (6, "Pending: new created by pending migration m1"),
    ]


def test_findings_land_on_the_event_and_only_postgresql_rules_run() -> None:
    sql = 'ALTER TABLE "T" ADD COLUMN "c" int,\n  DROP COLUMN "é☕";'
    (finding,) = lint(sql, [SaysRows(), MySqlOnly()])
    assert finding.rule == "says-rows"
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 3, 2, 19)


def test_a_crashing_model_rule_costs_only_its_own_findings() -> None:
    findings = lint('ALTER TABLE "T" DROP COLUMN "c";', [Crashes(), SaysRows()])
    assert sorted(f.rule for f in findings) == ["internal-error", "says-rows"]
    assert "rule crashes" in next(f.message for f in findings if f.rule == "internal-error")


def test_the_rule_set_indexes_model_rules_by_kind() -> None:
    rules = RuleSet([SaysRows(), MySqlOnly()], ["says-rows", "mysql-only"])
    assert [r.name for r in rules.by_kind[ir.Kind.ALTER_TABLE]] == ["says-rows"]
    assert ir.Kind.DROP_TABLE not in rules.by_kind
