"""The integrity and ordering rules and `migralint lock`, on real folders (and real git) in tmp_path."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.api import LintRequest, lint
from migralint.cli import main
from migralint.config import Settings
from migralint.findings import Finding
from migralint.migrations.history import AppliedState, KnownSource
from migralint.migrations.lockfile import HEADER, chain, file_hash
from migralint.migrations.versions import following_version
from tests.helpers import rule_set

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
LOCK_TOML = 'provider = "postgresql"\n'
SQL = 'CREATE TABLE "Post" ("id" TEXT NOT NULL);\n'
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def write(path: Path, text: str | bytes = SQL) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def prisma(root: Path, *names: str) -> Path:
    folder = root / "prisma" / "migrations"
    write(folder / "migration_lock.toml", LOCK_TOML)
    for name in names:
        write(folder / name / "migration.sql")
    return folder


def findings(folder: Path, rule: str, applied: set[str] | None = None) -> list[Finding]:
    """Lint a folder with one rule; `applied`, when given, is what a source of truth says."""
    settings = Settings(select=(rule,))
    history = [KnownSource(AppliedState(True, set(applied), sources=["the test"]))] if applied is not None else []
    result = lint(LintRequest(paths=[str(folder)], settings=settings, rules=rule_set(settings), history=history)).result
    return [f for f in result.findings if f.rule == rule]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=check)


def commit_all(repo: Path, message: str = "c") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


# --- migration-order-conflict ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("20240110090000", "20240110090001"),  # Prisma, dbmate: one second later
        ("20241231235959", "20250101000000"),
        ("2024-01-10-090000", "2024-01-10-090001"),  # diesel
        ("202310122339", "202310122340"),  # a timestamp without seconds: one minute later
        ("0005", "0006"),  # golang-migrate sequence numbers keep their width
        ("0099", "0100"),
        ("1_5", "1_6"),  # Flyway
        ("2.3", "2.4"),
        ("20191100000008000004", "20191100000008000005"),  # ory popx: timestamp and sequence
        ("2026-03-08-202630-0000", "2026-03-08-202630-0001"),  # diesel 2's counter
    ],
)
def test_following_version_keeps_the_format(version: str, expected: str) -> None:
    assert following_version(version) == expected


def test_pending_prisma_migration_before_the_newest_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = prisma(tmp_path, "20240101000000_init", "20240105170000_add_user_phone", "20240110090000_add_invoice")
    found = findings(folder, "migration-order-conflict", {"20240101000000_init", "20240110090000_add_invoice"})
    assert [(f.path, f.severity.value) for f in found] == [
        ("prisma/migrations/20240105170000_add_user_phone/migration.sql", "error")
    ]
    assert found[0].message == (
        "20240105170000_add_user_phone is not applied, but 20240110090000_add_invoice, which sorts after it, "
        "is (per the test): Prisma Migrate applies it after them, in an order no other database had."
    )
    assert found[0].help == (
        "Rename it so that it sorts after 20240110090000_add_invoice:\n"
        "git mv prisma/migrations/20240105170000_add_user_phone prisma/migrations/20240110090001_add_user_phone"
    )


def test_two_pending_migrations_out_of_order_get_different_new_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = prisma(tmp_path, "20240102000000_a", "20240103000000_b", "20240110090000_c", "20240110090001_d")
    found = findings(folder, "migration-order-conflict", {"20240110090000_c"})
    assert [f.help.splitlines()[-1].rsplit("/", 1)[-1] for f in found] == [
        "20240110090002_a",  # 090001 is taken by the pending 20240110090001_d
        "20240110090003_b",
    ]


def test_nothing_is_out_of_order_without_a_source_of_truth(tmp_path: Path) -> None:
    folder = prisma(tmp_path, "20240110090000_add_invoice", "20240105170000_add_user_phone")
    assert findings(folder, "migration-order-conflict") == []


def test_migrations_in_order_pass(tmp_path: Path) -> None:
    folder = prisma(tmp_path, "20240101000000_init", "20240105170000_add_user_phone")
    assert findings(folder, "migration-order-conflict", {"20240101000000_init"}) == []


def test_golang_migrate_never_applies_an_older_version_and_both_files_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "db"
    for name in ("0001_init", "0002_add_phone", "0003_add_invoice", "0004_add_index"):
        write(folder / f"{name}.up.sql")
        write(folder / f"{name}.down.sql", "SELECT 1;\n")
    found = findings(folder, "migration-order-conflict", {"0001_init", "0003_add_invoice"})
    assert len(found) == 1
    assert "golang-migrate records only the latest version, so it never applies this one" in found[0].message
    assert found[0].help.splitlines()[1:] == [
        "git mv db/0002_add_phone.down.sql db/0005_add_phone.down.sql",
        "git mv db/0002_add_phone.up.sql db/0005_add_phone.up.sql",
    ]


def test_git_says_what_is_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two branches: main applied a later migration; this branch's older-named one is out of order."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    prisma(tmp_path, "20240101000000_init", "20240110090000_add_invoice")
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path)
    write(tmp_path / "prisma/migrations/20240105170000_add_user_phone/migration.sql")
    code, out, err = run("lint", "--format", "concise", "--select", "migration-order-conflict", "--since", "main",
                         "prisma/migrations")
    assert code == 1, err
    assert out.startswith(
        "prisma/migrations/20240105170000_add_user_phone/migration.sql:1:1: error[migration-order-conflict] "
        "20240105170000_add_user_phone is not applied, but 20240110090000_add_invoice, which sorts after it, is"
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (("0005_add_phone.up.sql", "0005_add_invoice.up.sql"),
         "0005_add_phone and 0005_add_invoice share version 0005: golang-migrate refuses to read the folder"),
        (("V1_1__add_phone.sql", "V1.1__add_invoice.sql"),
         "V1_1__add_phone and V1.1__add_invoice share version 1_1 (1.1 is the same version to Flyway): Flyway"),
        (("V2__add_phone.sql", "V2.0__add_invoice.sql"),
         "V2.0__add_invoice and V2__add_phone share version 2.0 (2 is the same version to Flyway): Flyway refuses"),
        (("20240101000000_add_phone.postgres.up.sql", "20240101000000_add_invoice.postgres.up.sql"),
         "20240101000000_add_phone and 20240101000000_add_invoice share version 20240101000000: ory popx records "
         "migrations by version"),
        (("2024-01-01-000000_add_phone/up.sql", "2024-01-01-000000_add_invoice/up.sql"),
         "2024-01-01-000000_add_phone and 2024-01-01-000000_add_invoice share version 2024-01-01-000000: diesel "
         "records migrations by version"),
    ],
)
def test_two_migrations_with_one_version(tmp_path: Path, files: tuple[str, str], message: str) -> None:
    for name in files:
        write(tmp_path / name)
        if name.endswith("/up.sql"):
            write(tmp_path / name.replace("/up.sql", "/down.sql"), "SELECT 1;\n")
    found = findings(tmp_path, "migration-order-conflict")
    assert len(found) == 1, found
    assert found[0].message.startswith(message), found[0].message


def test_duplicate_version_renames_the_pending_one_after_every_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("0004_init", "0005_add_invoice", "0005_add_phone", "0006_add_index"):
        write(tmp_path / f"{name}.up.sql")
    found = findings(tmp_path, "migration-order-conflict", {"0004_init", "0005_add_phone"})
    assert [f.path for f in found] == ["0005_add_invoice.up.sql"]
    assert found[0].help.splitlines()[1:] == ["git mv 0005_add_invoice.up.sql 0007_add_invoice.up.sql"]


def test_prisma_folders_with_one_timestamp_are_not_a_conflict(tmp_path: Path) -> None:
    """Prisma records the whole folder name and sorts by it, the same in every environment."""
    folder = prisma(tmp_path, "20260706120000_add_asset_index", "20260706120000_add_booking_ids")
    assert findings(folder, "migration-order-conflict") == []
    assert findings(folder, "migration-order-conflict", {"20260706120000_add_asset_index"}) == []
    # ...unless the one applied first sorts after the pending one:
    found = findings(folder, "migration-order-conflict", {"20260706120000_add_booking_ids"})
    assert [f.path.rsplit("/", 2)[-2] for f in found] == ["20260706120000_add_asset_index"]


# --- migration-name -------------------------------------------------------------------------


def test_names_the_guides_would_refuse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = prisma(
        tmp_path,
        "20240101000000_init",  # fine: the first migration
        "20240102000000_add_user_email",
        "20240103000000_AddUserPhone",
        "20240104000000_update",
        "20240105000000_migration1",
        "20240106000000_init2",
        "20240107000000_",
        "20240108000000_fix_stuff",
        "20240109000000_add-invoice-table",  # lowercase kebab-case passes
        "20240110000000_2.9.0_schema",  # a release number says which release
        "20240111000000_added_api_keys copy",
    )
    found = {f.path.split("/")[2]: f for f in findings(folder, "migration-name")}
    assert sorted(found) == [
        "20240103000000_AddUserPhone",
        "20240104000000_update",
        "20240105000000_migration1",
        "20240106000000_init2",
        "20240107000000_",
        "20240108000000_fix_stuff",
        "20240111000000_added_api_keys copy",
    ]
    camel = found["20240103000000_AddUserPhone"]
    assert camel.severity.value == "warning"
    assert camel.message == (
        "20240103000000_AddUserPhone: migration names read best in lowercase snake_case, as the guides ask: "
        "add_user_phone."
    )
    assert camel.help.splitlines()[1] == (
        "git mv prisma/migrations/20240103000000_AddUserPhone prisma/migrations/20240103000000_add_user_phone"
    )
    assert "'update' does not say what the migration changes" in found["20240104000000_update"].message
    assert "has no name after its version" in found["20240107000000_"].message
    assert found["20240111000000_added_api_keys copy"].help.splitlines()[1] == (
        "git mv 'prisma/migrations/20240111000000_added_api_keys copy' "
        "prisma/migrations/20240111000000_added_api_keys_copy"
    )


def test_init_is_vague_after_the_first_migration(tmp_path: Path) -> None:
    folder = prisma(tmp_path, "20240101000000_add_users", "20240102000000_init")
    assert [f.path.split("/")[-2] for f in findings(folder, "migration-name")] == ["20240102000000_init"]


def test_applied_migrations_keep_their_names(tmp_path: Path) -> None:
    folder = prisma(tmp_path, "20240101000000_init", "20240102000000_Update", "20240103000000_wip")
    found = findings(folder, "migration-name", {"20240101000000_init", "20240102000000_Update"})
    assert [f.path.split("/")[-2] for f in found] == ["20240103000000_wip"]


def test_prisma_folder_without_migration_sql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = prisma(tmp_path, "20240101000000_init")
    (folder / "20240102000000_add_invoice").mkdir()
    (folder / ".hidden").mkdir()
    found = findings(folder, "migration-name")
    assert [(f.path, f.message) for f in found] == [
        ("prisma/migrations/20240102000000_add_invoice",
         "20240102000000_add_invoice has no migration.sql: `prisma migrate` stops on a migration folder without one (P3015).")
    ]
    assert found[0].help.splitlines()[1] == "rm -r prisma/migrations/20240102000000_add_invoice"


def test_migration_with_only_comments(tmp_path: Path) -> None:
    folder = prisma(tmp_path, "20240101000000_init", "20240102000000_add_invoice", "20240103000000_add_phone")
    write(folder / "20240102000000_add_invoice" / "migration.sql", "-- This is an empty migration.\n/* ☕ */\n\n")
    write(folder / "20240103000000_add_phone" / "migration.sql", "-- add the column\nSELECT '--';\n")
    found = findings(folder, "migration-name")
    assert [(f.path.split("/")[-2], f.message) for f in found] == [
        ("20240102000000_add_invoice",
         "20240102000000_add_invoice holds no SQL, only comments or blank lines: Prisma Migrate records it as "
         "applied without changing anything.")
    ]


def test_other_layouts(tmp_path: Path) -> None:
    write(tmp_path / "flyway" / "V1__init.sql")
    write(tmp_path / "flyway" / "V2__AddPhone.sql")
    write(tmp_path / "flyway" / "R__views.sql")
    write(tmp_path / "golang" / "0001_init.up.sql")
    write(tmp_path / "golang" / "0002_temp.up.sql")
    write(tmp_path / "golang" / "0002_temp.down.sql", "")  # an empty rollback is not reported
    write(tmp_path / "popx" / "20200101000000_init.postgres.up.sql")
    write(tmp_path / "popx" / "20200102000000_add_phone.postgres.up.sql", "")  # popx's no-op for a dialect
    write(tmp_path / "diesel" / "2024-01-01-000000_create-users" / "up.sql")
    write(tmp_path / "diesel" / "2024-01-01-000000_create-users" / "down.sql", "SELECT 1;\n")
    found = findings(tmp_path, "migration-name")
    assert sorted(f.path.rsplit("/", 1)[-1] for f in found) == ["0002_temp.up.sql", "V2__AddPhone.sql"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_names_in_the_corpus_are_not_noisy() -> None:
    """Measured: 80 findings over 2,900 migrations of 23 folders (mostly amplication's `_migration`
    and unnamed folders). More means a regression towards noise."""
    total = 0
    for project in sorted(p for kind in ("prisma", "other") for p in (CORPUS / kind).iterdir() if p.is_dir()):
        found = findings(project, "migration-name")
        assert not [f for f in found if f.path.endswith(("_init/migration.sql", "01_init/migration.sql"))]
        total += len(found)
    assert 0 < total <= 100


# --- prisma-provider-mismatch ---------------------------------------------------------------

SCHEMA = """\
// ☕ the datasource: provider = "mysql" in a comment does not count
generator client {{
  provider = "prisma-client-js"
}}

