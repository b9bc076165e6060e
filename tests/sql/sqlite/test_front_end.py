"""The SQLite front end on real migrations: Prisma's and drizzle's generated rebuilds, goose,
golang-migrate and popx files from ../shared/corpus/dialects/sqlite, read field by field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.sqlite import parse, rollback_from

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "dialects" / "sqlite"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/dialects/sqlite is not beside the repository")


def T(name: str) -> ir.TableName:
    return ir.TableName("", name)


def corpus_text(relative: str) -> str:
    return (CORPUS / relative).read_bytes().decode("utf-8-sig")


def written(parsed: ir.ParsedFile, statement: ir.Statement) -> str:
    return parsed.text[statement.start : statement.end]


@needs_corpus
def test_prisma_rebuild_read_field_by_field() -> None:
    text = corpus_text("teableio__teable/20240708080010_oauth_revoke/migration.sql")
    parsed = parse(text)
    assert parsed.dialect is Dialect.SQLITE and parsed.syntax_error is None and parsed.statement_errors == ()
    pragma, create, copy, drop, rename, index = parsed.statements[:6]

    assert pragma.kind is ir.Kind.SET and pragma.setting == ir.Setting("foreign_keys", "OFF")
    assert written(parsed, pragma) == "PRAGMA foreign_keys=OFF"

    assert create.kind is ir.Kind.CREATE_TABLE and create.tables == (T("new_oauth_app_secret"),)
    (created,) = create.events
    assert isinstance(created, ir.CreateTable)
    columns = {c.name: c for c in created.columns}
    assert list(columns) == ["id", "client_id", "secret", "masked_secret", "created_time", "created_by", "last_used_time"]
    assert columns["client_id"] == ir.Column("client_id", "text", not_null=True, default=ir.Default.NONE)
    assert columns["created_time"].not_null and columns["created_time"].default is ir.Default.VOLATILE
    assert not columns["last_used_time"].not_null
    assert written(parsed, create).startswith('CREATE TABLE "new_oauth_app_secret" (') and written(parsed, create).endswith(")")

    assert copy.kind is ir.Kind.INSERT and copy.tables == (T("new_oauth_app_secret"), T("oauth_app_secret"))
    (change,) = copy.events
    assert isinstance(change, ir.DataChange)
    assert change.table == T("new_oauth_app_secret") and change.source == T("oauth_app_secret")
    assert change.columns == ("created_by", "created_time", "id", "last_used_time", "masked_secret", "secret")
    assert change.source_columns == change.columns  # the copy leaves client_id unfilled
    assert copy.locks == (ir.LockTaken(T("new_oauth_app_secret"), ir.Blocks.WRITES, "the database's write lock", ir.Work.COPY),)

    assert drop.events == (ir.DropTable(T("oauth_app_secret")),) and drop.kind is ir.Kind.DROP_TABLE
    assert rename.kind is ir.Kind.ALTER_TABLE
    assert rename.events == (ir.RenameTable(T("new_oauth_app_secret"), T("oauth_app_secret")),)
    assert index.events == (ir.CreateIndex(T("oauth_app_secret"), "oauth_app_secret_secret_key", ("secret",), unique=True),)
    assert index.locks[0].work is ir.Work.INDEX_BUILD

    # Prisma's warning block and its section markers are comments, kept for ignore directives.
    assert parsed.comments[0].text.startswith("/*\n  Warnings:") and parsed.comments[0].own_line
    assert any(c.text == "-- RedefineTables" for c in parsed.comments)
    assert [s.index for s in parsed.statements] == list(range(len(parsed.statements)))


@needs_corpus
def test_drizzle_rebuild_with_breakpoints_and_a_set_null_child() -> None:
    parsed = parse(corpus_text("homarr-labs__homarr/0012_ambiguous_black_panther.sql"))
    pragma, create, copy, drop, rename, pragma_on = parsed.statements[:6]
    assert pragma.setting == ir.Setting("foreign_keys", "OFF") and pragma_on.setting == ir.Setting("foreign_keys", "ON")
    created, foreign_key = create.events
    assert isinstance(created, ir.CreateTable) and created.table == T("__new_user")
    provider = next(c for c in created.columns if c.name == "provider")
    assert provider.not_null and provider.default is ir.Default.CONSTANT
    assert foreign_key == ir.AddConstraint(
        T("__new_user"), ir.ConstraintKind.FOREIGN_KEY, None, ("homeboardid",), references=T("board"), on_delete="set null"
    )
    (change,) = copy.events
    assert isinstance(change, ir.DataChange) and change.source == T("user") and len(change.columns) == 12
    assert drop.events == (ir.DropTable(T("user")),)
    assert rename.events == (ir.RenameTable(T("__new_user"), T("user")),)
    # `--> statement-breakpoint` is a comment to SQLite; the ";" before it ends the statement.
    assert sum(c.text == "--> statement-breakpoint" for c in parsed.comments) >= 5
    assert written(parsed, drop) == "DROP TABLE `user`"


@needs_corpus
def test_pocket_id_pragma_outside_its_transaction() -> None:
    parsed = parse(corpus_text("pocket-id__pocket-id/20240813211251_passkey_backup_flags..up.sql"))
    kinds = [(s.kind, s.tx) for s in parsed.statements]
    assert kinds == [
        (ir.Kind.SET, None), (ir.Kind.TRANSACTION, ir.Tx.BEGIN), (ir.Kind.ALTER_TABLE, None),
        (ir.Kind.ALTER_TABLE, None), (ir.Kind.TRANSACTION, ir.Tx.COMMIT), (ir.Kind.SET, None),
    ]
    (added,) = parsed.statements[2].events
    assert added == ir.AddColumn(T("webauthn_credentials"), ir.Column("backup_eligible", "boolean", True, ir.Default.CONSTANT))


@needs_corpus
def test_gophish_missing_semicolons_are_a_syntax_error_at_the_second_drop() -> None:
    text = corpus_text("gophish__gophish/20190105192341_0.8.0_rbac.sql")
    parsed = parse(text)
    (problem,) = parsed.statement_errors
    assert "syntax error" in problem.message
    assert text[problem.offset :].startswith('DROP TABLE "user_roles"')
    broken = [s for s in parsed.statements if not s.understood]
    assert len(broken) == 1 and written(parsed, broken[0]).startswith('DROP TABLE "roles"\nDROP TABLE "user_roles"')
    # goose runs what follows `-- +goose Down` only on rollback.
    down = rollback_from(text)
    assert down is not None and text[down:].startswith("-- +goose Down")


def test_offsets_are_characters_after_non_ascii_text() -> None:
    text = "-- café ☕ naïve\nCREATE TABLE \"é\" (x TEXT);\n/* ☕ */ ALTER TABLE \"é\" ADD COLUMN y INTEGER NOT NULL DEFAULT 0;"
    parsed = parse(text)
    create, alter = parsed.statements
    assert written(parsed, create) == 'CREATE TABLE "é" (x TEXT)'
    assert written(parsed, alter) == 'ALTER TABLE "é" ADD COLUMN y INTEGER NOT NULL DEFAULT 0'
    assert parsed.index.position(alter.start) == (3, 9)
    assert [c.text for c in parsed.comments] == ["-- café ☕ naïve", "/* ☕ */"]
    assert alter.events == (ir.AddColumn(T("é"), ir.Column("y", "integer", True, ir.Default.CONSTANT)),)


def test_what_sqlglot_cannot_read_is_not_understood_and_not_a_syntax_error() -> None:
    # normalize() is a user function pocket-id registers; SQLite's grammar accepts the call.
    parsed = parse("UPDATE users SET name = normalize(name, 'nfc');\nREPLACE INTO t VALUES (1);\nVACUUM;")
    assert [s.understood for s in parsed.statements] == [False, False, False]
    assert [s.kind for s in parsed.statements] == [ir.Kind.UPDATE, ir.Kind.INSERT, ir.Kind.OTHER]
    assert parsed.statement_errors == () and parsed.syntax_error is None


def test_a_real_syntax_error_points_into_the_statement_and_the_rest_is_read() -> None:
    text = "CREATE TABLE a (x INT);\nCREATE TABLE (y INT);\nDROP TABLE a;"
    parsed = parse(text)
    assert [s.understood for s in parsed.statements] == [True, False, True]
    (problem,) = parsed.statement_errors
    assert problem.offset == text.index("(y")
    assert parsed.statements[2].events == (ir.DropTable(T("a")),)


def test_an_unterminated_string_stops_the_file() -> None:
    text = "DROP TABLE a;\nINSERT INTO b VALUES ('never closed);\nDROP TABLE c;"
    parsed = parse(text)
    assert parsed.syntax_error == ir.SyntaxProblem("unterminated string", text.index("'never"))
    assert [written(parsed, s) for s in parsed.statements] == ["DROP TABLE a"]


def test_a_trigger_body_is_one_statement() -> None:
    text = 'CREATE TRIGGER t AFTER DELETE ON "Parent" BEGIN\n  DELETE FROM child WHERE p = old.id;\n  UPDATE x SET s = CASE WHEN 1 THEN 2 END;\nEND;\nSELECT 1;'
    trigger, select = parse(text).statements
    assert trigger.start == 0 and text[trigger.end - 3 : trigger.end] == "END"
    assert trigger.kind is ir.Kind.CREATE_OTHER and trigger.understood and trigger.tables == (T("parent"),)
    assert trigger.events == () and select.kind is ir.Kind.SELECT


def test_native_alter_forms_and_expression_copies() -> None:
    parsed = parse(
        'ALTER TABLE "User" RENAME COLUMN "name" TO "full_name";\n'
        "ALTER TABLE app DROP is_public;\n"
        'INSERT INTO "new_Contact" ("id", "favorite") SELECT "id", coalesce("favorite", false) AS "favorite" FROM "Contact";\n'
        "UPDATE t SET a = 1;\nDELETE FROM t WHERE a = 2;\nDROP INDEX IF EXISTS main.i;\nPRAGMA defer_foreign_keys = ON;\nPRAGMA foreign_key_check;"
    )
    rename, drop, copy, update, delete, drop_index, defer, check = parsed.statements
    assert rename.events == (ir.RenameColumn(T("user"), "name", "full_name"),)
    assert drop.events == (ir.DropColumn(T("app"), "is_public"),) and drop.locks[0].work is ir.Work.REWRITE
    (change,) = copy.events
    assert isinstance(change, ir.DataChange) and change.source_columns == ("id", "favorite")
    assert update.events == (ir.DataChange(T("t"), "update", all_rows=True),) and update.locks[0].work is ir.Work.BACKFILL
    assert delete.events == (ir.DataChange(T("t"), "delete", all_rows=False),)
    assert drop_index.events == (ir.DropIndex(T("i")),)
    assert defer.setting == ir.Setting("defer_foreign_keys", "ON") and check.setting == ir.Setting("foreign_key_check", "")


@needs_corpus
def test_every_sqlite_corpus_file_builds_a_model() -> None:
    files = sorted(p for p in CORPUS.rglob("*.sql"))
    assert len(files) >= 1675  # the shared part of the corpus, every file counted
    statements = 0
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", "replace")
        parsed = parse(text)
        for s in parsed.statements:
            piece = text[s.start : s.end]
            assert piece and piece == piece.strip() and not piece.endswith(";"), (path, piece)
        statements += len(parsed.statements)
    assert statements > 3000


_PIECES = st.sampled_from([
    "CREATE TABLE ", "new_t", "t", " (", ")", ", ", "a TEXT NOT NULL", " DEFAULT 0", "INSERT INTO ", " SELECT ",
    " FROM ", "DROP TABLE ", "ALTER TABLE ", " RENAME TO ", "PRAGMA foreign_keys=OFF", "BEGIN", "END", "COMMIT",
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN ", "CASE", ";", "'", '"', "`", "[", "]", "-- c\n", "/*", "*/", "é", "☕", "\n", "\x00",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_any_text_builds_a_model_with_spans_inside_it(pieces: list[str]) -> None:
    text = "".join(pieces)
    parsed = parse(text)
    assert parsed.dialect is Dialect.SQLITE
    previous_end = 0
    for statement in parsed.statements:
        assert previous_end <= statement.start < statement.end <= len(text)
        assert not text[statement.start].isspace() and not text[statement.end - 1].isspace()
        previous_end = statement.end
    for problem in (*parsed.statement_errors, *([parsed.syntax_error] if parsed.syntax_error else [])):
        assert 0 <= problem.offset <= len(text)


def test_a_drizzle_breakpoint_ends_a_statement_as_drizzle_splits_there() -> None:
    text = "CREATE TABLE a (x INT)\n--> statement-breakpoint\nCREATE TABLE b (y INT);--> statement-breakpoint\nDROP TABLE a;"
    parsed = parse(text)
    assert [written(parsed, s) for s in parsed.statements] == ["CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)", "DROP TABLE a"]
    assert parsed.statement_errors == ()


def test_help_sql_quotes_names_so_that_sqlite_reads_them_back() -> None:
    from migralint.sql.sqlite import SQL_TEXT

    name = 'we"ird é'
    sql = f"CREATE TABLE {SQL_TEXT.table(ir.TableName('', name))} (x INT);"
    (created,) = parse(sql).statements[0].events
    assert isinstance(created, ir.CreateTable) and created.table == ir.TableName("", name)
    assert SQL_TEXT.table(ir.TableName("aux", "t")) == '"aux"."t"'


def test_table_constraints_without_a_comma_are_read_as_sqlite_reads_them() -> None:
    """homarr's 0006_windy_doctor_faustus.sql (drizzle-kit): two FOREIGN KEYs with no comma
    between them, which SQLite accepts and sqlglot refuses on its own."""
    sql = (
        "CREATE TABLE `section` (\n\t`id` text PRIMARY KEY NOT NULL,\n\t`board_id` text NOT NULL,\n"
        "\t`parent_section_id` text,\n"
        "\tFOREIGN KEY (`board_id`) REFERENCES `board`(`id`) ON UPDATE no action ON DELETE cascade\n"
        "\tFOREIGN KEY (`parent_section_id`) REFERENCES `section`(`id`) ON UPDATE no action ON DELETE cascade\n);"
    )
    statement = parse(sql).statements[0]
    assert statement.understood
    keys = [e for e in statement.events if isinstance(e, ir.AddConstraint)]
    assert [(k.columns, k.references, k.on_delete) for k in keys] == [
        (("board_id",), ir.TableName("", "board"), "cascade"),
        (("parent_section_id",), ir.TableName("", "section"), "cascade"),
    ]
    # Names keep the case written, and compare without it.
    created = parse('CREATE TABLE "Board" ("Id" TEXT);').statements[0].events[0]
    assert isinstance(created, ir.CreateTable)
    assert created.table == ir.TableName("", "board") and str(created.table.name) == "Board"
    assert created.columns[0].name == "id" and str(created.columns[0].name) == "Id"
    # A real syntax error stays one: the mending does not hide it.
    assert parse("CREATE TABLE t (a text\n\tCHECK (a > 0) b text);").statement_errors
