from __future__ import annotations

import os
from pathlib import Path

import pytest

from migralint.errors import InputError, UserError
from migralint.migrations.layouts import RunnerMode
from migralint.migrations.discover import default_folder, discover
from migralint.migrations.layouts import Layout, classify


def write(root: Path, relative: str, text: str = "SELECT 1;\n") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_prisma_folder_is_one_query_per_file_in_name_order(tmp_path: Path) -> None:
    root = tmp_path / "prisma" / "migrations"
    write(root, "migration_lock.toml", 'provider = "postgresql"\n')
    write(root, "20240102000000_add_email/migration.sql")
    write(root, "20240101000000_init/migration.sql")
    files = discover([str(root)])
    assert [(m.layout, m.name, m.runner) for m in files] == [
        (Layout.PRISMA, "20240101000000_init", RunnerMode.SINGLE_QUERY),
        (Layout.PRISMA, "20240102000000_add_email", RunnerMode.SINGLE_QUERY),
    ]


def test_prisma_provider_migralint_does_not_lint_is_a_user_error(tmp_path: Path) -> None:
    write(tmp_path, "migration_lock.toml", 'provider = "mongodb"\n')
    write(tmp_path, "20240101000000_init/migration.sql")
    with pytest.raises(UserError, match="provider is 'mongodb'; migralint lints CockroachDB, MySQL, PostgreSQL, SQL Server, SQLite migrations only"):
        discover([str(tmp_path)])


def test_flyway_versions_sort_numerically_and_run_in_a_transaction(tmp_path: Path) -> None:
    for name in ("V1_10__b.sql", "V1_2__a.sql", "R__views.sql", "V2__c.sql"):
        write(tmp_path, name)
    write(tmp_path, "V3__concurrent.sql")
    write(tmp_path, "V3__concurrent.sql.conf", "executeInTransaction=false\n")
    files = discover([str(tmp_path)])
    assert [m.path.name for m in files] == ["V1_2__a.sql", "V1_10__b.sql", "V2__c.sql", "V3__concurrent.sql", "R__views.sql"]
    assert {m.layout for m in files} == {Layout.FLYWAY}
    assert [m.runner for m in files][-2:] == [RunnerMode.AUTOCOMMIT, RunnerMode.TRANSACTION]


def test_golang_migrate_down_files_are_rollbacks_of_their_up_file(tmp_path: Path) -> None:
    up = write(tmp_path, "000002_add_index.up.sql")
    write(tmp_path, "000002_add_index.down.sql")
    write(tmp_path, "000001_init.up.sql")
    files = discover([str(tmp_path)])
    assert [(m.path.name, m.rollback) for m in files] == [
        ("000001_init.up.sql", False),
        ("000002_add_index.up.sql", False),
        ("000002_add_index.down.sql", True),
    ]
    assert files[2].forward == up
    assert files[0].runner is RunnerMode.SINGLE_QUERY


def test_diesel_folders_and_run_in_transaction_false(tmp_path: Path) -> None:
    write(tmp_path, "2019-02-26-002946_create_user/up.sql")
    write(tmp_path, "2019-02-26-002946_create_user/down.sql")
    write(tmp_path, "2020-01-01-000000_index/up.sql")
    write(tmp_path, "2020-01-01-000000_index/down.sql")
    write(tmp_path, "2020-01-01-000000_index/metadata.toml", "run_in_transaction = false\n")
    files = discover([str(tmp_path)])
    assert [(m.layout, m.name, m.rollback, m.runner) for m in files] == [
        (Layout.DIESEL, "2019-02-26-002946_create_user", False, RunnerMode.TRANSACTION),
        (Layout.DIESEL, "2019-02-26-002946_create_user", True, RunnerMode.TRANSACTION),
        (Layout.DIESEL, "2020-01-01-000000_index", False, RunnerMode.SINGLE_QUERY),
        (Layout.DIESEL, "2020-01-01-000000_index", True, RunnerMode.SINGLE_QUERY),
    ]


def test_dbmate_sections_and_transaction_false(tmp_path: Path) -> None:
    text = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (c);\n\n-- migrate:down\nDROP INDEX i;\n"
    path = write(tmp_path, "20240101000000_index.sql", text)
    (migration,) = discover([str(path)])
    assert migration.layout is Layout.DBMATE and migration.runner is RunnerMode.SINGLE_QUERY
    up, down = migration.sections(text)
    assert not up.rollback and down.rollback
    assert text[up.start : up.end].strip().endswith("(c);")
    assert text[down.start :].startswith("-- migrate:down")


def test_popx_dialects_other_than_postgres_are_skipped_in_folders(tmp_path: Path) -> None:
    write(tmp_path, "20200101000000_x.postgres.up.sql")
    write(tmp_path, "20200101000000_x.mysql.up.sql")
    write(tmp_path, "20200102000000_idx.postgres.autocommit.up.sql")
    files = discover([str(tmp_path)])
    assert [(m.path.name, m.runner) for m in files] == [
        ("20200101000000_x.postgres.up.sql", RunnerMode.TRANSACTION),
        ("20200102000000_idx.postgres.autocommit.up.sql", RunnerMode.SINGLE_QUERY),
    ]