datasource db {{
  provider = {provider}
  url      = env("DATABASE_URL") // postgresql://user@host/db
}}
"""


@pytest.mark.parametrize(
    ("provider", "flagged"),
    [('"sqlite"', True), ('"postgresql"', False), ('"postgres"', False), ('env("DB_PROVIDER")', False)],
)
def test_schema_prisma_beside_the_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, provider: str, flagged: bool) -> None:
    monkeypatch.chdir(tmp_path)
    folder = prisma(tmp_path, "20240101000000_init")
    write(tmp_path / "prisma" / "schema.prisma", SCHEMA.format(provider=provider))
    found = findings(folder, "prisma-provider-mismatch")
    assert [(f.path, f.line) for f in found] == ([("prisma/schema.prisma", 7)] if flagged else [])
    if flagged:
        assert found[0].message == (
            'the datasource provider is "sqlite" but migration_lock.toml says "postgresql": `prisma migrate` '
            "refuses to run (P3019), and this history's SQL is written for postgresql."
        )


def test_multi_file_schema_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = prisma(tmp_path, "20240101000000_init")
    write(tmp_path / "prisma" / "schema" / "models" / "user.prisma", "model User {\n  id String @id\n}\n")
    write(tmp_path / "prisma" / "schema" / "base.prisma", SCHEMA.format(provider='"mysql"'))
    found = findings(folder, "prisma-provider-mismatch")
    assert [(f.path, f.line, f.rule) for f in found] == [("prisma/schema/base.prisma", 7, "prisma-provider-mismatch")]


def test_no_lock_file_or_no_schema_says_nothing(tmp_path: Path) -> None:
    folder = prisma(tmp_path, "20240101000000_init")
    assert findings(folder, "prisma-provider-mismatch") == []
    (folder / "migration_lock.toml").unlink()
    write(tmp_path / "prisma" / "schema.prisma", SCHEMA.format(provider='"sqlite"'))
    assert findings(folder, "prisma-provider-mismatch") == []


def test_lock_file_for_another_database_still_stops_migralint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = prisma(tmp_path, "20240101000000_init")
    write(folder / "migration_lock.toml", 'provider = "mongodb"\n')
    write(tmp_path / "prisma" / "schema.prisma", SCHEMA.format(provider='"mongodb"'))
    code, _, err = run("lint", "prisma/migrations")
    assert code == 2
    assert "provider is 'mongodb'" in err


# --- migralint lock and migrations-lock-mismatch ---------------------------------------------


@pytest.fixture()
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Prisma project with three migrations and a migrations.lock written by `migralint lock`."""
    monkeypatch.chdir(tmp_path)
    folder = prisma(tmp_path, "20240101000000_init", "20240102000000_add_posts", "20240103000000_add_phone")
    code, _, err = run("lock")
    assert (code, err) == (0, "migralint: wrote prisma/migrations/migrations.lock (3 migrations)\n")
    return folder


