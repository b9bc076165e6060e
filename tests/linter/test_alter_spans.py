"""The span of an ALTER TABLE's one subcommand, read from the text, is the one the scanner gives
(linter/parse.py's subcommand_spans), or the text is left to the scanner."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.linter.alter_spans import single_command_span
from migralint.linter.parse import parse_source, subcommand_spans

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

STATEMENTS = [
    'ALTER TABLE "User" ADD COLUMN "email" TEXT',
    'ALTER TABLE public."User" ADD CONSTRAINT "User_pkey" PRIMARY KEY ("id")',
    'ALTER TABLE "a" . "b"  *  DROP COLUMN "c"',
    'ALTER TABLE ONLY "we""ird" ALTER COLUMN "x" SET DEFAULT \'a;b\'',
    "ALTER TABLE IF EXISTS my_table$1 ENABLE ROW LEVEL SECURITY",
    'ALTER TABLE\t"User"\n\tALTER COLUMN "x" TYPE INTEGER USING ("x"::integer)',
    'ALTER TABLE "User" ADD COLUMN "note" TEXT DEFAULT \'  \'',
    # Left to the scanner: a comma, a comment, non-ASCII text.
    'ALTER TABLE "User" ADD COLUMN "a" TEXT, ADD COLUMN "b" TEXT',
    'ALTER TABLE "User" /* why */ DROP COLUMN "a"',
    'ALTER TABLE "User" DROP COLUMN "a" -- why\n',
    'ALTER TABLE "Café" DROP COLUMN "a"',
    'ALTER TABLE "User" ADD CONSTRAINT "k" UNIQUE ("a", "b")',
]


def _compare(sql: str) -> bool:
    """Whether the text gave the span (True) or left it to the scanner (False); asserts it is the scanner's."""
    parsed = parse_source(sql)
    read = False
    for statement in parsed.statements:
        commands = statement.node.get("cmds", [])
        relation = statement.node.get("relation")
        if statement.kind != "AlterTableStmt" or len(commands) != 1 or not relation:
            continue
        name_at = parsed.index.char_offset(relation["location"]) - statement.start
        found = single_command_span(parsed.text[statement.start : statement.end], name_at)
        if found is not None:
            read = True
            assert (statement.start + found[0], statement.start + found[1]) == subcommand_spans(parsed, statement, 1)[0], (
                parsed.text[statement.start : statement.end])
    return read


@pytest.mark.parametrize("sql", STATEMENTS)
def test_a_span_read_from_the_text_is_the_scanners(sql: str) -> None:
    read = _compare(f"{sql};")
    assert read == ("," not in sql and "--" not in sql and "/*" not in sql and sql.isascii())


def test_every_corpus_alter_table_reads_as_the_scanner_reads_it() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/corpus is not here")
    read = sum(_compare(path.read_text(encoding="utf-8", errors="replace")) for path in sorted(SHARED.rglob("*.sql")))
    assert read > 1000  # most files with an ALTER TABLE have one of a single subcommand