def test_plain_files_sort_by_name_and_assume_in_transaction(tmp_path: Path) -> None:
    write(tmp_path, "b.sql")
    write(tmp_path, "a.sql")
    files = discover([str(tmp_path)])
    assert [(m.layout, m.path.name, m.runner) for m in files] == [
        (Layout.PLAIN, "a.sql", RunnerMode.AUTOCOMMIT),
        (Layout.PLAIN, "b.sql", RunnerMode.AUTOCOMMIT),
    ]
    assert classify(tmp_path / "a.sql", assume_in_transaction=True).runner is RunnerMode.TRANSACTION


def test_globs_missing_paths_and_hidden_folders(tmp_path: Path) -> None:
    write(tmp_path, "one/x.sql")
    write(tmp_path, "node_modules/pkg/y.sql")
    write(tmp_path, ".hidden/z.sql")
    assert [m.path.name for m in discover([str(tmp_path)])] == ["x.sql"]
    assert [m.path.name for m in discover([str(tmp_path / "**" / "x.sql")])] == ["x.sql"]
    with pytest.raises(InputError, match="no such file"):
        discover([str(tmp_path / "missing.sql")])
    with pytest.raises(InputError, match="no files match"):
        discover([str(tmp_path / "*.nothing")])


def test_default_folder_search(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no migrations folder found"):
        default_folder(tmp_path, None)
    (tmp_path / "db" / "migrations").mkdir(parents=True)
    with pytest.raises(InputError, match="no migrations folder found"):  # empty: nothing to lint there
        default_folder(tmp_path, None)
    (tmp_path / "db" / "migrations" / "1_init.sql").write_text("SELECT 1;\n")
    assert default_folder(tmp_path, None) == tmp_path / "db" / "migrations"
    (tmp_path / "packages" / "api" / "prisma" / "migrations" / "1_init").mkdir(parents=True)
    (tmp_path / "packages" / "api" / "prisma" / "migrations" / "1_init" / "migration.sql").write_text("SELECT 1;\n")
    with pytest.raises(InputError, match="several migrations folders .*: db/migrations, packages/api/prisma/migrations"):
        default_folder(tmp_path, None)  # apply and status run one folder: the user picks
    assert default_folder(tmp_path, "db/migrations") == tmp_path / "db" / "migrations"
    with pytest.raises(InputError, match="migrations_dir 'sql'"):
        default_folder(tmp_path, "sql")


def test_authelia_down_files_are_rollbacks_neither_linted_nor_replayed(tmp_path: Path) -> None:
    """authelia's runner (internal/storage/migrations.go) names V0001.Initial_Schema.up.sql and
    .down.sql, and runs a down file only to roll back: before, they were plain files, sorted before
    their up file, and their DROP TABLEs were linted and replayed as forward migrations."""
    from click.testing import CliRunner

    from migralint.cli import main

    up = write(tmp_path, "V0001.Initial_Schema.up.sql", "CREATE TABLE user_prefs (id INT PRIMARY KEY, m VARCHAR(8));\n")
    write(tmp_path, "V0001.Initial_Schema.down.sql", "DROP TABLE user_prefs;\n")
    write(tmp_path, "V0002.Prefs_Note.mysql.up.sql", "ALTER TABLE user_prefs DROP COLUMN m;\n")
    write(tmp_path, "V0002.Prefs_Note.mysql.down.sql", "ALTER TABLE user_prefs ADD COLUMN m VARCHAR(8);\n")
    files = discover([str(tmp_path)])
    assert [(m.path.name, m.layout, m.rollback) for m in files] == [
        ("V0001.Initial_Schema.up.sql", Layout.AUTHELIA, False),
        ("V0001.Initial_Schema.down.sql", Layout.AUTHELIA, True),
        ("V0002.Prefs_Note.mysql.up.sql", Layout.AUTHELIA, False),
        ("V0002.Prefs_Note.mysql.down.sql", Layout.AUTHELIA, True),
    ]
    assert files[1].forward == up and files[0].runner is RunnerMode.SINGLE_QUERY
    result = CliRunner().invoke(main, ["lint", "--no-cache", "--dialect", "mysql", "--format", "json", str(tmp_path)])
    import json

    found = [(f["path"].rsplit("/", 1)[-1], f["rule"]) for f in json.loads(result.stdout)["findings"]]
    # The up file's DROP COLUMN is flagged (the table's history comes from V0001's up file, not
    # emptied by its down file); nothing in a down file is.
    assert ("V0002.Prefs_Note.mysql.up.sql", "ban-drop-column") in found
    assert not [name for name, _ in found if ".down." in name]
    assert "migration-name" not in {rule for _, rule in found}  # CamelCase is authelia's own convention


@pytest.mark.parametrize("text", [
    "", ".", "..", "/", "//", "///x", "x", "x/", "/x", "//x", "a/b/migration.sql", "/a/b/", "a//b", "./a", "../a/b",
    "prisma/migrations/20240101000000_init/migration.sql", "C:\\x\\y.sql",
])
def test_split_text_is_os_path_split(text: str) -> None:
    # The remembered split is os.path.split's, asked once or again, and after the memory is emptied.
    from migralint.migrations import layouts

    assert layouts.split_text(text) == os.path.split(text)
    assert layouts.split_text(text) == os.path.split(text)
    layouts._SPLITS.clear()
    assert layouts.split_text(text) == os.path.split(text)


def test_split_text_keeps_a_bounded_memory() -> None:
    from migralint.migrations import layouts

    for k in range(3 * layouts._SPLITS_KEPT):
        assert layouts.split_text(f"a/{k}/migration.sql") == ("a/" + str(k), "migration.sql")
    assert len(layouts._SPLITS) <= layouts._SPLITS_KEPT
