"""The engine for model-only dialects (MySQL): ignores, per-file ignores, new tables, history,
syntax errors and bugs contained to a statement, exactly as for PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.api import LintRequest, lint
from migralint.config import Settings
from migralint.linter.catalog import Catalog
from migralint.linter.engine import lint_text, replay_text
from migralint.migrations.layouts import Section
from migralint.migrations.layouts import RunnerMode
from migralint.rules.mysql.table_copy import MySqlTableCopy
from migralint.sql.dialect import Dialect
from tests.helpers import lint_sql, rule_set

ALL = Settings(select=("ALL",))


def mysql(sql: str, settings: Settings = ALL, **kwargs: object) -> list[tuple[int, str]]:
    report = lint_sql(sql, settings=settings, dialect=Dialect.MYSQL, **kwargs)  # type: ignore[arg-type]
    return [(f.line, f.rule) for f in report.findings]


def test_inline_ignores_work_as_for_postgresql() -> None:
    sql = (
        "SET SESSION lock_wait_timeout = 5;\n"
        "-- migralint: ignore mysql-blocking-index -- built at night\n"
        "CREATE FULLTEXT INDEX `f` ON `Post` (`body`);\n"
        "CREATE FULLTEXT INDEX `g` ON `Post` (`title`); -- migralint: ignore mysql-blocking-index -- small\n"
        "CREATE FULLTEXT INDEX `h` ON `Post` (`x`);\n"
        "-- migralint: ignore mysql-table-copy -- nothing to ignore here\n"
        "CREATE INDEX `i` ON `Post` (`y`);\n"
        "-- migralint: ignore no-such-rule\n"
        "SELECT 1;\n"
    )
    report = lint_sql(sql, settings=ALL, dialect=Dialect.MYSQL)
    found = sorted((f.line, f.rule) for f in report.findings if f.rule != "non-transactional-migration")
    assert found == [(5, "mysql-blocking-index"), (6, "unused-ignore"), (8, "unknown-rule-in-ignore")]
    assert sorted(i.finding.line for i in report.ignored) == [3, 4]
    assert {i.reason for i in report.ignored} == {"built at night", "small"}


def test_per_file_ignores_and_selection() -> None:
    sql = "CREATE FULLTEXT INDEX `f` ON `Post` (`body`);\n"
    settings = Settings(select=("ALL",), per_file_ignores={"migration.sql": ("mysql-blocking-index",)})
    assert mysql(sql, settings) == [(1, "require-lock-wait-timeout")]
    assert mysql(sql, Settings(select=("require-lock-wait-timeout",))) == [(1, "require-lock-wait-timeout")]


def test_postgresql_rules_never_fire_on_mysql() -> None:
    sql = "SET SESSION lock_wait_timeout = 5;\nCREATE INDEX `i` ON `User` (`email`);\nDROP INDEX `i` ON `User`;\n"
    assert mysql(sql) == [(3, "non-transactional-migration")]
    # The same statements as PostgreSQL: CONCURRENTLY is PostgreSQL's.
    pg = lint_sql('CREATE INDEX "i" ON "User" ("email");', settings=ALL)
    assert "require-concurrent-index-creation" in {f.rule for f in pg.findings}


def test_tables_created_by_a_pending_migration_are_new() -> None:
    catalog = Catalog()
    create = "CREATE TABLE `Post` (`id` INT NOT NULL, `body` TEXT NULL, PRIMARY KEY (`id`));"
    replay_text(create, [Section(0, len(create), RunnerMode.SINGLE_QUERY)], catalog, "1_init", dialect=Dialect.MYSQL)
    sql = "CREATE FULLTEXT INDEX `f` ON `Post` (`body`);"

    def run(pending: frozenset[str]) -> list[str]:
        report = lint_text(sql, path="2.sql", sections=[Section(0, len(sql), RunnerMode.SINGLE_QUERY)], settings=ALL,
                           rules=rule_set(ALL), catalog=catalog, migration="2_index", pending=pending,
                           dialect=Dialect.MYSQL)
        return [f.rule for f in report.findings]

    assert run(frozenset({"1_init"})) == []
    catalog = Catalog()
    replay_text(create, [Section(0, len(create), RunnerMode.SINGLE_QUERY)], catalog, "1_init", dialect=Dialect.MYSQL)
    assert sorted(run(frozenset())) == ["mysql-blocking-index", "require-lock-wait-timeout"]


def test_history_replay_gives_the_old_column_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "prisma" / "migrations"
    for name, sql in (
        ("1_init", "CREATE TABLE `Order` (`id` INT NOT NULL, `state` ENUM('new', 'paid') NOT NULL);\n"),
        ("2_rename", "ALTER TABLE `Order` CHANGE `state` `status` ENUM('new', 'paid') NOT NULL;\n"),
        ("3_reorder", "ALTER TABLE `Order` MODIFY `status` ENUM('paid', 'new') NOT NULL;\n"),
    ):
        (folder / name).mkdir(parents=True)
        (folder / name / "migration.sql").write_text(sql)
    (folder / "migration_lock.toml").write_text('provider = "mysql"\n')
    settings = Settings(select=("mysql-table-copy",), applied_through="2_rename")
    result = lint(LintRequest(paths=["prisma/migrations"], settings=settings)).result
    assert [(f.path, f.line, f.rule) for f in result.findings] == [
        ("prisma/migrations/3_reorder/migration.sql", 1, "mysql-table-copy")]
    assert "`status`" in result.findings[0].message
    assert not result.internal_errors


def test_syntax_errors_are_findings_per_statement() -> None:
    sql = "SET SESSION lock_wait_timeout = 5;\nDROP TABLE `a`\nDROP TABLE `b`;\nCREATE FULLTEXT INDEX `f` ON `P` (`x`);\n"
    report = lint_sql(sql, settings=Settings(select=("syntax-error", "mysql-blocking-index")), dialect=Dialect.MYSQL)
    assert [(f.line, f.column, f.rule) for f in report.findings] == [
        (3, 1, "syntax-error"), (4, 1, "mysql-blocking-index")]
    assert "the others were" in report.findings[0].message


def test_a_bug_in_a_rule_costs_one_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: object, statement: object, ctx: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(MySqlTableCopy, "check_statement", broken)
    sql = "SET SESSION lock_wait_timeout = 5;\nALTER TABLE `t` ADD COLUMN `c` INT;\nCREATE FULLTEXT INDEX `f` ON `t` (`c`);\n"
    report = lint_sql(sql, settings=Settings(select=("mysql-table-copy", "mysql-blocking-index")),
                      dialect=Dialect.MYSQL)
    # The broken rule reads ALTER TABLE only: one statement lost, the other rule still heard.
    assert sorted((f.line, f.rule) for f in report.findings) == [(2, "internal-error"), (3, "mysql-blocking-index")]
    assert len(report.errors) == 1 and "boom" in report.errors[0].error


def test_goose_down_section_is_not_checked_as_forward_sql() -> None:
    sql = (
        "-- +goose Up\nSET SESSION lock_wait_timeout = 5;\nCREATE FULLTEXT INDEX `f` ON `P` (`x`);\n"
        "-- +goose Down\nCREATE FULLTEXT INDEX `g` ON `P` (`y`);\n"
    )
    assert mysql(sql, Settings(select=("mysql-blocking-index",))) == [(3, "mysql-blocking-index")]


def test_the_model_engine_answers_what_the_drop_and_timeout_rules_ask() -> None:
    from migralint.linter.model_engine import FileState
    from migralint.sql import ir
    from migralint.sql.front_ends import front_end

    front = front_end(Dialect.MYSQL)
    sql = "CREATE INDEX `i` ON `Post` (`x`);\nBEGIN;\nUPDATE `Post` SET `x` = 1;\nDELETE FROM `Post`;\nCOMMIT;\nSELECT 1;\n"
    parsed = front.parse(sql, {})
    statements = parsed.statements
    state = FileState(parsed, statements, path="m.sql", settings=ALL, sql=front.sql, catalog=Catalog(),
                      migration="m", pending=frozenset(), tool="")
    state.at(2)
    assert state.same_transaction(statements[3]) and not state.same_transaction(statements[5])
    state.at(5)
    assert not state.same_transaction(statements[5])  # after COMMIT: in no transaction
    assert state.index_owner(ir.TableName("", "i")).table == ir.TableName("", "Post")
    assert state.index_owner(ir.TableName("", "other")).table is None
    assert state.source(statements[0]) == "CREATE INDEX `i` ON `Post` (`x`)"
    state.at(0)
    assert state.index_owner(ir.TableName("", "i")).table is None  # not created yet


def test_finish_section_reports_once_per_section_in_the_model_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections.abc import Iterator

    from migralint.findings import Finding
    from migralint.linter.model_context import ModelContext

    def finish(self: MySqlTableCopy, ctx: ModelContext) -> Iterator[Finding]:
        yield ctx.finding(self, f"{len(ctx.earlier) + 1} statements")

    monkeypatch.setattr(MySqlTableCopy, "finish_section", finish)
    # The rule itself, not its stand-in: the index says the class has no finish_section of its own.
    from migralint.linter.rule_set import RuleSet

    sql, settings = "SELECT 1;\nSELECT 2;\n", Settings(select=("mysql-table-copy",))
    report = lint_text(sql, path="m.sql", sections=[Section(0, len(sql), RunnerMode.AUTOCOMMIT, False)],
                       settings=settings, rules=RuleSet([MySqlTableCopy()], ["mysql-table-copy"]), dialect=Dialect.MYSQL)
    assert [(f.line, f.message) for f in report.findings] == [(2, "2 statements")]
