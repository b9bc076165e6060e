"""The CockroachDB front end: statements, spans and events from real pglast parses, CockroachDB's own
syntax built from its rewrite, and the dialect chosen by each way a project can say it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.sql import ir
from migralint.sql.cockroachdb.front_end import parse, rollback_from
from migralint.sql.dialect import Dialect

TWO_CHANGES = "ALTER TABLE users ADD COLUMN nickname STRING;\nCREATE INDEX users_nickname_idx ON users (nickname);\n"


def _events(sql: str) -> list[tuple[ir.Event, ...]]:
    return [s.events for s in parse(sql).statements]


def test_spans_are_characters_after_non_ascii_text() -> None:
    sql = "-- café ☕\nSELECT 'é';\n  DROP INDEX \"users\"@\"users_é_idx\";\nSELECT 1 ,, 2;\n"
    parsed = parse(sql)
    assert parsed.dialect is Dialect.COCKROACHDB
    assert [sql[s.start : s.end] for s in parsed.statements] == [
        "SELECT 'é'", 'DROP INDEX "users"@"users_é_idx"', "SELECT 1 ,, 2"]
    (problem,) = parsed.statement_errors
    assert sql[problem.offset :].startswith(", 2;") and problem.message.startswith("syntax error")
    assert [s.understood for s in parsed.statements] == [True, True, False]


def test_cockroach_syntax_is_built_from_its_rewrite() -> None:
    (drop,), (pk,), (computed, plain), (index,) = _events(
        "DROP INDEX app.users@users_email_idx;\n"
        "ALTER TABLE users ALTER PRIMARY KEY USING COLUMNS (tenant_id, id);\n"
        "ALTER TABLE users ADD COLUMN email_lower STRING NOT NULL AS (lower(email)) STORED, ADD COLUMN note STRING;\n"
        "CREATE INDEX users_email_idx ON users (email) STORING (name);\n"
    )
    assert drop == ir.DropIndex(ir.TableName("app", "users_email_idx"), ir.TableName("app", "users"))
    assert pk == ir.OtherTableChange(ir.TableName("public", "users"), ir.ALTER_PRIMARY_KEY)
    assert isinstance(computed, ir.AddColumn) and computed.column.generated and computed.column.generated_stored
    assert isinstance(plain, ir.AddColumn) and not plain.column.generated
    assert isinstance(index, ir.CreateIndex) and index.columns == ("email",)


def test_statements_of_its_own_are_not_understood_and_not_errors() -> None:
    parsed = parse("UPSERT INTO users (id) VALUES (1);\nSET CLUSTER SETTING kv.rangefeed.enabled = true;\n"
                   "ALTER TABLE users CONFIGURE ZONE USING gc.ttlseconds = 600;\n")
    assert [(s.kind, s.understood) for s in parsed.statements] == [
        (ir.Kind.INSERT, False), (ir.Kind.SET, False), (ir.Kind.ALTER_TABLE, False)]
    assert not parsed.statement_errors and parsed.syntax_error is None


def test_statements_carry_no_postgresql_lock() -> None:
    (statement,) = parse("ALTER TABLE users ADD COLUMN n INT NOT NULL DEFAULT 0;").statements
    assert statement.locks == () and statement.tables == (ir.TableName("public", "users"),)


def test_an_unterminated_string_stops_the_file_where_it_starts() -> None:
    sql = "ALTER TABLE a ADD COLUMN b INT;\nINSERT INTO a VALUES ('x);\n"
    parsed = parse(sql)
    assert [s.kind for s in parsed.statements] == [ir.Kind.ALTER_TABLE]
    assert parsed.syntax_error is not None and sql[parsed.syntax_error.offset :].startswith("'x)")


def test_goose_down_section() -> None:
    text = "-- +goose Up\nALTER TABLE a ADD COLUMN b INT;\n-- +goose Down\nALTER TABLE a DROP COLUMN b;\n"
    assert rollback_from(text) == text.index("-- +goose Down")
    assert rollback_from("SELECT 1;") is None


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _lint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", "--no-cache", *args])
    return result.exit_code, result.stdout, result.stderr


def test_prisma_runs_each_statement_on_its_own_golang_migrate_and_popx_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner decides whether two schema changes share a transaction (docs/dialects/cockroachdb.md)."""
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "prisma/migrations/migration_lock.toml", 'provider = "cockroachdb"\n')
    _write(tmp_path / "prisma/migrations/1_nick/migration.sql", TWO_CHANGES)
    _write(tmp_path / "golang/1_nick.up.sql", TWO_CHANGES)
    _write(tmp_path / "popx/20240101000000000000_nick.cockroach.up.sql", TWO_CHANGES)
    _write(tmp_path / "popx/20240101000000000000_nick.postgres.up.sql", TWO_CHANGES)
    rule = ("--select", "cockroach-schema-changes-in-transaction")
    code, out, err = _lint(*rule, "prisma/migrations")  # the provider says CockroachDB; Prisma: one statement at a time
    assert (code, err, out) == (0, "", "No problems in 1 file.\n")
    code, out, _ = _lint(*rule, "--dialect", "cockroachdb", "golang")
    assert "golang/1_nick.up.sql:2:1: warning[cockroach-schema-changes-in-transaction]" in out
    assert "golang-migrate sends the file as one query" in out
    # A popx folder keeps one file per database: PostgreSQL's are linted unless the setting names CockroachDB.
    assert _lint(*rule, "popx")[1] == "No problems in 1 file.\n"
    code, out, _ = _lint(*rule, "--dialect", "cockroachdb", "popx")
    assert out.count("warning[cockroach-schema-changes-in-transaction]") == 1
    assert "nick.cockroach.up.sql:2:1" in out and "ory popx runs each migration file in one transaction" in out
    _write(tmp_path / "migralint.toml", 'dialect = "crdb"\n')
    code, out, _ = _lint(*rule, "golang")  # the setting, by one of its names
    assert "golang/1_nick.up.sql:2:1: warning[cockroach-schema-changes-in-transaction]" in out


def test_apply_status_and_resolve_refuse_a_cockroachdb_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "prisma/migrations/migration_lock.toml", 'provider = "cockroachdb"\n')
    _write(tmp_path / "prisma/migrations/1_init/migration.sql", "CREATE TABLE t (id INT8 PRIMARY KEY);\n")
    url = "postgresql://nobody@127.0.0.1:1/none"
    for command in (["apply", "--yes"], ["status"], ["resolve", "--applied", "1_init"]):
        result = CliRunner().invoke(main, [*command, "--database-url", url])
        assert result.exit_code == 2, (command, result.stderr)
        assert result.stderr == (
            "migralint: error: prisma/migrations holds CockroachDB migrations, and apply, status and resolve run "
            "PostgreSQL migrations only: use the project's own migration tool for them\n"), command
