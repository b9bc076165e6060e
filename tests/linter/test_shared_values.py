"""What a large migration keeps of each table and statement is shared where equal (issue 11,
row 12; docs/robustness.md): the catalog's Columns, a large file's statement spans, the facts
its statements keep. Sharing must never let one table's or statement's change reach another."""

from __future__ import annotations

from pathlib import Path

from migralint.cache import Store
from migralint.linter.catalog import Catalog
from migralint.linter.engine import replay_text
from migralint.linter.file_schema import FileSchema, forget_creates, schema_entries
from migralint.linter.parse import parse_source
from migralint.linter.pieces import parse_large
from migralint.migrations.layouts import RunnerMode, Section
from migralint.source import LineIndex
from migralint.sql.postgres.nodes import TableName


def _replayed(sql: str, catalog: Catalog | None = None, migration: str = "20260101_a") -> Catalog:
    catalog = catalog if catalog is not None else Catalog()
    replay_text(sql, [Section(0, len(sql), RunnerMode.TRANSACTION)], catalog, migration)
    return catalog


def _column(catalog: Catalog, table: str, column: str) -> tuple[object, ...]:
    found = catalog.column(TableName("public", table), column)
    assert found is not None, (table, column)
    return found.name, str(found.type_name), found.not_null, found.default is not None, found.origin


_THREE = "".join(f'CREATE TABLE "t{i}" ("id" BIGINT, "note" TEXT);\n' for i in range(3))


def test_tables_with_the_same_column_share_one_and_a_change_reaches_only_its_table() -> None:
    catalog = _replayed(_THREE)
    ids = {id(catalog.tables[TableName("public", f"t{i}")].columns["id"]) for i in range(3)}
    assert len(ids) == 1  # one Column for the three
    before = _column(catalog, "t2", "id")
    _replayed(
        'ALTER TABLE "t0" ADD PRIMARY KEY ("id");\n'  # NOT NULL on t0's "id" only
        'ALTER TABLE "t1" ALTER COLUMN "id" TYPE INT, ALTER COLUMN "note" SET DEFAULT \'x\';\n'
        'ALTER TABLE "t1" RENAME COLUMN "note" TO "memo";\n',
        catalog, "20260102_b",
    )
    assert _column(catalog, "t0", "id")[2] is True
    assert _column(catalog, "t1", "id")[2] is False and "int4" in str(_column(catalog, "t1", "id")[1])
    assert _column(catalog, "t1", "memo")[3] is True and catalog.column(TableName("public", "t1"), "note") is None
    # t2 is as it was: none of those changes reached it through a shared Column.
    assert _column(catalog, "t2", "id") == before
    assert _column(catalog, "t2", "note") == ("note", _column(catalog, "t2", "note")[1], False, False, "20260101_a")


def test_a_catalog_read_back_from_the_cache_shares_no_column_by_a_stale_key(tmp_path: Path) -> None:
    catalog = _replayed(_THREE)
    store = Store(tmp_path / "cache")
    store.save_snapshot("c" * 40, catalog)
    loaded = store.load_snapshot("c" * 40)
    assert isinstance(loaded, Catalog) and loaded._columns == {}  # noqa: SLF001 (ids mean nothing once read back)
    _replayed('CREATE TABLE "t3" ("id" BIGINT, "note" TEXT);\nALTER TABLE "t0" ALTER COLUMN "id" SET NOT NULL;\n',
              loaded, "20260103_c")
    assert _column(loaded, "t0", "id")[2] is True
    assert [_column(loaded, f"t{i}", "id")[2] for i in (1, 2, 3)] == [False, False, False]
    assert _column(loaded, "t3", "id")[4] == "20260103_c" and _column(loaded, "t1", "id")[4] == "20260101_a"


def test_a_large_file_statements_read_their_spans_from_one_array() -> None:
    text = "".join(f'CREATE TABLE "t{i}" ("id" INT);\nALTER TABLE "t{i}" ADD COLUMN "b☕" INT;\n' for i in range(40))
    whole, cut = parse_source(text), parse_large(text, size=200)
    assert [(s.index, s.kind, s.start, s.end) for s in cut.statements] == [
        (s.index, s.kind, s.start, s.end) for s in whole.statements
    ]
    assert cut.statements[5] == whole.statements[5] and hash(cut.statements[5]) == hash(whole.statements[5])


def test_a_statement_forgets_one_fact_and_keeps_the_others() -> None:
    statement = parse_source('ALTER TABLE "t" ADD COLUMN "c" INT;').statements[0]
    calls: list[str] = []

    def first(_: object) -> str:
        calls.append("first")
        return "one"

    def second(_: object) -> str:
        calls.append("second")
        return "two"

    assert (statement.fact(first), statement.fact(second), schema_entries(statement) != ()) == ("one", "two", True)
    forget_creates([statement])
    assert (statement.fact(first), statement.fact(second)) == ("one", "two")
    assert calls == ["first", "second"]  # kept: not computed again
    statement.forget(first)
    assert statement.fact(first) == "one" and calls == ["first", "second", "first"]
    assert statement.fact(second) == "two" and calls.count("second") == 1


def test_the_file_schema_answers_the_same_without_entries_for_columns_of_its_new_tables() -> None:
    statements = parse_source(
        'ALTER TABLE "old" ADD COLUMN "a" INT;\n'  # 0: a table from before the file
        'CREATE TABLE "new" ("id" INT);\n'  # 1
        'ALTER TABLE "new" ADD COLUMN "b" INT;\n'  # 2: new with its table
        'SELECT 1;\n'  # 3
    ).statements
    schema = FileSchema.of(statements)
    old, new = TableName("public", "old"), TableName("public", "new")
    assert schema.columns == {(old, "a"): 0}
    assert [schema.column_is_new(old, "a", before) for before in range(4)] == [False, True, True, True]
    assert [schema.column_is_new(new, "b", before) for before in range(4)] == [False, False, True, True]


def test_line_positions_of_a_non_ascii_file_read_in_any_order() -> None:
    lines = [f"-- ligne {k} café ☕ {'é' * (k % 7)}" for k in range(300)]
    text = "\n".join(lines) + "\n"
    index = LineIndex(text)
    encoded = text.encode("utf-8")
    # More lines than the character tables kept, read back and forth.
    for k in [*range(0, 300, 3), *range(299, 0, -5), 150, 0, 299]:
        offset = text.index(lines[k]) + len(lines[k]) - 1  # the last character of the line
        byte = len(text[:offset].encode("utf-8"))
        assert index.position(offset) == (k + 1, len(lines[k]))
        assert index.byte_offset(offset) == byte
        assert index.char_offset(byte) == offset and encoded[byte:].decode("utf-8").startswith(text[offset])
    assert index.line_count == 301 and index.line_text(300) == lines[299]
