"""The plain split of ALTER TABLE subcommands gives the scanner's spans, or leaves the statement
to the scanner."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.linter.command_spans import _NOT_PLAIN, _plain_spans, _scanned_spans
from migralint.linter.parse import parse_source, subcommand_spans

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def _both(sql: str) -> tuple[list[tuple[int, int]] | None, list[tuple[int, int]] | None, str]:
    parsed = parse_source(sql)
    statement = parsed.statements[0]
    text = parsed.text[statement.start : statement.end]
    name_at = parsed.index.char_offset(statement.node["relation"]["location"]) - statement.start
    return _plain_spans(text, name_at), _scanned_spans(text, name_at), text


@pytest.mark.parametrize("sql", [
    'ALTER TABLE "User" ADD COLUMN "a" TEXT NOT NULL DEFAULT \'x, (y\', ADD COLUMN "b" INTEGER;',
    'ALTER TABLE public."Us,er" ADD CONSTRAINT "c" FOREIGN KEY ("a", "b") REFERENCES "T"("x", "y"), DROP COLUMN z;',
    "ALTER TABLE s . t * ADD COLUMN a int[] DEFAULT ARRAY[1, 2],\n\tDROP COLUMN b  ,  DROP COLUMN c",
    'ALTER TABLE ONLY "a""b" ALTER COLUMN "x" TYPE numeric(10, 2) USING ("x"::numeric), ADD CHECK (x IN (1, 2))',
    "ALTER TABLE IF EXISTS tä ADD COLUMN ☕ text, ADD COLUMN b text DEFAULT 'é,'",
    "alter table t add column a text default 'it''s, fine', add column b text",
])
def test_plain_split_gives_the_scanners_spans(sql: str) -> None:
    plain, scanned, text = _both(sql)
    assert plain is not None, "a plain statement is split without the scanner"
    assert plain == scanned
    assert len(plain) >= 2 and all(text[a:b].strip() == text[a:b] and "," not in text[a:a + 1] for a, b in plain)


@pytest.mark.parametrize("sql", [
    "ALTER TABLE t ADD COLUMN a text, -- a comma, here\n ADD COLUMN b text",
    "ALTER TABLE t ADD COLUMN a text /* ( */, ADD COLUMN b text",
    "ALTER TABLE t ADD COLUMN a text DEFAULT $$x, y$$, ADD COLUMN b text",
    "ALTER TABLE t ADD COLUMN a text DEFAULT E'\\', (', ADD COLUMN b text",
    'ALTER TABLE U&"t" ADD COLUMN a text, ADD COLUMN b text',
])
def test_what_the_plain_split_does_not_model_goes_to_the_scanner(sql: str) -> None:
    parsed = parse_source(sql)
    statement = parsed.statements[0]
    text = parsed.text[statement.start : statement.end]
    name_at = parsed.index.char_offset(statement.node["relation"]["location"]) - statement.start
    assert _NOT_PLAIN.search(text) is not None or _plain_spans(text, name_at) is None
    spans = subcommand_spans(parsed, statement, 2)
    assert [parsed.text[a:b].split()[:3] for a, b in spans] == [["ADD", "COLUMN", "a"], ["ADD", "COLUMN", "b"]]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_plain_split_matches_the_scanner_on_every_corpus_alter_table() -> None:
    compared = 0
    for path in sorted(CORPUS.rglob("*.sql")):
        sql = path.read_text(encoding="utf-8", errors="replace")
        if "alter table" not in sql.lower():
            continue
        parsed = parse_source(sql)
        for statement in parsed.statements:
            relation = statement.node.get("relation") if statement.kind == "AlterTableStmt" else None
            if not relation or "location" not in relation:
                continue
            text = parsed.text[statement.start : statement.end]
            name_at = parsed.index.char_offset(relation["location"]) - statement.start
            plain = None if _NOT_PLAIN.search(text) else _plain_spans(text, name_at)
            if plain is not None:
                assert plain == _scanned_spans(text, name_at), f"{path}: {text[:200]}"
                compared += 1
    assert compared > 1000
