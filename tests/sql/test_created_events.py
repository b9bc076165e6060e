"""What a statement creates is one reading: the cheap names-only events FileSchema indexes
(sql/postgres/created.py) are exactly the names the full events give the catalog's replay
(model.statement_events), on the rule fixtures and on the real migrations of ../shared/corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.linter.file_schema import FileSchema
from migralint.linter.parse import parse_source
from migralint.sql import ir
from migralint.sql.postgres.created import CREATING, created_events
from migralint.sql.postgres.model import statement_events
from migralint.sql.postgres.nodes import TableName

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "rules" / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"

Name = tuple[str, ir.TableName, object]


def _names(events: tuple[ir.Event, ...]) -> list[Name]:
    names: list[Name] = []
    for event in events:
        if isinstance(event, ir.CreateTable):
            names.append(("table", event.table, None))
        elif isinstance(event, ir.CreateObject) and event.what == "materialized view":
            names.append(("table", event.name, None))
        elif isinstance(event, ir.CreateIndex):
            names.append(("index", event.table, event.name))
        elif isinstance(event, ir.AddColumn):
            names.append(("column", event.table, event.column.name))
        elif isinstance(event, ir.RenameTable):
            names.append(("rename", event.table, event.new))
    return names


def _compare(paths: list[Path]) -> int:
    compared = 0
    for path in paths:
        parsed = parse_source(path.read_text(encoding="utf-8", errors="replace"))
        for statement in parsed.statements:
            try:
                full = statement_events(statement.kind, statement.node)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                continue  # a shape the replay does not follow either
            cheap = created_events(statement.kind, statement.node) if statement.kind in CREATING else ()
            where = f"{path}: {parsed.text[statement.start:statement.end][:120]}"
            assert _names(cheap) == _names(full), where
            compared += bool(cheap)
    return compared


def test_created_events_name_what_the_full_events_name_on_the_fixtures() -> None:
    fixtures = sorted(p for p in FIXTURES.glob("*.sql") if "--" not in p.stem or p.stem.split("--")[1].startswith("pg"))
    assert _compare(fixtures) > 100


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_created_events_name_what_the_full_events_name_on_the_corpus() -> None:
    files = sorted((CORPUS / "prisma").rglob("*.sql"))[::7] + sorted((CORPUS / "other").rglob("*.sql"))[::7]
    assert _compare(files) > 500


def test_file_schema_says_where_the_file_created_each_name() -> None:
    sql = (
        'DROP INDEX "Post_slug_key";\n'  # 0: re-created below, on "Post"
        'CREATE TABLE "Post" ("id" int);\n'  # 1
        'ALTER TABLE "User" ADD COLUMN "nickname" text, ADD COLUMN "bio" text;\n'  # 2
        'ALTER TABLE "Post" RENAME TO "Article";\n'  # 3
        'CREATE MATERIALIZED VIEW "Stats" AS SELECT 1;\n'  # 4
        'CREATE UNIQUE INDEX "Post_slug_key" ON "Article" ("id");\n'  # 5
        'ALTER TABLE "Legacy" RENAME TO "Old";\n'  # 6: not created here
    )
    schema = FileSchema.of(parse_source(sql).statements)
    post, article = TableName("public", "Post"), TableName("public", "Article")
    assert schema.tables == {post: 1, article: 3, TableName("public", "Stats"): 4}
    assert schema.columns == {(TableName("public", "User"), "nickname"): 2, (TableName("public", "User"), "bio"): 2}
    assert schema.indexes == {TableName("public", "Post_slug_key"): (article, 5)}
    assert not schema.table_is_new(post, 1) and schema.table_is_new(post, 2)
    assert schema.column_is_new(TableName("public", "User"), "bio", 3)
    assert not schema.column_is_new(TableName("public", "User"), "bio", 2)
    inherited = FileSchema.of(parse_source("SELECT 1;").statements, schema)  # a rollback of that file
    assert inherited.table_is_new(article, 0)
