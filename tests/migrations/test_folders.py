"""Finding migrations folders (monorepos included) and which of their migrations `lint` lints."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.migrations.folders import find_folders, migration_root, touches_migrations

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "prisma"
WIDEN = 'ALTER TABLE "User" ALTER COLUMN "email" TYPE varchar(50);\n'


def write(path: Path, text: str = "SELECT 1;\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def lint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", "--format", "concise", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("path", "root"), [
    ("packages/db/prisma/migrations/20240101000000_init/migration.sql", "packages/db/prisma/migrations"),
    ("packages/database/migration/20240101000000_init/migration.sql", "packages/database/migration"),
    ("migrations/2024-01-01-000000_init/up.sql", "migrations"),
    ("src/main/resources/db/migration/V1_2__users.sql", "src/main/resources/db/migration"),
    ("make/migrations/postgresql/0001_init.up.sql", "make/migrations/postgresql"),
    ("persistence/sql/20210101000000000000_x.postgres.down.sql", "persistence/sql"),
    ("supabase/migrations/20240101000000_init.sql", "supabase/migrations"),
    ("db/migrations/20240101000000_init.sql", "db/migrations"),
    ("scripts/report.sql", None),
    ("sql/queries/top_users.sql", None),
    ("prisma/schema.prisma", None),
])
def test_a_file_belongs_to_a_migrations_folder_by_its_path(path: str, root: str | None) -> None:
    found = migration_root(PurePosixPath(path))
    assert (found.as_posix() if found is not None else None) == root


def test_touches_migrations() -> None:
    assert not touches_migrations(["README.md", "scripts/report.sql", "src/app.ts"])
    assert touches_migrations(["prisma/migrations/1_x/migration.sql"])  # a deletion is a path too
    assert touches_migrations(["prisma/migrations/migrations.lock"])
    assert not touches_migrations(["node_modules/pkg/migrations/1.sql", ".venv/x/migrations/1.sql"])
    assert touches_migrations(["sql/schema/1.sql"], configured="sql/schema")


def test_folders_are_found_under_the_project_and_dependencies_skipped(tmp_path: Path) -> None:
    write(tmp_path / "apps/web/prisma/migrations/1_init/migration.sql")
    write(tmp_path / "packages/db/prisma/migrations/1_init/migration.sql")
    write(tmp_path / "services/api/db/migrations/001_init.sql")
    write(tmp_path / "scripts/report.sql")
    write(tmp_path / "node_modules/some-orm/migrations/1_init.sql")
    write(tmp_path / ".git/migrations/1.sql")
    write(tmp_path / "env/pyvenv.cfg", "home = /usr\n")  # a virtual environment, whatever its name
    write(tmp_path / "env/lib/site/migrations/1.sql")
    found = [p.relative_to(tmp_path).as_posix() for p in find_folders(tmp_path)]
    assert found == ["apps/web/prisma/migrations", "packages/db/prisma/migrations", "services/api/db/migrations"]


def test_each_folder_is_linted_against_its_own_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a/prisma/migrations/1_init/migration.sql", 'CREATE TABLE "User" ("email" varchar(10));\n')
    write(tmp_path / "a/prisma/migrations/2_widen/migration.sql", WIDEN)  # a's history says: in place
    write(tmp_path / "b/prisma/migrations/1_widen/migration.sql", WIDEN)  # b knows nothing of the column
    write(tmp_path / "c/prisma/migrations/migration_lock.toml", 'provider = "mongodb"\n')
    write(tmp_path / "c/prisma/migrations/1_init/migration.sql", "CREATE TABLE `t` (`id` INT);\n")
    # A MySQL folder is linted as MySQL, against its own history: `id` was INT in its 1_init, so
    # BIGINT is a type change MySQL makes by copying the table.
    write(tmp_path / "d/prisma/migrations/migration_lock.toml", 'provider = "mysql"\n')
    write(tmp_path / "d/prisma/migrations/1_init/migration.sql", "CREATE TABLE `t` (`id` INT);\n")
    write(tmp_path / "d/prisma/migrations/2_widen/migration.sql", "ALTER TABLE `t` MODIFY `id` BIGINT;\n")
    code, out, err = lint("--select", "changing-column-type")
    assert code == 1
    assert out.splitlines() == [
        "b/prisma/migrations/1_widen/migration.sql:1:20: error[changing-column-type] ALTER COLUMN TYPE takes "
        'ACCESS EXCLUSIVE on "User" and rewrites it (and rebuilds its indexes): every query on it, reads '
        "included, waits (unless the old type is varchar(n) with n <= 50, which PostgreSQL changes in place).",
        "d/prisma/migrations/2_widen/migration.sql:1:17: error[changing-column-type] This ALTER changes `id` of `t` "
        "from int to bigint: MySQL runs a type change with ALGORITHM=COPY, copying every row of `t` while writes to "
        "it (INSERT, UPDATE, DELETE) wait."]
    assert err.splitlines() == [
        "migralint: note: not linting c/prisma/migrations (provider mongodb): migralint lints CockroachDB, MySQL, "
        "PostgreSQL, SQL Server, SQLite migrations",
        "migralint: linting a/prisma/migrations (Prisma Migrate)",
        "migralint: linting b/prisma/migrations (Prisma Migrate)",
        "migralint: linting d/prisma/migrations (Prisma Migrate)",
    ]


def test_lock_writes_a_lock_file_in_each_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a/prisma/migrations/1_init/migration.sql")
    write(tmp_path / "b/db/migrations/001_init.sql")
    result = CliRunner().invoke(main, ["lock"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "a/prisma/migrations/migrations.lock").is_file()
    assert (tmp_path / "b/db/migrations/migrations.lock").is_file()


@pytest.fixture()
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four migrations, the findings all in the old ones, as in a project that adopts migralint."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "prisma" / "migrations"
    write(folder / "1_user/migration.sql", 'CREATE TABLE "User" ("id" int, "email" text);\n')
    write(folder / "2_email/migration.sql", 'CREATE INDEX "a" ON "User"("email");\n')
    write(folder / "3_id/migration.sql", 'CREATE INDEX "b" ON "User"("id");\n')
    write(folder / "4_comment/migration.sql", 'COMMENT ON TABLE "User" IS \'users\';\n')
    return folder


def test_a_few_old_findings_need_no_hint(history: Path) -> None:
    code, _, err = lint("--select", "require-concurrent-index-creation")
    assert code == 1 and "note" not in err  # 2 findings: read, not drowned in


def test_with_no_source_the_summary_names_the_migration_to_mark_applied(history: Path) -> None:
    indexes = "".join(f'CREATE INDEX "i{k}" ON "User"("email");\n' for k in range(9))
    (history / "3_id" / "migration.sql").write_text(indexes)
    code, out, err = lint("--select", "require-concurrent-index-creation")
    assert code == 1 and len(out.splitlines()) == 10
    assert err.splitlines()[-1] == (
        "migralint: note: 10 of 10 findings in prisma/migrations are in migrations before 4_comment. If production "
        'has run them, say so and they are replayed, not linted: applied_through = "3_id" under [tool.migralint] '
        "(or --assume-applied-through 3_id); or let git (--since origin/main) or the database (--database-url) "
        "say what is applied.")


def test_applied_migrations_are_replayed_not_linted(history: Path) -> None:
    code, out, err = lint("--select", "require-concurrent-index-creation", "--assume-applied-through", "3_id")
    assert (code, out) == (0, "")
    assert "note" not in err
    (history / "5_again" / "migration.sql").parent.mkdir()
    (history / "5_again" / "migration.sql").write_text('CREATE INDEX "c" ON "User"("email", "id");\n')
    code, out, _ = lint("--select", "require-concurrent-index-creation", "--assume-applied-through", "3_id")
    assert code == 1 and out.startswith("prisma/migrations/5_again/migration.sql:1:1:")  # User holds data
    # pending since 2_email: the User table it indexes is applied, the index is still a lock on data
    code, out, _ = lint("--select", "require-concurrent-index-creation", "--assume-applied-through", "1_user")
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "prisma/migrations/2_email/migration.sql", "prisma/migrations/3_id/migration.sql",
        "prisma/migrations/5_again/migration.sql"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_the_corpus_monorepo_layouts_are_found() -> None:
    found = {p.relative_to(CORPUS).as_posix() for p in find_folders(CORPUS)}
    assert {"lukevella__rallly", "documenso__documenso", "triggerdotdev__trigger.dev"} <= found
