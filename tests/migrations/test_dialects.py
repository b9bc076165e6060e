"""The dialect of each migration: Prisma's provider, popx's file names, the `dialect` setting and
--dialect; PostgreSQL by default; each folder its own; apply, status and resolve refuse MySQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.migrations.discover import discover, folders_of
from migralint.sql.dialect import Dialect

FULLTEXT = "CREATE FULLTEXT INDEX `Post_body_idx` ON `Post` (`body`);\n"


def write(path: Path, text: str = "SELECT 1;\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_prisma_provider_from_the_lock_file_else_the_schema(tmp_path: Path) -> None:
    locked = tmp_path / "a" / "prisma" / "migrations"
    write(locked / "migration_lock.toml", 'provider = "mysql"\n')
    write(locked / "1_init" / "migration.sql")
    unlocked = tmp_path / "b" / "prisma" / "migrations"
    write(unlocked / "1_init" / "migration.sql")
    write(tmp_path / "b" / "prisma" / "schema.prisma", 'datasource db {\n  provider = "mysql"\n  url = env("X")\n}\n')
    plain = tmp_path / "c" / "prisma" / "migrations"
    write(plain / "1_init" / "migration.sql")
    files = discover([str(tmp_path)])
    assert {m.path.relative_to(tmp_path).parts[0]: m.dialect for m in files} == {
        "a": Dialect.MYSQL, "b": Dialect.MYSQL, "c": Dialect.POSTGRESQL}


def test_popx_names_say_the_dialect(tmp_path: Path) -> None:
    for name in ("20200101000000000000_init.mysql.up.sql", "20200101000000000000_init.mysql.down.sql",
                 "20200101000000000000_init.sqlite3.up.sql"):
        write(tmp_path / "mysql-only" / name)
    both = ["20200101000000000000_init.mysql.up.sql", "20200101000000000000_init.postgres.up.sql"]
    for name in both:
        write(tmp_path / "both" / name)
    files = discover([str(tmp_path / "mysql-only")])
    assert [(m.path.name, m.dialect) for m in files] == [
        ("20200101000000000000_init.mysql.up.sql", Dialect.MYSQL),
        ("20200101000000000000_init.mysql.down.sql", Dialect.MYSQL)]
    # A folder with both keeps PostgreSQL's files unless MySQL is asked for; its history is one dialect's.
    assert [m.path.name for m in discover([str(tmp_path / "both")])] == [both[1]]
    chosen = discover([str(tmp_path / "both")], dialect=Dialect.MYSQL)
    assert [m.path.name for m in chosen] == [both[0]]
    assert [m.path.name for m in next(iter(folders_of(chosen).values()))] == [both[0]]


def test_the_setting_names_the_dialect_of_other_layouts(tmp_path: Path) -> None:
    write(tmp_path / "V1__init.sql")
    assert [m.dialect for m in discover([str(tmp_path)])] == [Dialect.POSTGRESQL]
    assert [m.dialect for m in discover([str(tmp_path)], dialect=Dialect.MYSQL)] == [Dialect.MYSQL]


def test_two_folders_of_two_dialects_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "api" / "prisma" / "migrations" / "migration_lock.toml", 'provider = "mysql"\n')
    write(tmp_path / "api" / "prisma" / "migrations" / "1_index" / "migration.sql", FULLTEXT)
    write(tmp_path / "web" / "prisma" / "migrations" / "migration_lock.toml", 'provider = "postgresql"\n')
    write(tmp_path / "web" / "prisma" / "migrations" / "1_index" / "migration.sql", 'CREATE INDEX "i" ON "Post" ("x");\n')
    code, out, err = run("lint", "--format", "concise", "--select", "mysql-blocking-index,require-concurrent-index-creation")
    assert code == 1
    assert [line.split(" ")[1] for line in out.splitlines()] == [
        "error[mysql-blocking-index]", "error[require-concurrent-index-creation]"]
    assert out.splitlines()[0].startswith("api/prisma/migrations/1_index/migration.sql:1:1: ")


def test_dialect_option_and_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "db" / "migrations" / "001_index.sql", FULLTEXT)
    selected = ("--format", "concise", "--select", "mysql-blocking-index,syntax-error", "db/migrations")
    code, out, _ = run("lint", *selected)
    assert code == 1 and "error[syntax-error]" in out  # read as PostgreSQL, backticks are no SQL
    code, out, _ = run("lint", "--dialect", "mysql", *selected)
    assert code == 1 and out.splitlines() == [
        "db/migrations/001_index.sql:1:1: error[mysql-blocking-index] This FULLTEXT index `Post_body_idx` on `Post` "
        "is built with writes blocked: every INSERT, UPDATE and DELETE on `Post` waits until it is built, and the "
        "first FULLTEXT index rebuilds the table."]
    write(tmp_path / "migralint.toml", 'dialect = "mariadb"\nmariadb_version = "10.6"\n')
    code, again, _ = run("lint", *selected)
    assert (code, again) == (1, out)
    write(tmp_path / "migralint.toml", 'dialect = "oracle"\n')
    code, _, err = run("lint", *selected)
    assert code == 2 and "dialect must be one of 'cockroach', 'cockroachdb', 'crdb', 'mariadb', 'mssql', 'mysql'" in err


def test_apply_status_and_resolve_refuse_a_mysql_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "prisma" / "migrations"
    write(folder / "migration_lock.toml", 'provider = "mysql"\n')
    write(folder / "1_init" / "migration.sql", "CREATE TABLE `t` (`id` INT);\n")
    url = "postgresql://nobody@127.0.0.1:1/none"
    for command in (["apply", "--yes"], ["status"], ["resolve", "--applied", "1_init"]):
        code, _, err = run(*command, "--database-url", url)
        assert code == 2, (command, err)
        assert err == ("migralint: error: prisma/migrations holds MySQL migrations, and apply, status and resolve "
                       "run PostgreSQL migrations only: use the project's own migration tool for them\n"), command


def test_a_mysql_projects_own_database_url_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    folder = tmp_path / "prisma" / "migrations"
    write(folder / "migration_lock.toml", 'provider = "mysql"\n')
    write(folder / "1_index" / "migration.sql", FULLTEXT)
    write(tmp_path / "prisma" / "schema.prisma", 'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n')
    write(tmp_path / ".env", 'DATABASE_URL="mysql://app:secret@127.0.0.1:3306/app"\n')
    code, out, err = run("lint", "--format", "concise", "--select", "mysql-blocking-index")
    assert code == 1 and "error[mysql-blocking-index]" in out
    assert "names a mysql:// database, and migralint reads PostgreSQL databases only" in err
    assert "secret" not in err


def test_rules_says_which_rules_are_mysql_only() -> None:
    code, out, _ = run("rules")
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert code == 0 and lines["mysql-table-copy"].endswith("[MySQL]")
    assert lines["require-concurrent-index-creation"].endswith("[PostgreSQL]")
