"""The SQL Server front end on real migrations: Prisma's TRY/CATCH-wrapped files (eureka) and
Openfire's upgrade scripts from ../shared/corpus/dialects/sqlserver, read field by field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.sqlserver import SQL_TEXT, parse
from migralint.sql.sqlserver.statements import SCH_M, SHARED

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "dialects" / "sqlserver"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/dialects/sqlserver is not beside the repository")
EUREKA = "eureka-club__eureka/"


def T(name: str) -> ir.TableName:
    return ir.TableName("dbo", name)


def corpus_text(relative: str) -> str:
    return (CORPUS / relative).read_bytes().decode("utf-8-sig")


def written(parsed: ir.ParsedFile, statement: ir.Statement) -> str:
    return parsed.text[statement.start : statement.end]


@needs_corpus
def test_prisma_wrapper_is_one_transaction_and_its_catch_block_is_no_statement() -> None:
    text = corpus_text(EUREKA + "20240127153749_fixing_wrong_primary_key_used/migration.sql")
    parsed = parse(text)
    assert parsed.dialect is Dialect.SQLSERVER
    assert parsed.syntax_error is None and parsed.statement_errors == ()
    first, last = parsed.statements[0], parsed.statements[-1]
    assert (written(parsed, first), first.tx) == ("BEGIN TRAN", ir.Tx.BEGIN)
    assert (written(parsed, last), last.tx) == ("COMMIT TRAN", ir.Tx.COMMIT)
    # Prisma's RedefineTables opens BEGIN TRANSACTION ... COMMIT inside: @@TRANCOUNT goes to 2
    # and back to 1, and that COMMIT commits nothing.
    nested = [s for s in parsed.statements if s.kind is ir.Kind.TRANSACTION and s.tx is None]
    assert [written(parsed, s) for s in nested] == ["BEGIN TRANSACTION", "COMMIT"]
    assert [s.tx for s in parsed.statements if s.tx is not None] == [ir.Tx.BEGIN, ir.Tx.COMMIT]
    texts = [written(parsed, s) for s in parsed.statements]
    assert not any("ROLLBACK" in t or "THROW" in t or t.startswith(("BEGIN TRY", "END")) for t in texts)
    assert parsed.statements[1].events == (
        ir.DropConstraint(T("_backofficesettingssliderstolocalimage"), "_backofficesettingssliderstolocalimage_a_fkey"),
    )
    # The copy Prisma hides in EXEC('INSERT ... SELECT ...') is read as the copy it is.
    copy = next(s for s in parsed.statements if s.kind is ir.Kind.INSERT)
    assert written(parsed, copy).startswith("IF EXISTS(SELECT * FROM [dbo].[backOfficeSettingsSliders])")
    (change,) = copy.events
    assert isinstance(change, ir.DataChange)
    assert change.table == T("_prisma_new_backofficesettingssliders") and change.source == T("backofficesettingssliders")
    assert change.columns == change.source_columns and "language" in change.columns and len(change.columns) == 9
    drop, rename = [s for s in parsed.statements if s.kind in (ir.Kind.DROP_TABLE, ir.Kind.RENAME_TABLE)]
    assert drop.events == (ir.DropTable(T("backofficesettingssliders")),)
    assert rename.events == (ir.RenameTable(T("_prisma_new_backofficesettingssliders"), T("backofficesettingssliders")),)
    # The dynamic SQL that drops every constraint of the table cannot be read: not understood.
    (dynamic,) = [s for s in parsed.statements if not s.understood]
    assert written(parsed, dynamic).startswith("DECLARE @SQL") and written(parsed, dynamic).endswith("EXEC sp_executesql @SQL")
    fk = parsed.statements[-2]
    assert fk.events == (ir.AddConstraint(
        T("_backofficesettingssliderstolocalimage"), ir.ConstraintKind.FOREIGN_KEY, "_backofficesettingssliderstolocalimage_a_fkey",
        ("a",), True, T("backofficesettingssliders"), "cascade",
    ),)
    assert fk.locks == (ir.LockTaken(T("_backofficesettingssliderstolocalimage"), ir.Blocks.READS | ir.Blocks.WRITES | ir.Blocks.DDL, SCH_M, ir.Work.SCAN),)
    assert [c.text for c in parsed.comments][:2] == ["-- DropForeignKey", "-- RedefineTables"]


@needs_corpus
def test_prisma_create_table_columns_defaults_and_constraints() -> None:
    parsed = parse(corpus_text(EUREKA + "20210201080000_init/migration.sql"))
    users = parsed.statements[0]
    created, primary, unique = users.events
    assert isinstance(created, ir.CreateTable) and created.table == T("users")
    by_name = {c.name: c for c in created.columns}
    assert by_name["id"] == ir.Column("id", "int", False, ir.Default.SEQUENCE)
    assert by_name["roles"] == ir.Column("roles", "nvarchar(1000)", True, ir.Default.CONSTANT)
    assert by_name["updated_at"] == ir.Column("updated_at", "datetime2", True)
    assert primary == ir.AddConstraint(T("users"), ir.ConstraintKind.PRIMARY_KEY, "pk__users__id", ("id",))
    assert unique == ir.AddConstraint(T("users"), ir.ConstraintKind.UNIQUE, "users_email_unique", ("email",))


@needs_corpus
def test_alter_column_rewrites_every_row_under_a_schema_modification_lock() -> None:
    relative = EUREKA + "20210525153343_tags_on_works_and_set_length_to_4000_on_content_text_schema/migration.sql"
    parsed = parse(corpus_text(relative))
    altered = [s for s in parsed.statements if any(isinstance(e, ir.AlterColumnType) for e in s.events)]
    assert altered
    statement = altered[0]
    assert written(parsed, statement) == "ALTER TABLE [dbo].[cycles] ALTER COLUMN [content_text] VARCHAR(4000) NULL"
    assert statement.events == (
        ir.AlterColumnType(T("cycles"), "content_text", "varchar(4000)", rewrites=True),
        ir.SetNotNull(T("cycles"), "content_text", not_null=False),
    )
    (lock,) = statement.locks
    assert lock.name == SCH_M and lock.work is ir.Work.REWRITE and ir.Blocks.READS in lock.blocks


@needs_corpus
def test_default_constraints_prisma_adds_with_default_for() -> None:
    parsed = parse(corpus_text(EUREKA + "20210809210959_set_dashboard_type_public_by_default/migration.sql"))
    dropped, added = parsed.statements
    assert dropped.events == (ir.DropConstraint(T("users"), "df__users__dashboard_type"),)
    assert added.understood and added.events == (ir.SetDefault(T("users"), "dashboard_type", ir.Default.CONSTANT),)
    assert added.locks[0].work is None  # a default is written to the catalog, not to the rows


@needs_corpus
def test_openfire_sp_rename_of_columns_and_tables_without_exec() -> None:
    parsed = parse(corpus_text("igniterealtime__Openfire/13/openfire_sqlserver.sql"))
    renames = [s.events[0] for s in parsed.statements if s.events and isinstance(s.events[0], ir.RenameColumn)]
    assert ir.RenameColumn(T("jiveoffline"), "message", "stanza") in renames and len(renames) == 6
    parsed = parse(corpus_text("igniterealtime__Openfire/19/openfire_sqlserver.sql"))
    table_renames = [e for s in parsed.statements for e in s.events if isinstance(e, ir.RenameTable)]
    assert ir.RenameTable(T("jiveuser"), T("ofuser")) in table_renames
    drop_index = parsed.statements[0]
    assert written(parsed, drop_index) == "DROP INDEX jiveUser.jiveUser_cDate_idx"
    assert drop_index.events == (ir.DropIndex(T("jiveuser_cdate_idx"), T("jiveuser")),)


@needs_corpus
def test_prisma_index_and_constraint_renames_are_not_table_renames() -> None:
    parsed = parse(corpus_text(EUREKA + "20210914171548_adding_cycle_work_table/migration.sql"))
    renames = [s for s in parsed.statements if s.node_type == "sp_rename"]
    assert renames and all(s.understood for s in renames)
    assert not any(isinstance(e, (ir.RenameTable, ir.RenameColumn)) for s in renames for e in s.events)


@needs_corpus
def test_openfire_double_slash_line_is_a_syntax_error_and_the_rest_is_read() -> None:
    # Openfire's own runner skips lines that start with "//" (SchemaManager.isSQLCommandPart);
    # SQL Server itself refuses them.
    parsed = parse(corpus_text("igniterealtime__Openfire/22/openfire_sqlserver.sql"))
    (problem,) = parsed.statement_errors
    assert problem.offset == 0 and "'//'" in problem.message
    added = [e for s in parsed.statements for e in s.events if isinstance(e, ir.AddColumn)]
    assert [e.column.name for e in added] == ["serverkey", "salt", "iterations"]


def test_create_index_online_or_not() -> None:
    text = (
        "CREATE INDEX [a_idx] ON [dbo].[t]([a]);\n"
        "CREATE UNIQUE NONCLUSTERED INDEX b_idx ON t (b DESC) WITH (ONLINE = ON);\n"
        "CREATE CLUSTERED INDEX c_idx ON s.t (c)"
    )
    offline, online, clustered = parse(text).statements
    assert offline.events == (ir.CreateIndex(T("t"), "a_idx", ("a",)),)
    assert offline.locks[0].name == SHARED and offline.locks[0].blocks == ir.Blocks.WRITES | ir.Blocks.DDL
    assert online.events == (ir.CreateIndex(T("t"), "b_idx", ("b",), unique=True, online=True),)
    assert ir.Blocks.WRITES not in online.locks[0].blocks
    assert clustered.tables == (ir.TableName("s", "t"),) and clustered.locks[0].name == SCH_M


def test_go_batches_nested_comments_and_statements_without_semicolons() -> None:
    text = (
        "/* outer /* inner */ still a comment; */\n"
        "ALTER TABLE t ADD c INT NULL\nGO\n"
        "ALTER TABLE t DROP COLUMN c, d\n  go 2 -- twice\n"
        "DROP TABLE [we;ird]"
    )
    parsed = parse(text)
    assert [written(parsed, s) for s in parsed.statements] == [
        "ALTER TABLE t ADD c INT NULL", "ALTER TABLE t DROP COLUMN c, d", "DROP TABLE [we;ird]",
    ]
    assert parsed.comments[0].text == "/* outer /* inner */ still a comment; */"
    assert parsed.statements[1].events == (ir.DropColumn(T("t"), "c"), ir.DropColumn(T("t"), "d"))
    assert parsed.statements[2].events == (ir.DropTable(T("we;ird")),)


def test_offsets_are_characters_after_non_ascii_text() -> None:
    text = "-- café ☕\nEXEC sp_rename N'dbo.Ünï.old', N'new', N'COLUMN';\nALTER TABLE x DROP CONSTRAINT a, b"
    parsed = parse(text)
    rename, drop = parsed.statements
    assert written(parsed, rename) == "EXEC sp_rename N'dbo.Ünï.old', N'new', N'COLUMN'"
    assert rename.events == (ir.RenameColumn(T("ünï"), "old", "new"),)
    assert drop.events == (ir.DropConstraint(T("x"), "a"), ir.DropConstraint(T("x"), "b"))


def test_hand_written_t_sql_is_not_understood_and_only_real_errors_are_errors() -> None:
    text = (
        "IF NOT EXISTS (SELECT 1 FROM sys.columns WHERE name = 'c') BEGIN ALTER TABLE t ADD c INT END;\n"
        "WHILE @i < 10 SET @i = @i + 1;\n"
        "CRATE TABLE t (a INT);\n"
        "ALTER TABLE t ADD CONSTRAINT c CHECK ((a > 0)"
    )
    parsed = parse(text)
    assert len(parsed.statements) == 4 and not any(s.understood for s in parsed.statements)
    first, second = parsed.statement_errors
    assert text[first.offset :].startswith("CRATE") and "CRATE" in first.message
    assert text[second.offset :].startswith("((a > 0)") and "never closed" in second.message


def test_unterminated_string_stops_the_file() -> None:
    parsed = parse("DROP TABLE a;\nUPDATE t SET a = 'oops;\nDROP TABLE b;")
    assert [s.events for s in parsed.statements] == [(ir.DropTable(T("a")),)]
    assert parsed.syntax_error is not None and parsed.syntax_error.offset == parsed.text.index("'oops")


def test_nocheck_foreign_key_and_not_null_add_with_default() -> None:
    text = (
        "ALTER TABLE c WITH NOCHECK ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES p (id);\n"
        "ALTER TABLE c ADD n INT NOT NULL CONSTRAINT n_df DEFAULT 0, g UNIQUEIDENTIFIER NULL DEFAULT NEWID()"
    )
    fk, add = parse(text).statements
    assert fk.events == (ir.AddConstraint(T("c"), ir.ConstraintKind.FOREIGN_KEY, "fk", ("p",), False, T("p")),)
    assert fk.locks[0].work is None  # existing rows are not checked
    assert add.events == (
        ir.AddColumn(T("c"), ir.Column("n", "int", True, ir.Default.CONSTANT)),
        ir.AddColumn(T("c"), ir.Column("g", "uniqueidentifier", False, ir.Default.VOLATILE)),
    )
    assert add.locks[0].work is ir.Work.BACKFILL


@needs_corpus
def test_every_sqlserver_corpus_file_builds_a_model() -> None:
    files = sorted(CORPUS.rglob("*.sql"))
    assert len(files) >= 142  # the shared part of the corpus, every file counted
    statements = not_understood = errors = 0
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", "replace")
        parsed = parse(text)
        for s in parsed.statements:
            piece = text[s.start : s.end]
            assert piece and piece == piece.strip() and not piece.endswith(";"), (path, piece)
        assert parsed.syntax_error is None, path
        statements += len(parsed.statements)
        not_understood += sum(not s.understood for s in parsed.statements)
        errors += len(parsed.statement_errors)
    assert statements > 900
    assert not_understood <= 5 and errors == 1  # Prisma's dynamic SQL (2), Openfire's "//" line (1)


_PIECES = st.sampled_from([
    "CREATE TABLE ", "t", " (", ")", ", ", "a INT NOT NULL", " DEFAULT 0", "ALTER TABLE ", " ADD ", " ALTER COLUMN ",
    "DROP TABLE ", "EXEC sp_rename ", "N'x.y'", "BEGIN TRY", "BEGIN TRAN", "COMMIT TRAN", "END TRY", "BEGIN CATCH",
    "END CATCH", "\nGO\n", ";", "'", '"', "[", "]", "-- c\n", "/*", "*/", "é", "☕", "\n", "\x00", "WITH (ONLINE = ON)",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_any_text_builds_a_model_with_spans_inside_it(pieces: list[str]) -> None:
    text = "".join(pieces)
    parsed = parse(text)
    previous_end = 0
    for statement in parsed.statements:
        assert previous_end <= statement.start < statement.end <= len(text)
        assert not text[statement.start].isspace() and not text[statement.end - 1].isspace()
        previous_end = statement.end
    for problem in (*parsed.statement_errors, *([parsed.syntax_error] if parsed.syntax_error else [])):
        assert 0 <= problem.offset <= len(text)


def test_help_sql_quotes_names_so_that_sql_server_reads_them_back() -> None:
    name = "we]ird é"
    sql = f"CREATE TABLE {SQL_TEXT.table(ir.TableName('dbo', name))} (x INT)"
    assert sql == "CREATE TABLE [we]]ird é] (x INT)"
    (created,) = parse(sql).statements[0].events
    assert isinstance(created, ir.CreateTable) and created.table == T(name)
    assert SQL_TEXT.table(ir.TableName("audit", "t")) == "[audit].[t]"


def test_dynamic_sql_with_a_literal_is_read_as_the_statement_inside() -> None:
    # CREATE VIEW must begin a batch: in a one-batch migration it is written EXEC('...').
    parsed = parse(
        "EXEC('CREATE VIEW [dbo].[Team] AS SELECT * FROM [dbo].[Organization]');\n"
        "EXEC sp_executesql N'DROP TABLE [dbo].[Old]';\n"
        "EXEC('SELECT 1; SELECT 2');\n"
        "EXEC sp_executesql @SQL;\n"
    )
    view, drop, several, variable = parsed.statements
    assert view.understood and view.events == (ir.CreateObject("view", T("team")),)
    assert drop.kind is ir.Kind.DROP_TABLE and drop.events == (ir.DropTable(T("old")),)
    assert not several.understood and not variable.understood
    assert parsed.statement_errors == ()


def test_create_view_names_the_view() -> None:
    (statement,) = parse("CREATE VIEW [audit].[Team] AS SELECT * FROM [dbo].[Organization];").statements
    assert statement.kind is ir.Kind.CREATE_OTHER
    assert statement.events == (ir.CreateObject("view", ir.TableName("audit", "team")),)


def test_update_top_is_a_batch_not_every_row() -> None:
    parsed = parse("UPDATE TOP (10000) [dbo].[posts] SET [title] = [name] WHERE [title] IS NULL;\n"
                   "DELETE TOP (500) FROM [dbo].[logs];\nUPDATE [dbo].[posts] SET [title] = '';")
    batch, delete, every = parsed.statements
    assert batch.understood and batch.events == (ir.DataChange(T("posts"), "update"),)
    assert delete.understood and delete.events == (ir.DataChange(T("logs"), "delete"),)
    assert [lock.work for lock in batch.locks + delete.locks] == [None, None]
    assert every.events == (ir.DataChange(T("posts"), "update", all_rows=True),)


def test_online_alter_column_blocks_only_other_schema_changes() -> None:
    online, offline = parse(
        "ALTER TABLE [dbo].[posts] ALTER COLUMN [views] BIGINT NOT NULL WITH (ONLINE = ON);\n"
        "ALTER TABLE [dbo].[posts] ALTER COLUMN [views] BIGINT NOT NULL;"
    ).statements
    assert online.events == offline.events
    assert [(lock.blocks, lock.work) for lock in online.locks] == [(ir.Blocks.DDL, ir.Work.REWRITE)]
    assert [(lock.name, lock.blocks) for lock in offline.locks] == [
        (SCH_M, ir.Blocks.READS | ir.Blocks.WRITES | ir.Blocks.DDL)]


def test_add_column_steps_run_on_sql_server() -> None:
    statement = parse("ALTER TABLE [dbo].[posts] ADD [views] INT NOT NULL;").statements[0]
    (event,) = statement.events
    assert isinstance(event, ir.AddColumn)
    steps = "\n".join(SQL_TEXT.add_column_steps(statement, event))
    parsed = parse(steps)
    assert [s.kind for s in parsed.statements] == [ir.Kind.ALTER_TABLE, ir.Kind.ALTER_TABLE]
    assert all(s.understood for s in parsed.statements) and parsed.statement_errors == ()
    assert parsed.statements[-1].events[-1] == ir.SetNotNull(T("posts"), "views", not_null=True)


def test_online_key_constraint_blocks_only_other_schema_changes() -> None:
    online, offline, mixed = parse(
        "ALTER TABLE [dbo].[users] ADD CONSTRAINT [users_slug_key] UNIQUE NONCLUSTERED ([slug]) WITH (ONLINE = ON);\n"
        "ALTER TABLE [dbo].[users] ADD CONSTRAINT [users_slug_key] UNIQUE NONCLUSTERED ([slug]);\n"
        "ALTER TABLE [dbo].[users] ADD CONSTRAINT [users_team_fkey] FOREIGN KEY ([teamId]) REFERENCES [dbo].[teams]([id]);"
    ).statements
    assert [(lock.blocks, lock.work) for lock in online.locks] == [(ir.Blocks.DDL, ir.Work.INDEX_BUILD)]
    assert [lock.name for lock in offline.locks] == [SCH_M]
    assert [lock.name for lock in mixed.locks] == [SCH_M]  # a foreign key has no index to build online
