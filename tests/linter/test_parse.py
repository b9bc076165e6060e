from __future__ import annotations

from migralint.linter.parse import parse_source, subcommand_spans
from migralint.source import LineIndex


def test_statement_spans_skip_comments_and_semicolons() -> None:
    text = "-- café ☕ comment\nCREATE INDEX i ON t (c);\n/* x */ SELECT 1 ;\n"
    parsed = parse_source(text)
    assert [text[s.start : s.end] for s in parsed.statements] == ["CREATE INDEX i ON t (c)", "SELECT 1"]


def test_byte_locations_become_character_offsets() -> None:
    text = "SELECT 'é☕';\nCREATE INDEX i ON \"Usér\" (c);"
    parsed = parse_source(text)
    relation = parsed.statements[1].node["relation"]
    offset = parsed.index.char_offset(relation["location"])
    assert text[offset:].startswith('"Usér"')


def test_syntax_error_points_at_the_right_character_after_multibyte_text() -> None:
    for prefix in ("", "SELECT 'é';\n", "SELECT '☕☕';\n", "-- ☕ 🎉\n"):
        text = prefix + "CREATE TABLE t (id int);\nSELEC 1;"
        parsed = parse_source(text)
        assert parsed.syntax_error is not None
        assert text[parsed.syntax_error.offset :].startswith("SELEC 1"), prefix
        # The statements before the error are still parsed and linted.
        assert [s.kind for s in parsed.statements][-1] == "CreateStmt"


def test_unterminated_string_is_a_syntax_error_not_a_crash() -> None:
    parsed = parse_source("-- migralint: ignore x\nSELECT 'oops;\n")
    assert parsed.syntax_error is not None
    assert parsed.comments and parsed.comments[0].text.startswith("-- migralint")


def test_subcommand_spans_split_on_top_level_commas() -> None:
    text = 'ALTER TABLE ONLY "s"."Tä" ADD COLUMN a numeric(10, 2), ADD CONSTRAINT c CHECK (a IN (1, 2)), DROP COLUMN b;'
    parsed = parse_source(text)
    spans = subcommand_spans(parsed, parsed.statements[0], 3)
    assert [text[a:b] for a, b in spans] == [
        "ADD COLUMN a numeric(10, 2)",
        "ADD CONSTRAINT c CHECK (a IN (1, 2))",
        "DROP COLUMN b",
    ]


def test_line_index_positions_are_one_based_characters() -> None:
    index = LineIndex("ab\n☕x\r\nlast")
    assert index.position(0) == (1, 1)
    assert index.position(3) == (2, 1)
    assert index.position(4) == (2, 2)  # after the cup: one character, three bytes
    assert index.line_text(2) == "☕x"
    assert index.offset(3, 2) == 8
    assert index.char_offset(len("ab\n☕".encode())) == 4