def test_lock_file_format(locked: Path) -> None:
    lines = (locked / "migrations.lock").read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and HEADER.startswith("# migralint migrations.lock v1")
    previous = ""
    for line, name in zip(lines[1:], ("20240101000000_init", "20240102000000_add_posts", "20240103000000_add_phone")):
        hashed = hashlib.sha256(SQL.encode()).hexdigest()
        previous = hashlib.sha256(f"{previous}{name}{hashed}".encode()).hexdigest()
        assert line == f"{name} {hashed} {previous}"
    assert len(lines) == 4


def test_crlf_hashes_like_lf(tmp_path: Path) -> None:
    lf = write(tmp_path / "lf.sql", "SELECT 1;\nSELECT 2;\n")
    crlf = write(tmp_path / "crlf.sql", b"SELECT 1;\r\nSELECT 2;\r\n")
    assert file_hash(lf) == file_hash(crlf) == hashlib.sha256(b"SELECT 1;\nSELECT 2;\n").hexdigest()
    assert chain("", "a", "b") == hashlib.sha256(b"ab").hexdigest()


def test_lock_check(locked: Path) -> None:
    assert run("lock", "--check") == (0, "", "migralint: prisma/migrations/migrations.lock is up to date (3 migrations)\n")
    write(locked / "20240104000000_add_invoice" / "migration.sql")
    code, _, err = run("lock", "--check")
    assert (code, err) == (1, "migralint: prisma/migrations/migrations.lock is out of date: 20240104000000_add_invoice "
                              "is new; run `migralint lock` and commit it\n")
    assert run("lock")[2] == (
        "migralint: wrote prisma/migrations/migrations.lock (4 migrations): 20240104000000_add_invoice is new\n"
    )
    assert run("lock", "--check")[0] == 0
    (locked / "migrations.lock").unlink()
    code, _, err = run("lock", "--check", "prisma/migrations")
    assert (code, err) == (1, "migralint: prisma/migrations/migrations.lock is missing; run `migralint lock` and commit it\n")
    assert not (locked / "migrations.lock").exists()


