"""The resolver and Prisma's URL parameters on a real PostgreSQL: directUrl wins, lint and apply agree,
`?schema=` is created, PgBouncer and Accelerate URLs are refused the same way by every command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main
from tests.pg import Database, database, postgres  # noqa: F401

INIT = 'CREATE TABLE "Booking" ("id" SERIAL PRIMARY KEY, "note" TEXT);\n'
NAME = "20240101000000_init"
DEAD_POOLER = "postgresql://app:pooler-pass@127.0.0.1:9/pooled?pgbouncer=true&connection_limit=1"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "CI", "DIRECT_URL", "POSTGRES_PRISMA_URL"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "prisma" / "migrations"
    (folder / NAME).mkdir(parents=True)
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    (folder / NAME / "migration.sql").write_text(INIT)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"NO_COLOR": "1", "CI": None})
    return result.exit_code, result.stdout, result.stderr


def test_direct_url_from_prisma_env_wins_for_every_command(root: Path, database: Database) -> None:
    (root / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider  = "postgresql"\n  url       = env("POSTGRES_PRISMA_URL")\n'
        '  directUrl = env("DIRECT_URL")\n}\n')
    (root / "prisma" / ".env").write_text(
        f"POSTGRES_PRISMA_URL={DEAD_POOLER}\nDIRECT_URL='{database.url}'\nDATABASE_URL={DEAD_POOLER}\n")
    origin = 'directUrl = env("DIRECT_URL") in prisma/schema.prisma:4, DIRECT_URL in prisma/.env'
    code, _, err = run("apply", "--dry-run")
    assert code == 0 and f"(from {origin})" in err and "1 migration(s) would be applied" in err, err
    code, _, err = run("apply", "--yes")
    assert code == 0 and err.splitlines()[-1] == "migralint: applied 1 migration(s)", err
    code, out, err = run("status")
    assert code == 0 and f"(from {origin})" in err and f"applied      {NAME}" in out, err + out
    # lint reads the same database: the migration is applied there, so nothing is left to lint.
    code, _, err = run("lint")
    assert code == 0 and f"(from {origin}) count as applied" in err, err
    assert "nothing to lint" in err
    assert "pooler-pass" not in err
    # --staged (the pre-commit hook) still asks git only.
    code, _, err = run("lint", "--staged")
    assert "count as applied" not in err


def test_schema_parameter_creates_the_schema_before_the_history_table(root: Path, database: Database) -> None:
    url = f"{database.url}&schema=App%20Schema"
    code, out, err = run("apply", "--dry-run", "--database-url", url)
    assert code == 0 and "1 migration(s) would be applied" in err, err
    assert 'migralint: schema "App Schema" (?schema= in the URL) does not exist: it is created right before' in err
    assert database.run("SELECT count(*) FROM pg_namespace WHERE nspname = 'App Schema'") == [(0,)]
    code, out, err = run("apply", "--yes", "--database-url", url)
    assert code == 0, err
    tables = database.run("SELECT table_schema, table_name FROM information_schema.tables "
                          "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 2")
    assert tables == [("App Schema", "Booking"), ("App Schema", "_prisma_migrations")]
    code, out, err = run("status", "--database-url", url)
    assert code == 0 and "history in App Schema._prisma_migrations" in out, out


def test_resolve_applied_creates_the_schema_too(root: Path, database: Database) -> None:
    url = f"{database.url}&schema=baseline"
    code, _, err = run("resolve", "--applied", NAME, "--database-url", url)
    assert code == 0, err
    assert database.run('SELECT migration_name FROM baseline."_prisma_migrations"') == [(NAME,)]


def test_pgbouncer_is_refused_by_dry_run_and_apply_with_the_same_sentence(root: Path, database: Database) -> None:
    url = f"{database.url}&pgbouncer=true"
    dry = run("apply", "--dry-run", "--database-url", url)
    real = run("apply", "--yes", "--database-url", url)
    assert dry[0] == real[0] == 2
    assert dry[2].splitlines()[-1] == real[2].splitlines()[-1]
    assert "goes through PgBouncer (pgbouncer=true)" in real[2].splitlines()[-1]


@pytest.mark.parametrize("scheme", ["prisma", "prisma+postgres"])
@pytest.mark.parametrize("command", [("lint",), ("status",), ("apply", "--dry-run"), ("apply", "--yes"),
                                     ("resolve", "--applied", NAME)])
def test_accelerate_urls_are_refused_by_every_command(root: Path, scheme: str, command: tuple[str, ...]) -> None:
    url = f"{scheme}://accelerate.prisma-data.net/?api_key=eyJhbGciSECRETKEY"
    code, out, err = run(*command, "--database-url", url)
    assert code == 2 and out == "", err
    assert err == (f"migralint: error: the database URL is a {scheme}:// URL (Prisma Accelerate or Prisma Postgres), "
                   "which only Prisma's own client can use: give the direct postgresql:// URL (Prisma's directUrl) "
                   "to migralint\n")


def test_prisma_7_config_file_names_the_url(root: Path, database: Database) -> None:
    (root / "prisma" / "schema.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\n')
    (root / "prisma.config.ts").write_text(
        'import "dotenv/config"\nimport { defineConfig, env } from "prisma/config"\n\n'
        'export default defineConfig({\n  schema: "prisma/schema.prisma",\n'
        '  datasource: { url: env("DIRECT_URL") },\n})\n')
    (root / ".env").write_text(f"DIRECT_URL={database.url}\nDATABASE_URL={DEAD_POOLER}\n")
    code, _, err = run("apply", "--yes")
    assert code == 0, err
    assert 'from datasource.url = env("DIRECT_URL") in prisma.config.ts:6, DIRECT_URL in .env' in err


def test_lint_says_why_it_reads_no_database_when_the_datasource_variable_is_unset(
    root: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL")\n'
        '  directUrl = env("DIRECT_URL")\n}\n')
    monkeypatch.setenv("DATABASE_URL", database.url)
    code, out, err = run("lint")
    assert code == 0 and "count as applied" not in err, err
    assert ('migralint: note: the database is not read: no database URL: directUrl = env("DIRECT_URL") in '
            "prisma/schema.prisma:4, and DIRECT_URL is not set") in err
    monkeypatch.delenv("DATABASE_URL")
    code, out, err = run("lint")
    assert code == 0 and "database" not in err, err
