"""FileSchema.of reads what a statement creates from its tree (FileSchema._record_tree) when the
tree is held: the same index, entry for entry and in the same order, as from the names-only
events (sql/postgres/created.py) it keeps for a statement whose tree is let go."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.linter.file_schema import FileSchema
from migralint.linter.parse import Statement, parse_source
from migralint.sql.postgres.created import CREATING, CreatedEvent, created_events

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "rules" / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"


def _entries(schema: FileSchema) -> tuple[object, ...]:
    return (list(schema.tables.items()), list(schema.indexes.items()), list(schema.columns.items()))


def _events(statements: tuple[Statement, ...]) -> list[tuple[int, tuple[CreatedEvent, ...]]]:
    return [(s.index, created_events(s.kind, s.node) if s.kind in CREATING else ()) for s in statements]


def _compare(paths: list[Path]) -> int:
    entries = 0
    for path in paths:
        statements = parse_source(path.read_text(encoding="utf-8", errors="replace")).statements
        assert all(s.tree_held for s in statements)
        from_trees = FileSchema.of(statements)
        assert _entries(from_trees) == _entries(FileSchema.of_events(_events(statements))), path
        # A rollback section's: what its forward migration created comes first.
        inherited = FileSchema.of(statements[len(statements) // 2 :], from_trees)
        expected = FileSchema.of_events(_events(statements[len(statements) // 2 :]), from_trees)
        assert _entries(inherited) == _entries(expected), path
        entries += len(from_trees.tables) + len(from_trees.indexes) + len(from_trees.columns)
    return entries


def test_the_same_index_on_the_fixtures() -> None:
    assert _compare(sorted(FIXTURES.glob("*.sql"))) > 100


def test_a_statement_of_each_creating_kind() -> None:
    sql = """
        CREATE TABLE "A" ("id" int); CREATE TABLE s."B" ("id" int);
        CREATE UNIQUE INDEX "A_id_key" ON "A"("id"); CREATE INDEX ON "A"("id");
        CREATE INDEX "B_id_idx" ON s."B"("id"); CREATE INDEX "A_id_key" ON s."B"("id");
        ALTER TABLE "A" ADD COLUMN "x" int; ALTER TABLE "Old" ADD COLUMN "x" int, ADD COLUMN "y" text;
        ALTER TABLE "Old" ADD CONSTRAINT "c" CHECK (x > 0); ALTER INDEX "A_id_key" RENAME TO "k";
        ALTER TABLE "A" RENAME TO "A2"; ALTER TABLE "Old" RENAME TO "Old2"; ALTER TABLE "Old" ADD COLUMN "z" int;
        CREATE TABLE "T" AS SELECT 1 AS one; CREATE MATERIALIZED VIEW "M" AS SELECT 1 AS one;
        CREATE VIEW "V" AS SELECT 1 AS one; CREATE TABLE IF NOT EXISTS "A" ("id" int);
    """
    statements = parse_source(sql).statements
    schema = FileSchema.of(statements)
    assert _entries(schema) == _entries(FileSchema.of_events(_events(statements)))
    assert len(schema.tables) == 5 and len(schema.indexes) == 3 and len(schema.columns) == 3


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_the_same_index_on_the_corpus() -> None:
    assert _compare(sorted(CORPUS.rglob("*.sql"))) > 5_000