def test_lock_with_nothing_to_lock_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "migrations").mkdir()
    code, out, err = run("lock")  # an empty folder is no migrations folder
    assert (code, out) == (2, "") and err.startswith("migralint: error: no migrations folder found under ")
    assert run("lock", "nowhere")[0] == 2


def test_a_clean_locked_folder_and_a_new_pending_migration_pass(locked: Path) -> None:
    assert findings(locked, "migrations-lock-mismatch") == []
    write(locked / "20240104000000_add_invoice" / "migration.sql")  # after the last locked one: pending
    assert findings(locked, "migrations-lock-mismatch") == []
    (locked / "20240102000000_add_posts" / "migration.sql").write_bytes(SQL.replace("\n", "\r\n").encode())
    assert findings(locked, "migrations-lock-mismatch") == []  # a CRLF checkout is no edit


def test_edited_locked_migration(locked: Path) -> None:
    write(locked / "20240102000000_add_posts" / "migration.sql", SQL + 'CREATE INDEX "Post_id_idx" ON "Post"("id");\n')
    found = findings(locked, "migrations-lock-mismatch")
    assert [(f.path, f.line, f.severity.value) for f in found] == [
        ("prisma/migrations/20240102000000_add_posts/migration.sql", 1, "error")
    ]
    assert found[0].message.startswith("20240102000000_add_posts was edited after it was locked (migrations.lock line 3")


