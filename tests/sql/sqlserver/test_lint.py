"""SQL Server files through the whole linter: a Prisma folder (provider "sqlserver"), its TRY/TRAN
wrapper as a real transaction, history replayed across migrations, only the rules that hold for SQL
Server, and apply/status/resolve refusing the folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.config import Settings
from migralint.rules.registry import RULES_BY_NAME
from migralint.sql.dialect import Dialect
from tests.helpers import lint_sql

WRAPPED = """BEGIN TRY

BEGIN TRAN;

{body}

COMMIT TRAN;

END TRY
BEGIN CATCH

IF @@TRANCOUNT > 0
BEGIN
    ROLLBACK TRAN;
END;
THROW

END CATCH
"""
INIT = """CREATE TABLE [dbo].[posts] (
    [id] INT NOT NULL IDENTITY(1,1),
    [title] NVARCHAR(100) NOT NULL,
    [views] INT NOT NULL,
    CONSTRAINT [posts_pkey] PRIMARY KEY CLUSTERED ([id])
);"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def prisma_folder(root: Path, *migrations: str) -> Path:
    folder = root / "prisma" / "migrations"
    write(folder / "migration_lock.toml", 'provider = "sqlserver"\n')
    for number, body in enumerate(migrations, start=1):
        name = ("init", "change_posts", "empty_step")[number - 1]
        write(folder / f"2024010{number}000000_{name}" / "migration.sql", WRAPPED.format(body=body))
    return folder


def test_a_prisma_sqlserver_folder_is_linted_against_its_own_history(tmp_path: Path) -> None:
    folder = prisma_folder(
        tmp_path, INIT,
        "ALTER TABLE [dbo].[posts] ALTER COLUMN [views] BIGINT NOT NULL;\n"
        "ALTER TABLE [dbo].[posts] ALTER COLUMN [title] NVARCHAR(200) NOT NULL;\n"
        "CREATE NONCLUSTERED INDEX [posts_title_idx] ON [dbo].[posts]([title]);",
    )
    code, out, err = run("lint", "--format", "concise", str(folder))
    lines = [line for line in out.splitlines() if line.startswith(str(folder))]
    # int to bigint rewrites (the type comes from the first migration); a longer nvarchar changes only metadata
    assert code == 1, err
    assert [line.split(" ", 2)[:2] for line in lines] == [
        [f"{folder}/20240102000000_change_posts/migration.sql:5:1:", "error[mssql-alter-column-size-of-data]"],
        [f"{folder}/20240102000000_change_posts/migration.sql:7:1:", "error[mssql-blocking-index]"],
    ], out
    assert "(int to bigint changes how every value is stored)" in lines[0]
    # Prisma's BEGIN TRAN ... COMMIT TRAN is a real transaction: the lock is held to the commit.
    assert all("held until the migration's transaction commits" in line for line in lines), out


def test_without_the_wrapper_no_transaction_holds_the_lock() -> None:
    sql = "CREATE NONCLUSTERED INDEX [posts_title_idx] ON [dbo].[posts]([title]);\n"
    (bare,) = [f for f in lint_sql(sql, dialect=Dialect.SQLSERVER).findings if f.rule == "mssql-blocking-index"]
    (wrapped,) = [f for f in lint_sql(WRAPPED.format(body=sql), dialect=Dialect.SQLSERVER).findings
                  if f.rule == "mssql-blocking-index"]
    assert "transaction commits" not in bare.message
    assert "held until the migration's transaction commits" in wrapped.message


def test_no_postgresql_rule_fires_on_sqlserver() -> None:
    # Each statement here breaks a PostgreSQL rule (CONCURRENTLY, lock_timeout, NOT VALID, a type change...).
    sql = WRAPPED.format(body=(
        "CREATE INDEX [posts_views_idx] ON [dbo].[posts]([views]) WITH (ONLINE = ON);\n"
        "ALTER TABLE [dbo].[posts] ADD CONSTRAINT [posts_author_fkey] FOREIGN KEY ([authorId]) REFERENCES [dbo].[users]([id]);\n"
        "ALTER TABLE [dbo].[posts] ADD [body] NVARCHAR(max) NULL;\n"
        "ALTER TABLE [dbo].[posts] ADD [flag] BIT NOT NULL CONSTRAINT [posts_flag_df] DEFAULT 0;\n"
        "UPDATE [dbo].[posts] SET [flag] = 1;\n"
        "DROP INDEX [posts_views_idx] ON [dbo].[posts];"
    ))
    findings = lint_sql(sql, settings=Settings(select=("ALL",)), dialect=Dialect.SQLSERVER).findings
    assert findings == [] or all(Dialect.SQLSERVER in RULES_BY_NAME[f.rule].dialects for f in findings), findings
    assert not findings, [(f.rule, f.message) for f in findings]


def test_history_rules_run_on_a_sqlserver_folder(tmp_path: Path) -> None:
    folder = prisma_folder(tmp_path, INIT)
    write(folder / "20240102000000_change_posts" / "migration.sql", "-- nothing here\n")
    code, out, _ = run("lint", "--format", "concise", str(folder))
    assert [line.split(" ", 2)[:2] for line in out.splitlines() if line.startswith(str(folder))] == [
        [f"{folder}/20240102000000_change_posts/migration.sql:1:1:", "warning[migration-name]"]], out
    assert "holds no SQL" in out


def test_hand_written_tsql_is_not_understood_never_an_error(tmp_path: Path) -> None:
    sql = (
        "IF OBJECT_ID('dbo.posts_archive') IS NULL\n"
        "BEGIN\n"
        "    CREATE TABLE [dbo].[posts_archive] ([id] INT NOT NULL)\n"
        "END;\n"
        "DECLARE @n INT = 0;\n"
        "WHILE @n < 3 BEGIN SET @n = @n + 1 END;\n"
        "ALTER TABLE [dbo].[posts] DROP COLUMN [views];\n"
    )
    path = write(tmp_path / "1.sql", sql)
    code, out, err = run("lint", "--dialect", "sqlserver", "--format", "concise", str(path))
    assert code == 1 and err == ""
    assert [line.split(" ", 2)[1] for line in out.splitlines() if line.startswith(str(path))] == ["error[ban-drop-column]"]


@pytest.mark.parametrize("command", [["apply", "--yes"], ["status"], ["resolve", "--applied", "20240101000000_init"]])
def test_apply_status_and_resolve_refuse_a_sqlserver_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    prisma_folder(tmp_path, INIT)
    code, _, err = run(*command, "--database-url", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2, err
    assert err == ("migralint: error: prisma/migrations holds SQL Server migrations, and apply, status and resolve "
                   "run PostgreSQL migrations only: use the project's own migration tool for them\n")
