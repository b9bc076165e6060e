"""The catalog snapshot of the result cache (cache.py): written in parts, each pickled on its
own, so that pickling a large catalog does not remember every object it wrote until its end."""

from __future__ import annotations

from pathlib import Path

from migralint.cache import Store
from migralint.linter.catalog import Catalog
from migralint.linter.engine import replay_text
from migralint.migrations.layouts import RunnerMode, Section

# More tables than one part holds (catalog._PART_ITEMS), each with a typed column, a default,
# a key (its index), an index and a foreign key to the one before.
_TABLES = 2_500


def _catalog() -> Catalog:
    lines = []
    for i in range(_TABLES):
        lines.append(f'CREATE TABLE "t{i}" ("id" BIGINT PRIMARY KEY, "at" TIMESTAMP(3) NOT NULL DEFAULT now(), "ref" BIGINT);')
        lines.append(f'CREATE INDEX "t{i}_at" ON "t{i}" ("at");')
        if i:
            lines.append(f'ALTER TABLE "t{i}" ADD CONSTRAINT "t{i}_ref" FOREIGN KEY ("ref") REFERENCES "t{i - 1}" ("id");')
    lines.append('CREATE VIEW "v" AS SELECT "id" FROM "t0";')
    text = "\n".join(lines)
    catalog = Catalog()
    replay_text(text, [Section(0, len(text), RunnerMode.TRANSACTION)], catalog, "20260101_big")
    return catalog


def _described(catalog: Catalog) -> list[object]:
    return [
        sorted((str(n), t.origin, sorted((c.name, repr(c.type_name), c.not_null, repr(c.default)) for c in t.columns.values()),
                sorted((c.name, c.kind, c.columns, str(c.references)) for c in t.constraints.values()), sorted(map(str, t.index_names)))
               for n, t in catalog.tables.items()),
        sorted((str(n), str(i.table), i.columns, i.unique) for n, i in catalog.indexes.items()),
        sorted(map(str, catalog.views)),
    ]


def test_a_large_catalog_comes_back_whole_with_its_trees_shared(tmp_path: Path) -> None:
    catalog = _catalog()
    assert len(catalog.tables) == _TABLES and len(catalog.indexes) == 2 * _TABLES
    store = Store(tmp_path / "cache")
    store.save_snapshot("a" * 40, catalog)
    loaded = store.load_snapshot("a" * 40)
    assert isinstance(loaded, Catalog) and loaded is not catalog
    assert _described(loaded) == _described(catalog)
    # Each part had its own copy of the column types and defaults: one tree each again.
    types = {id(c.type_name) for t in loaded.tables.values() for c in t.columns.values()}
    defaults = {id(c.default) for t in loaded.tables.values() for c in t.columns.values() if c.default is not None}
    assert len(types) == 2 and len(defaults) == 1


def test_a_snapshot_cut_short_or_changed_is_a_miss(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    store.save_snapshot("b" * 40, _catalog())
    path = store.snapshot_path("b" * 40)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert store.load_snapshot("b" * 40) is None
    path.write_bytes(data[:-10] + bytes(10))
    assert store.load_snapshot("b" * 40) is None
    path.write_bytes(data)
    assert isinstance(store.load_snapshot("b" * 40), Catalog)