def test_deleted_locked_migration(locked: Path) -> None:
    shutil.rmtree(locked / "20240102000000_add_posts")
    found = findings(locked, "migrations-lock-mismatch")
    assert [(f.path, f.line) for f in found] == [("prisma/migrations/migrations.lock", 3)]
    assert found[0].message == (
        "migrations.lock lists 20240102000000_add_posts, which is gone from the folder: databases that applied it "
        "keep its changes, new ones will not get them."
    )


def test_migration_inserted_before_the_last_locked_one(locked: Path) -> None:
    write(locked / "20240102120000_add_invoice" / "migration.sql")
    found = findings(locked, "migrations-lock-mismatch")
    assert [f.path for f in found] == ["prisma/migrations/20240102120000_add_invoice/migration.sql"]
    assert found[0].message.startswith(
        "20240102120000_add_invoice is not in migrations.lock but sorts before 20240103000000_add_phone"
    )
    assert found[0].help.splitlines() == [
        "Rename it so that it sorts after 20240103000000_add_phone:",
        "git mv prisma/migrations/20240102120000_add_invoice prisma/migrations/20240103000001_add_invoice",
        "Then run `migralint lock` and commit migrations.lock.",
    ]


def test_hand_edited_lock_file(locked: Path) -> None:
    lock = locked / "migrations.lock"
    lines = lock.read_text(encoding="utf-8").splitlines()
    name, hashed, _ = lines[2].split(" ")
    lines[2] = f"{name} {hashed} {'0' * 64}"
    lock.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = findings(locked, "migrations-lock-mismatch")
    assert [(f.path, f.line) for f in found] == [("prisma/migrations/migrations.lock", 3)]
    assert "does not follow from the lines before it" in found[0].message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("20240101000000_init abc def\n", 1, "migrations.lock cannot be used: its first line is not a migralint lock header."),
        ("# migralint migrations.lock v9: ...\n", 1, "migrations.lock cannot be used: it is format v9; this migralint reads v1."),
        (HEADER + "\n20240101000000_init abc\n", 2,
         'migrations.lock cannot be used: it is not "<migration> <sha256> <sha256>".'),
    ],
)
def test_broken_lock_file(locked: Path, text: str, line: int, message: str) -> None:
    (locked / "migrations.lock").write_text(text, encoding="utf-8")
    found = findings(locked, "migrations-lock-mismatch")
    assert [(f.line, f.message) for f in found][:1] == [(line, message)]


