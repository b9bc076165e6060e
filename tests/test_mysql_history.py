"""The history rules on a MySQL folder, end to end: a real git repository with a bare repository as
its remote, a Prisma folder whose lock file says MySQL, and `lint --since origin/main`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FOLDER = "prisma/migrations"
# Words that belong to PostgreSQL's verdicts: a MySQL folder's findings must not use them.
_POSTGRES_WORDS = ("PostgreSQL", "psql", "ACCESS EXCLUSIVE", "CONCURRENTLY", "lock_timeout =", "NOT VALID")


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture()
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main, pushed to a bare remote, holds three applied MySQL migrations; the branch is checked out."""
    git(tmp_path, "init", "-q", "--bare", "remote.git")
    work = tmp_path / "work"
    folder = work / FOLDER
    write(folder / "migration_lock.toml", 'provider = "mysql"\n')
    write(folder / "20240101000000_init" / "migration.sql",
          "CREATE TABLE `User` (`id` INT NOT NULL, `name` VARCHAR(20) NULL, PRIMARY KEY (`id`));\n")
    write(folder / "20240102000000_add_email" / "migration.sql",
          "ALTER TABLE `User` ADD COLUMN `email` VARCHAR(191) NULL;\n")
    write(folder / "20240103000000_posts" / "migration.sql",
          "CREATE TABLE `Post` (`id` INT NOT NULL, `authorId` INT NOT NULL, PRIMARY KEY (`id`));\n")
    git(work.parent, "init", "-q", "-b", "main", "work")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "init")
    git(work, "remote", "add", "origin", "../remote.git")
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-q", "-b", "feature")
    monkeypatch.chdir(work)
    return work


def lint_json(*args: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["lint", "--no-cache", "--format", "json", "--select", "ALL", *args])
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_history_rules_on_a_mysql_folder_speak_mysql(work: Path) -> None:
    folder = work / FOLDER
    write(folder / "20240102000000_add_email" / "migration.sql",
          "ALTER TABLE `User` ADD COLUMN `email` VARCHAR(255) NULL;\n")
    shutil.rmtree(folder / "20240103000000_posts")
    # Pending, but sorts before an applied one; its MODIFY grows `name` past 255 bytes in utf8mb4.
    write(folder / "20240101500000_widen_name" / "migration.sql",
          "SET SESSION lock_wait_timeout = 5;\nALTER TABLE `User` MODIFY `name` VARCHAR(80) NULL;\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "feature")

    code, findings = lint_json("--since", "origin/main", FOLDER)

    assert code == 1
    by_rule = {str(f["rule"]): f for f in findings}
    assert set(by_rule) == {"edited-applied-migration", "deleted-applied-migration", "migration-order-conflict",
                            "changing-column-type"}
    assert str(by_rule["edited-applied-migration"]["message"]).startswith(
        "applied migration 20240102000000_add_email was edited since origin/main")
    assert "20240103000000_posts was deleted" in str(by_rule["deleted-applied-migration"]["message"])
    assert "Prisma Migrate applies it after them" in str(by_rule["migration-order-conflict"]["message"])
    # The pending migration is read as MySQL against the history main applied: `name` was VARCHAR(20).
    assert "from varchar(20) to varchar(80)" in str(by_rule["changing-column-type"]["message"])
    for finding in findings:
        text = f"{finding['message']}\n{finding['help']}"
        assert not [w for w in _POSTGRES_WORDS if w in text], (finding["rule"], text)
        assert '"User"' not in str(finding["message"])  # MySQL quotes names with backticks


def test_nothing_pending_on_a_mysql_folder_lints_nothing(work: Path) -> None:
    result = CliRunner().invoke(main, ["lint", "--no-cache", "--format", "concise", "--since", "origin/main", FOLDER])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "migralint: nothing to lint: no migration added since origin/main\n"


def test_a_schema_switched_away_from_mysql_is_said_in_mysql_terms(work: Path) -> None:
    write(work / "prisma" / "schema.prisma",
          'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n')
    code, findings = lint_json(FOLDER)
    mismatch = [f for f in findings if f["rule"] == "prisma-provider-mismatch"]
    assert code == 1 and len(mismatch) == 1
    assert mismatch[0]["message"] == (
        'the datasource provider is "postgresql" but migration_lock.toml says "mysql": `prisma migrate` refuses '
        "to run (P3019), and this history's SQL is written for mysql.")
    assert mismatch[0]["help"] == (
        'Point the datasource back at the database the migrations are for: provider = "mysql". Moving to '
        "postgresql takes a new migration history.")
