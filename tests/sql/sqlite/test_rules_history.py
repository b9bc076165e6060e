"""The SQLite rules on whole folders: the children's foreign keys come from earlier migrations
(the catalog replays the folder), and the runner decides whether the file's PRAGMA works."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from migralint.cli import main

_POST = 'CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, "body" TEXT);\n'
_COMMENT = (
    'CREATE TABLE "Comment" ("id" INTEGER NOT NULL PRIMARY KEY, "postId" INTEGER NOT NULL,\n'
    '    CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE);\n'
)
# Prisma's generated rebuild (-- RedefineTables), as teableio/teable's migrations have it.
_REBUILD = (
    'PRAGMA foreign_keys=OFF;\n'
    'CREATE TABLE "new_Post" ("id" INTEGER NOT NULL PRIMARY KEY, "title" TEXT NOT NULL, "body" TEXT, "views" INTEGER);\n'
    'INSERT INTO "new_Post" ("body", "id", "title") SELECT "body", "id", "title" FROM "Post";\n'
    'DROP TABLE "Post";\n'
    'ALTER TABLE "new_Post" RENAME TO "Post";\n'
    'PRAGMA foreign_key_check;\n'
    'PRAGMA foreign_keys=ON;\n'
)


def _prisma(root: Path, *files: str) -> Path:
    folder = root / "prisma" / "migrations"
    folder.mkdir(parents=True)
    (folder / "migration_lock.toml").write_text('provider = "sqlite"\n')
    for number, sql in enumerate(files, start=1):
        (folder / f"2024010{number}000000_m{number}").mkdir()
        (folder / f"2024010{number}000000_m{number}" / "migration.sql").write_text(sql)
    return folder


def _golang_migrate(root: Path, *files: str) -> Path:
    folder = root / "migrations"
    folder.mkdir()
    for number, sql in enumerate(files, start=1):
        (folder / f"{number}_m{number}.up.sql").write_text(sql)
    return folder


def _findings(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(main, ["lint", "--no-cache", "--format", "json", "--exit-zero", *args])
    assert result.exit_code == 0, result.output
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings


def _of(findings: list[dict[str, object]], rule: str) -> list[dict[str, object]]:
    return [f for f in findings if f["rule"] == rule]


def test_a_child_created_two_migrations_back_is_found(tmp_path: Path) -> None:
    rebuild = _REBUILD.replace("PRAGMA foreign_keys=OFF;\n", "")
    folder = _prisma(tmp_path, _POST, _COMMENT, rebuild)
    cascades = _of(_findings(str(folder)), "sqlite-rebuild-cascades")
    assert len(cascades) == 1
    assert str(cascades[0]["path"]).endswith("20240103000000_m3/migration.sql") and cascades[0]["line"] == 3
    # Names as the user wrote them ("Comment", not "comment").
    assert '"Comment" ("postId", ON DELETE CASCADE) deletes its rows' in str(cascades[0]["message"])
    assert "PRAGMA foreign_keys=OFF;" in str(cascades[0]["help"])


def test_prisma_rebuild_with_its_pragma_is_safe(tmp_path: Path) -> None:
    """Prisma sends the file without a transaction: its PRAGMA foreign_keys=OFF takes effect."""
    findings = _findings(str(_prisma(tmp_path, _POST, _COMMENT, _REBUILD)))
    assert not _of(findings, "sqlite-rebuild-cascades")
    assert not _of(findings, "sqlite-foreign-keys-pragma-in-transaction")
    assert not _of(findings, "sqlite-rebuild-drops-columns")
    assert [f["line"] for f in _of(findings, "sqlite-table-rebuild")] == [3]


def test_the_same_rebuild_under_golang_migrate_cascades(tmp_path: Path) -> None:
    """golang-migrate's sqlite driver runs the file in a transaction: the PRAGMA does nothing."""
    findings = _findings("--dialect", "sqlite", str(_golang_migrate(tmp_path, _POST, _COMMENT, _REBUILD)))
    assert [f["line"] for f in _of(findings, "sqlite-rebuild-cascades")] == [4]
    assert [f["line"] for f in _of(findings, "sqlite-foreign-keys-pragma-in-transaction")] == [1]
    assert "x-no-tx-wrap=true" in str(_of(findings, "sqlite-rebuild-cascades")[0]["help"])


