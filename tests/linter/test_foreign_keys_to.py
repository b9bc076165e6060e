"""Catalog.foreign_keys_to answers from the foreign keys noted under each referenced table: the
same keys, in the same order, as looking at every constraint of every table, whatever renames,
drops and re-creations came between."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from migralint.linter.catalog import Catalog
from migralint.linter.model_replay import apply_postgres
from migralint.linter.parse import parse_source
from migralint.linter.schema_objects import Constraint
from migralint.sql.postgres.nodes import TableName

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "prisma"


def _every_constraint(catalog: Catalog, table: TableName) -> list[Constraint]:
    return [
        c
        for owner in catalog.tables.values()
        if owner.name != table
        for c in owner.constraints.values()
        if c.kind == "foreign" and c.references == table
    ]


def _check_every_table(catalog: Catalog, seen: set[TableName]) -> int:
    seen.update(catalog.tables)
    found = 0
    for table in sorted(seen):
        keys = list(catalog.foreign_keys_to(table))
        expected = _every_constraint(catalog, table)
        assert len(keys) == len(expected) and all(a is b for a, b in zip(keys, expected)), table
        found += len(keys)
    return found


STEPS = [
    'CREATE TABLE "A" ("id" TEXT PRIMARY KEY, "cId" TEXT);',
    'CREATE TABLE "B" ("id" TEXT PRIMARY KEY, "aId" TEXT REFERENCES "A"("id"));',
    'CREATE TABLE "C" ("id" TEXT PRIMARY KEY, "aId" TEXT, "bId" TEXT);',
    'ALTER TABLE "C" ADD CONSTRAINT "C_a_fkey" FOREIGN KEY ("aId") REFERENCES "A"("id");',
    # A key added to an older table after the newer table's: the tables' order still rules.
    'ALTER TABLE "A" ADD CONSTRAINT "A_self_fkey" FOREIGN KEY ("cId") REFERENCES "A"("id");',
    'ALTER TABLE "B" ADD CONSTRAINT "B_a2_fkey" FOREIGN KEY ("id") REFERENCES "A"("id");',
    'ALTER TABLE "A" RENAME TO "A2";',
    'ALTER TABLE "B" RENAME CONSTRAINT "B_aId_fkey" TO "B_renamed_fkey";',
    'ALTER TABLE "C" DROP CONSTRAINT "C_a_fkey";',
    'ALTER TABLE "C" ADD CONSTRAINT "C_a_fkey" FOREIGN KEY ("aId") REFERENCES "A2"("id");',
    'ALTER TABLE "B" DROP COLUMN "aId";',
    'ALTER TABLE "A2" RENAME TO "A";',
    'DROP TABLE "B";',
    'CREATE TABLE "B" ("id" TEXT PRIMARY KEY, "aId" TEXT REFERENCES "A"("id"), "cId" TEXT REFERENCES "C"("id"));',
    'ALTER TABLE "C" ADD CONSTRAINT "C_a_fkey2" FOREIGN KEY ("bId") REFERENCES "A"("id");',
    # The same name again on the same table: it takes the old one's place.
    'ALTER TABLE "C" DROP CONSTRAINT "C_a_fkey", ADD CONSTRAINT "C_a_fkey" FOREIGN KEY ("aId") REFERENCES "B"("id");',
    'CREATE TABLE "C" ("id" TEXT PRIMARY KEY);',
    'CREATE TABLE IF NOT EXISTS "C" ("id" TEXT PRIMARY KEY, "bId" TEXT REFERENCES "B"("id"));',
]


def test_the_same_keys_in_the_same_order_through_renames_drops_and_recreations() -> None:
    catalog, seen = Catalog(), set[TableName]()
    found = 0
    for number, sql in enumerate(STEPS):
        for statement in parse_source(sql).statements:
            apply_postgres(catalog, statement, f"m{number}")
        found += _check_every_table(catalog, seen)
    assert found > 10  # the steps did make keys to look for


def test_a_catalog_asked_before_it_is_pickled_in_parts_answers_from_its_own_objects() -> None:
    catalog, seen = Catalog(), set[TableName]()
    for number, sql in enumerate(STEPS[:6]):
        for statement in parse_source(sql).statements:
            apply_postgres(catalog, statement, f"m{number}")
    assert _check_every_table(catalog, seen) > 0
    parts = [pickle.loads(pickle.dumps(part)) for part in catalog.snapshot_parts()]
    head = parts[0]
    assert isinstance(head, Catalog)
    loaded = Catalog.from_snapshot_parts(head, iter(parts[1:]))
    assert loaded is not None
    assert _check_every_table(loaded, set(seen)) > 0
    for number, sql in enumerate(STEPS[6:]):
        for statement in parse_source(sql).statements:
            apply_postgres(loaded, statement, f"n{number}")
        _check_every_table(loaded, seen)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_the_same_keys_as_every_constraint_over_corpus_histories() -> None:
    found = 0
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir())[:12]:
        catalog, seen = Catalog(), set[TableName]()
        for path in sorted(folder.rglob("*.sql")):
            for statement in parse_source(path.read_text(encoding="utf-8", errors="replace")).statements:
                try:
                    apply_postgres(catalog, statement, path.parent.name)
                except Exception:
                    pass  # as the engine: a statement the replay cannot follow is left out
            found += _check_every_table(catalog, seen)
    assert found > 0
