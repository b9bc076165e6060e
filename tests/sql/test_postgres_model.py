"""The PostgreSQL front end's statement model, on real migrations: every statement of the shared
corpus builds, and what it says about real statements (kinds, tables, events, locks, spans) holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.linter.parse import parse_source, subcommand_spans
from migralint.sql import ir
from migralint.sql.ir import Blocks, Kind, TableName, Work
from migralint.sql.postgres.model import build_statement, kind_of
from migralint.sql.postgres.sqltext import PostgresSqlText

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")


def models(text: str) -> list[ir.Statement]:
    parsed = parse_source(text)
    result = []
    for s in parsed.statements:
        spans = subcommand_spans(parsed, s, len(s.node.get("cmds", ()))) if s.kind == "AlterTableStmt" else []
        result.append(build_statement(s.index, s.kind, s.node, s.start, s.end, command_spans=spans))
    return result


def corpus_file(relative: str) -> str:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in ../shared/corpus")
    return path.read_text(encoding="utf-8")


def public(name: str) -> TableName:
    return TableName("public", name)


@needs_corpus
def test_every_corpus_statement_builds_a_consistent_model() -> None:
    files = sorted((CORPUS / "prisma").rglob("migration.sql")) + sorted((CORPUS / "other").rglob("*.sql"))
    assert len(files) > 1000
    counted: dict[type, int] = {}
    statements = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for model in models(text):
            statements += 1
            where = f"{path}: statement {model.index}"
            assert 0 <= model.start <= model.end <= len(text), where
            assert model.event_spans == () or len(model.event_spans) == len(model.events), where
            for start, end in model.event_spans:
                assert model.start <= start < end <= model.end, where
            assert {lock.table for lock in model.locks} <= set(model.tables), where
            assert model.kind is kind_of(model.node_type, model.raw), where  # type: ignore[arg-type]
            if model.kind in (Kind.ALTER_TABLE, Kind.CREATE_INDEX, Kind.DROP_TABLE):
                assert model.tables, where
            for event in model.events:
                counted[type(event)] = counted.get(type(event), 0) + 1
    assert statements > 10000
    # The corpus drops, renames and adds columns: each event class that rules read shows up.
    for event_type in (ir.DropColumn, ir.DropTable, ir.RenameColumn, ir.RenameTable, ir.AddColumn,
                       ir.CreateTable, ir.CreateIndex, ir.AddConstraint, ir.AlterColumnType):
        assert counted.get(event_type, 0) > 10, event_type


@needs_corpus
def test_a_prisma_drop_and_add_in_one_alter_table() -> None:
    text = corpus_file("prisma/Openpanel-dev__openpanel/20231010184810_fix_profile/migration.sql")
    (alter,) = models(text)
    assert alter.kind is Kind.ALTER_TABLE and alter.node_type == "AlterTableStmt"
    assert alter.tables == (public("profiles"),)
    drop, add = alter.events
    assert drop == ir.DropColumn(public("profiles"), "name")
    assert isinstance(add, ir.AddColumn)
    assert add.column == ir.Column("profile_id", "text", not_null=True, default=ir.Default.NONE)
    # Each event points at its own subcommand: the findings of a rule land there.
    assert [text[a:b] for a, b in alter.event_spans] == ['DROP COLUMN "name"', 'ADD COLUMN     "profile_id" TEXT NOT NULL']
    assert alter.span_of(add) == alter.event_spans[1]
    (lock,) = alter.locks
    assert lock.table == public("profiles") and lock.name == "ACCESS EXCLUSIVE"
    assert lock.blocks == Blocks.READS | Blocks.WRITES | Blocks.DDL
    assert lock.work is None  # a nullable drop and a column without default: catalog changes only


@needs_corpus
def test_renames_written_with_if_exists() -> None:
    text = corpus_file("prisma/Openpanel-dev__openpanel/20240408181306_rename_columns/migration.sql")
    first = models(text)[0]
    assert first.kind is Kind.ALTER_TABLE and first.node_type == "RenameStmt"
    assert first.events == (ir.RenameColumn(public("projects"), "organization_slug", "organizationSlug"),)
    assert text[first.start:first.end].startswith("ALTER TABLE\n  IF EXISTS")
    # Help SQL keeps IF EXISTS: it must act on the same table the same way.
    assert PostgresSqlText().alter_table(first) == "ALTER TABLE IF EXISTS projects"


@needs_corpus
def test_drop_table_cascade_from_trigger_dev() -> None:
    text = corpus_file("prisma/triggerdotdev__trigger.dev/20250526093738_remove_v2_round_2/migration.sql")
    drops = [m for m in models(text) if m.kind is Kind.DROP_TABLE]
    assert drops[0].events == (ir.DropTable(public("JobRunExecution"), cascade=True),)
    assert drops[0].locks[0].name == "ACCESS EXCLUSIVE"


@needs_corpus
def test_a_concurrent_index_from_kratos() -> None:
    text = corpus_file(
        "other/ory__kratos/persistence/sql/migrations/sql/"
        "20260616000000000000_courier_messages_restore_list_index.postgres.autocommit.up.sql"
    )
    (index,) = models(text)
    assert index.kind is Kind.CREATE_INDEX
    (event,) = index.events
    assert event == ir.CreateIndex(public("courier_messages"), "courier_messages_nid_created_at_id_idx",
                                   ("nid", "created_at", "id"), unique=False, online=True,
                                   if_not_exists=True)
    (lock,) = index.locks
    assert (lock.name, lock.blocks, lock.work) == ("SHARE UPDATE EXCLUSIVE", Blocks.DDL, Work.INDEX_BUILD)


def test_lock_levels_map_to_what_they_block() -> None:
    sql = (
        'CREATE INDEX "i" ON "T"("a");\n'
        'ALTER TABLE "P" ADD CONSTRAINT "fk" FOREIGN KEY ("u") REFERENCES "U"("id");\n'
        'ALTER TABLE "P" ALTER COLUMN "x" SET NOT NULL;\n'
        'ALTER TABLE "P" SET (fillfactor = 70);\n'
        'REFRESH MATERIALIZED VIEW CONCURRENTLY "m";\n'
    )
    index, fk, not_null, options, refresh = models(sql)
    assert (index.locks[0].name, index.locks[0].blocks) == ("SHARE", Blocks.WRITES | Blocks.DDL)
    assert fk.tables == (public("P"), public("U"))  # the altered table first
    assert [(lock.name, lock.work) for lock in fk.locks] == [("SHARE ROW EXCLUSIVE", Work.SCAN), ("SHARE ROW EXCLUSIVE", None)]
    assert fk.events[0] == ir.AddConstraint(public("P"), ir.ConstraintKind.FOREIGN_KEY, "fk", ("u",), references=public("U"),
                                            referenced_columns=("id",))
    assert (not_null.locks[0].blocks, not_null.locks[0].work) == (Blocks.READS | Blocks.WRITES | Blocks.DDL, Work.SCAN)
    assert (options.locks[0].name, options.locks[0].blocks) == ("SHARE UPDATE EXCLUSIVE", Blocks.DDL)
    assert options.events == (ir.OtherTableChange(public("P"), "SetRelOptions"),)
    assert (refresh.locks[0].name, refresh.locks[0].blocks) == ("EXCLUSIVE", Blocks.WRITES | Blocks.DDL)


def test_the_caller_says_whether_a_type_change_rewrites_and_a_default_is_volatile() -> None:
    parsed = parse_source('ALTER TABLE "T" ALTER COLUMN "a" TYPE text, ADD COLUMN "b" uuid DEFAULT gen_random_uuid();')
    (s,) = parsed.statements
    asked: list[str] = []

    def rewrites(table: TableName, cmd: dict[str, object]) -> bool:
        asked.append(f"{table.name}.{cmd['name']}")
        return False

    model = build_statement(s.index, s.kind, s.node, s.start, s.end, type_rewrites=rewrites, is_volatile=lambda e: True)
    retype, add = model.events[:2]
    assert asked and asked[0] == "T.a"
    assert retype == ir.AlterColumnType(public("T"), "a", "text", rewrites=False)
    assert isinstance(add, ir.AddColumn) and add.column.default is ir.Default.VOLATILE
    assert model.locks[0].work is Work.REWRITE  # the volatile default fills every row
    # Without an answer the front end assumes the costly case.
    cautious = build_statement(s.index, s.kind, s.node, s.start, s.end)
    assert cautious.events[0] == ir.AlterColumnType(public("T"), "a", "text", rewrites=True)


def test_kinds_transactions_and_non_ascii_spans() -> None:
    sql = "-- café ☕\nBEGIN;\nALTER TABLE \"Café\" DROP COLUMN \"☕\", ADD COLUMN \"n\" int;\nCOMMIT;\nCREATE VIEW v AS SELECT 1;\nALTER INDEX i RENAME TO j;"
    begin, alter, commit, view, alter_index = models(sql)
    assert (begin.kind, begin.tx, commit.tx) == (Kind.TRANSACTION, ir.Tx.BEGIN, ir.Tx.COMMIT)
    assert [sql[a:b] for a, b in alter.event_spans] == ['DROP COLUMN "☕"', 'ADD COLUMN "n" int']
    assert view.events == (ir.CreateObject("view", public("v")),)
    assert alter_index.kind is Kind.ALTER_OTHER
    assert alter_index.events == (ir.RenameObject("index", public("i"), public("j")),)


def test_schema_events_the_catalog_replays() -> None:
    sql = (
        "CREATE SCHEMA app;\nCREATE EXTENSION IF NOT EXISTS citext;\nCREATE SEQUENCE app.s;\n"
        "CREATE TYPE mood AS ENUM ('sad', 'ok');\nALTER TYPE mood ADD VALUE 'meh' AFTER 'sad';\n"
        "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';\n"
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';\n"
        "CREATE MATERIALIZED VIEW m AS SELECT u.id FROM users u JOIN app.t ON true;\n"
        'ALTER TABLE "T" RENAME CONSTRAINT "a" TO "b";\n'
        'CREATE TABLE IF NOT EXISTS "P" ("id" int GENERATED ALWAYS AS IDENTITY, "n" int CHECK ("n" > 0), '
        'PRIMARY KEY ("id")) PARTITION BY RANGE ("id");\n'
        'CREATE UNIQUE INDEX ON "P" (lower("x")) WHERE "n" > 1;'
    )
    events = [m.events for m in models(sql)]
    assert events[:9] == [
        (ir.CreateObject("schema", ir.TableName("", "app")),),
        (ir.CreateObject("extension", ir.TableName("", "citext"), replaces=True),),
        (ir.CreateObject("sequence", ir.TableName("app", "s")),),
        (ir.CreateEnum(public("mood"), ("sad", "ok")), ir.CreateObject("type", public("mood"))),
        (ir.AddEnumValue(public("mood"), "meh", "sad", after=True),),
        (ir.RenameEnumValue(public("mood"), "ok", "fine"),),
        (ir.CreateFunction(public("touch"), "trigger"), ir.CreateObject("function", public("touch"), ())),
        (ir.CreateObject("materialized view", public("m"), reads=(ir.TableName("app", "t"), public("users")), columns=("id",)),),
        (ir.RenameConstraint(public("T"), "a", "b"),),
    ]
    table, sequence = events[9]  # the identity column's sequence follows the table
    assert sequence == ir.CreateObject("sequence", public("P_id_seq"), replaces=True)
    assert isinstance(table, ir.CreateTable) and table.if_not_exists and table.partitioned
    identity, checked = table.columns
    assert identity.identity and not identity.not_null and checked.raw_type is not None
    assert [(c.kind, c.columns, c.name, c.default_name, c.makes_index) for c in table.constraints] == [
        (ir.ConstraintKind.CHECK, ("n",), None, "P_n_check", False),
        (ir.ConstraintKind.PRIMARY_KEY, ("id",), None, "P_pkey", True),
    ]
    (index,) = events[10]
    assert isinstance(index, ir.CreateIndex)
    assert (index.name, index.columns, index.default_name, index.partial) == (None, ("",), "P_expr_idx", True)


def test_sql_text_leaves_out_the_default_schema() -> None:
    sql = PostgresSqlText()
    assert sql.table(public("User")) == '"User"' and sql.table(public("user")) == '"user"'
    assert sql.table(public("users")) == "users"
    assert sql.table(TableName("audit", "Event")) == 'audit."Event"'
    assert sql.name(public("User")) == "User" and sql.name(TableName("audit", "Event")) == "audit.Event"


def test_named_objects_dropped_created_and_renamed() -> None:
    drop_fn, drop_many, drop_db, create_fn, domain, rename, serial, view = models(
        'DROP FUNCTION IF EXISTS audit.touch(integer, text[]) CASCADE;\n'
        'DROP TYPE "Role", mood;\n'
        "DROP DATABASE analytics WITH (FORCE);\n"
        "CREATE OR REPLACE FUNCTION touch(a int, OUT b text) RETURNS text LANGUAGE sql AS 'select 1';\n"
        "CREATE DOMAIN email AS text;\n"
        "ALTER TYPE mood RENAME TO feeling;\n"
        'CREATE TABLE "Invoice" ("id" serial PRIMARY KEY);\n'
        "CREATE VIEW v AS SELECT 1;\n"
    )
    assert drop_fn.kind is Kind.DROP_OTHER and drop_fn.events == (
        ir.DropObject("function", TableName("audit", "touch"), cascade=True, args=("int4", "text[]")),
    )
    assert drop_many.events == (ir.DropObject("type", public("Role")), ir.DropObject("type", public("mood")))
    assert drop_db.kind is Kind.DROP_OTHER and drop_db.events == (ir.DropObject("database", TableName("", "analytics"), force=True),)
    # OUT parameters are not part of the signature DROP FUNCTION names
    assert create_fn.events == (
        ir.CreateFunction(public("touch"), "text"), ir.CreateObject("function", public("touch"), ("int4",), replaces=True),
    )
    assert domain.events == (ir.CreateObject("domain", public("email")),)
    assert rename.events == (ir.RenameObject("type", public("mood"), public("feeling")),)
    assert serial.events[1:] == (ir.CreateObject("sequence", public("Invoice_id_seq")),)
    assert isinstance(serial.events[0], ir.CreateTable)
    assert view.events == (ir.CreateObject("view", public("v")),)


def test_settings_and_index_rebuilds() -> None:
    set_local, reset_all, select, reindex, concurrently = models(
        "SET LOCAL lock_timeout = '5s';\n"
        "RESET ALL;\n"
        "SELECT set_config('statement_timeout', '10s', false), set_config(NULL, '1', true);\n"
        'REINDEX INDEX "User_email_idx";\n'
        "REINDEX INDEX CONCURRENTLY audit.events_at_idx;\n"
    )
    assert set_local.kind is Kind.SET and set_local.events == (ir.SetSetting("lock_timeout", "5s", local=True),)
    assert reset_all.events == (ir.SetSetting("", None),)  # "": every setting
    assert select.events == (ir.SetSetting("statement_timeout", "10s"),)  # a NULL name sets nothing
    assert reindex.events == (ir.RebuildIndex(public("User_email_idx")),)
    assert concurrently.events == (ir.RebuildIndex(TableName("audit", "events_at_idx"), online=True),)