def test_lock_lines_with_spaces_in_the_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = prisma(tmp_path, "20240101000000_init", "20240102000000_add posts copy")
    assert run("lock")[0] == 0
    assert findings(folder, "migrations-lock-mismatch") == []


def test_golang_migrate_lock_lists_the_up_files_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("0001_init", "0002_add_phone"):
        write(tmp_path / "db" / f"{name}.up.sql")
        write(tmp_path / "db" / f"{name}.down.sql", "SELECT 1;\n")
    assert run("lock", "db")[0] == 0
    names = [line.split(" ")[0] for line in (tmp_path / "db" / "migrations.lock").read_text().splitlines()[1:]]
    assert names == ["0001_init", "0002_add_phone"]
    write(tmp_path / "db" / "0002_add_phone.down.sql", "SELECT 2;\n")  # rollbacks never ran: not locked
    assert findings(tmp_path / "db", "migrations-lock-mismatch") == []


def test_listed_is_not_applied(locked: Path) -> None:
    """A locked migration is committed, not applied: the table it creates still holds no rows."""
    write(locked / "20240102000000_add_posts" / "migration.sql", SQL)
    write(locked / "20240103000000_add_phone" / "migration.sql", 'SET lock_timeout = \'1s\';\nCREATE INDEX "Post_id_idx" ON "Post"("id");\n')
    assert run("lock")[0] == 0
    code, out, err = run("lint", "--format", "concise", "--assume-applied-through", "20240101000000_init",
                         "--select", "require-concurrent-index-creation,migrations-lock-mismatch", "prisma/migrations")
    assert (code, out) == (0, ""), err


@needs_git
def test_two_branches_that_add_migrations_conflict_on_the_lock_file(locked: Path, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "three migrations, locked")
    git(tmp_path, "checkout", "-q", "-b", "phone")
    write(locked / "20240110000000_add_user_phone" / "migration.sql")
    assert run("lock")[0] == 0
    commit_all(tmp_path, "add_user_phone")
    git(tmp_path, "checkout", "-q", "main")
    git(tmp_path, "checkout", "-q", "-b", "invoice")
    write(locked / "20240109000000_add_invoice" / "migration.sql")
    assert run("lock")[0] == 0
    commit_all(tmp_path, "add_invoice")
    merge = git(tmp_path, "merge", "phone", check=False)
    assert merge.returncode != 0
    assert "CONFLICT (content): Merge conflict in prisma/migrations/migrations.lock" in merge.stdout
    # Until the conflict is resolved, the lint says what happened.
    found = findings(locked, "migrations-lock-mismatch")
    assert found[0].message == "migrations.lock holds git conflict markers: two branches each added migrations."


def test_flyway_repeatable_scripts_have_no_place_in_the_order(tmp_path: Path) -> None:
    for name in ("V1__init.sql", "V2__add_phone.sql", "R__views.sql"):
        write(tmp_path / name)
    assert findings(tmp_path, "migration-order-conflict", {"V1__init.sql", "R__views"}) == []
    found = findings(tmp_path, "migration-order-conflict", {"V2__add_phone", "R__views"})
    assert [f.path.rsplit("/", 1)[-1] for f in found] == ["V1__init.sql"]
    assert "Flyway refuses to migrate" in found[0].message


def test_the_lock_rule_names_the_lock_file_as_lockfile_does() -> None:
    from migralint.migrations import lockfile
    from migralint.rules import migrations_lock_mismatch

    assert migrations_lock_mismatch.LOCK_NAME == lockfile.LOCK_NAME
