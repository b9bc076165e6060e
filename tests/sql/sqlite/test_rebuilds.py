"""Table rebuilds found in real migrations (Prisma, drizzle-kit, authelia, pocket-id), with what
each loses, checked against the folder's own history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migralint.sql import ir
from migralint.sql.sqlite import parse
from migralint.sql.sqlite.rebuilds import Rebuild, Schema, find_rebuilds, replay

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "dialects" / "sqlite"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/dialects/sqlite is not beside the repository")


def T(name: str) -> ir.TableName:
    return ir.TableName("", name)


def statements_of(path: Path) -> tuple[ir.Statement, ...]:
    return parse(path.read_bytes().decode("utf-8-sig")).statements


def rebuilds_in(folder: str, name: str) -> tuple[Rebuild, ...]:
    """The rebuilds of one file, with the schema its folder's earlier up migrations leave."""
    files = sorted(p for p in (CORPUS / folder).rglob("*.sql") if not re.search(r"\bdown\b|\.down\.", p.as_posix()))
    target = CORPUS / folder / name
    earlier = [statements_of(p) for p in files if p.as_posix() < target.as_posix()]
    return find_rebuilds(statements_of(target), replay(earlier))


@needs_corpus
def test_prisma_rebuilds_lose_the_columns_prisma_warns_about() -> None:
    rebuilds = rebuilds_in("teableio__teable", "20240708080010_oauth_revoke/migration.sql")
    assert [r.table for r in rebuilds] == [T("oauth_app_secret"), T("access_token"), T("oauth_app")]
    secret, token, app = rebuilds
    assert secret.new == T("new_oauth_app_secret") and not secret.renames_old_first
    assert (secret.create, secret.copies, secret.drop, secret.rename) == (1, (2,), 3, 4)
    # The file's warning block: "drop the column `app_id`", "Added the required column `client_id`".
    assert secret.columns_lost == ("app_id",) and secret.unfilled_required == ("client_id",)
    assert token.columns_lost == ("is_oauth",) and token.unfilled_required == ()
    assert app.columns_lost == ("is_extension",)
    assert secret.foreign_keys_off and not secret.pragma_in_transaction
    assert secret.old_columns is not None and "app_id" in {c.name for c in secret.old_columns}


@needs_corpus
def test_drizzle_rebuild_of_user_fires_its_childrens_cascades() -> None:
    (user,) = rebuilds_in("homarr-labs__homarr", "0012_ambiguous_black_panther.sql")
    assert user.table == T("user") and user.new == T("__new_user") and user.columns_lost == ()
    actions = {(k.table.name, k.on_delete) for k in user.children}
    assert ("session", "cascade") in actions and ("board", "set null") in actions
    assert all(k.references == T("user") for k in user.children)
    assert user.foreign_keys_off and not user.pragma_in_transaction


@needs_corpus
def test_drizzle_old_first_rebuild_and_its_restoring_rename_pair() -> None:
    (user,) = rebuilds_in("homarr-labs__homarr", "0001_mixed_titanium_man.sql")
    assert user.renames_old_first and user.table == T("user") and user.new == T("__user_old")
    assert user.references_restored
    # The rename moved the children's REFERENCES onto __user_old: those are what the drop fires.
    assert user.children and all(k.references == T("__user_old") for k in user.children)


@needs_corpus
def test_authelia_old_first_rebuild_that_drops_timestamps() -> None:
    rebuilds = {r.table: r for r in rebuilds_in("authelia__authelia", "V0007.ConsistencyFixes.up.sql")}
    totp = rebuilds[T("totp_configurations")]
    assert totp.renames_old_first and totp.new == T("_bkp_up_v0007_totp_configurations")
    assert totp.columns_lost == ("created_at", "last_used_at") and not totp.references_restored


def test_pragma_inside_begin_is_reported_as_ignored() -> None:
    sql = (
        "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE ch (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) ON DELETE CASCADE);\n"
        "BEGIN;\nPRAGMA foreign_keys=OFF;\n"
        "CREATE TABLE new_p (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
        "INSERT INTO new_p (id) SELECT id FROM p;\nDROP TABLE p;\nALTER TABLE new_p RENAME TO p;\nCOMMIT;"
    )
    (rebuild,) = find_rebuilds(parse(sql).statements)
    assert not rebuild.foreign_keys_off and rebuild.pragma_in_transaction
    assert [(k.table, k.on_delete) for k in rebuild.children] == [(T("ch"), "cascade")]
    assert rebuild.unfilled_required == ("name",) and rebuild.columns_lost == ()


def test_a_rebuild_without_a_copy_loses_every_column() -> None:
    before = replay([parse("CREATE TABLE t (a TEXT, b INTEGER);").statements])
    (rebuild,) = find_rebuilds(parse("CREATE TABLE new_t (a TEXT);\nDROP TABLE t;\nALTER TABLE new_t RENAME TO t;").statements, before)
    assert rebuild.copies == () and rebuild.columns_lost == ("a", "b") and not rebuild.foreign_keys_off


def test_select_star_copy_keeps_everything_and_a_plain_rename_is_no_rebuild() -> None:
    before = replay([parse("CREATE TABLE t (a TEXT NOT NULL, b INTEGER);").statements])
    sql = "CREATE TABLE new_t (a TEXT NOT NULL, b INTEGER);\nINSERT INTO new_t SELECT * FROM t;\nDROP TABLE t;\nALTER TABLE new_t RENAME TO t;\nALTER TABLE t RENAME TO u;"
    (rebuild,) = find_rebuilds(parse(sql).statements, before)
    assert rebuild.columns_lost == () and rebuild.unfilled_required == ()


def test_replay_follows_renames_on_both_sides_of_a_foreign_key() -> None:
    schema = replay([parse(
        "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE ch (p INTEGER REFERENCES p(id) ON DELETE SET NULL);\n"
        "ALTER TABLE p RENAME TO p_old;\nALTER TABLE ch RENAME COLUMN p TO parent;"
    ).statements])
    (key,) = schema.foreign_keys
    assert key.references == T("p_old") and key.on_delete == "set null"
    assert [c.name for c in schema.columns[T("ch")]] == ["parent"]
    assert Schema().columns == {}
