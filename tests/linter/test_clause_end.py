"""clause_end read without the scanner, where the text leaves no doubt, ends each clause where
the scanner's tokens end it."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.linter import constraint_sql
from migralint.linter import lazy_parser as pg_parser
from migralint.linter.parse import parse_source

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

TEXTS = [
    'ALTER TABLE "T" ADD CONSTRAINT "T_a_fkey" FOREIGN KEY ("a", "b") REFERENCES "U"("x", "y") ON DELETE CASCADE, '
    'ADD COLUMN "c" INT',
    'ALTER TABLE "T" ADD CONSTRAINT "we""ird)" CHECK ((("a" > 0))) NOT VALID',
    'ALTER TABLE "T" ADD COLUMN "arr" INTEGER[] DEFAULT ARRAY[1, 2]   ,  DROP COLUMN "x"',
    "ALTER TABLE \"T\" ADD COLUMN \"s\" TEXT DEFAULT 'a, b)' , DROP COLUMN \"x\"",  # to the scanner: a string
    'ALTER TABLE "T" ADD COLUMN "n" INT /* , */ , DROP COLUMN "x"',  # to the scanner: a comment
    'ALTER TABLE "T" ADD COLUMN "n" INT DEFAULT $$,$$ , DROP COLUMN "x"',  # to the scanner: a dollar quote
    'ALTER TABLE "T" ADD COLUMN "é" INT, DROP COLUMN "x"',  # to the scanner: not ASCII
    'ALTER TABLE "T" ADD CONSTRAINT "k" CHECK ("a" > 0))',  # a parenthesis it did not open
]


def _scanned(text: str, start: int, limit: int) -> int:
    """clause_end as the scanner's tokens give it (the function's own path for any other text)."""
    return constraint_sql._scanned_clause_end(text, start, limit)


def _compare(text: str) -> int:
    """Every clause starting at a token of `text`: the number read without the scanner."""
    read = 0
    for token in pg_parser.scan(text):
        plain = constraint_sql._plain_clause_end(text, token.start, len(text), constraint_sql._COMMA)
        if plain is not None:
            read += 1
            assert plain == _scanned(text, token.start, len(text)), text[token.start :]
        assert constraint_sql.clause_end(text, token.start, len(text)) == _scanned(text, token.start, len(text))
    return read


@pytest.mark.parametrize("text", TEXTS)
def test_a_clause_ends_where_the_scanners_tokens_end_it(text: str) -> None:
    read = _compare(text)
    if text.isascii() and not any(mark in text for mark in ("'", "$", "/*", "--")):
        assert read == len(pg_parser.scan(text))
    else:  # the clauses that hold the string, comment, dollar quote or letter go to the scanner
        assert read < len(pg_parser.scan(text))


def test_every_corpus_alter_table_clause_ends_where_the_scanner_ends_it() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/corpus is not here")
    read = 0
    for path in sorted(SHARED.rglob("*.sql"))[::7]:  # a seventh of the files: every clause of each
        parsed = parse_source(path.read_text(encoding="utf-8", errors="replace"))
        for statement in parsed.statements:
            if statement.kind == "AlterTableStmt":
                read += _compare(parsed.text[statement.start : statement.end])
    assert read > 5_000