def test_golang_migrate_file_with_its_own_begin_runs_unwrapped(tmp_path: Path) -> None:
    """pocket-id's form: PRAGMA off, BEGIN, the rebuild, COMMIT (SQLite would refuse that BEGIN
    inside the driver's transaction, so the project runs with x-no-tx-wrap)."""
    body = _REBUILD.replace("PRAGMA foreign_keys=OFF;\n", "PRAGMA foreign_keys=OFF;\nBEGIN;\n").replace(
        "PRAGMA foreign_key_check;\n", "COMMIT;\n")
    findings = _findings("--dialect", "sqlite", str(_golang_migrate(tmp_path, _POST, _COMMENT, body)))
    assert not _of(findings, "sqlite-rebuild-cascades")
    assert not _of(findings, "sqlite-foreign-keys-pragma-in-transaction")


def test_a_column_known_from_history_left_out_of_the_copy(tmp_path: Path) -> None:
    rebuild = _REBUILD.replace('"body", "id", "title"', '"id", "title"').replace(', "body" TEXT', "")
    findings = _findings(str(_prisma(tmp_path, _POST, _COMMENT, rebuild)))
    lost = _of(findings, "sqlite-rebuild-drops-columns")
    assert [f["line"] for f in lost] == [3]
    assert 'leaves out "body" of "Post"' in str(lost[0]["message"])


def test_a_column_moved_to_another_table_is_kept(tmp_path: Path) -> None:
    """vaultwarden's 2018-04-27-155151_create_users_ciphers: folder_uuid leaves the rebuilt table
    for folders_ciphers, copied there before the drop."""
    rebuild = _REBUILD.replace('"body", "id", "title"', '"id", "title"').replace(', "body" TEXT', "").replace(
        'DROP TABLE "Post";', 'CREATE TABLE "PostBody" ("postId" INTEGER, "body" TEXT);\n'
        'INSERT INTO "PostBody" ("postId", "body") SELECT "id", "body" FROM "Post" WHERE "body" IS NOT NULL;\n'
        'DROP TABLE "Post";')
    findings = _findings(str(_prisma(tmp_path, _POST, _COMMENT, rebuild)))
    assert not _of(findings, "sqlite-rebuild-drops-columns")


def test_a_table_created_by_the_same_migration_is_quiet(tmp_path: Path) -> None:
    findings = _findings(str(_prisma(tmp_path, _POST + _COMMENT + _REBUILD.replace("PRAGMA foreign_keys=OFF;\n", ""))))
    assert not [f for f in findings if str(f["rule"]).startswith("sqlite-")]


def test_apply_status_and_resolve_refuse_a_sqlite_folder(tmp_path: Path) -> None:
    folder = _prisma(tmp_path, _POST)
    for command in (["apply", "--yes"], ["status"], ["resolve", "--applied", "20240101000000_m1"]):
        result = CliRunner().invoke(main, [*command, str(folder), "--database-url", "postgresql://u@127.0.0.1:1/db"])
        assert result.exit_code == 2, (command, result.output)
        assert "SQLite" in result.output and "Traceback" not in result.output


def _git(repo: Path, *args: str) -> str:
    import os
    import subprocess

    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_history_rules_work_on_a_sqlite_folder(tmp_path: Path, monkeypatch: object) -> None:
    """edited-applied-migration and deleted-applied-migration are dialect-neutral: a SQLite Prisma
    folder in a repository whose main is pushed to a bare remote, then edited and pruned."""
    import shutil

    import pytest

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    remote, repo = tmp_path / "remote.git", tmp_path / "repo"
    repo.mkdir()
    folder = _prisma(repo, _POST, _COMMENT)
    _git(tmp_path, "init", "-q", "--bare", str(remote))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "init")
    _git(repo, "remote", "add", "origin", str(remote))
    _git(repo, "push", "-q", "origin", "main")
    first = folder / "20240101000000_m1" / "migration.sql"
    first.write_text(_POST.replace('"body" TEXT', '"body" TEXT, "slug" TEXT'))
    shutil.rmtree(folder / "20240102000000_m2")
    findings = _findings("--since", "origin/main", str(folder))
    rules = {str(f["rule"]) for f in findings}
    assert {"edited-applied-migration", "deleted-applied-migration"} <= rules, findings
