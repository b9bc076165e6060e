"""Parse a source text once: statements (JSON AST from libpg_query), comments, syntax errors.

`pglast.parser.parse_sql_json` plus `json.loads` costs a fifth of building pglast's Python
AST objects, so rules read plain dicts: every node is `{"NodeType": {fields}}` and a
Statement keeps the inner body of its top-level node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from pglast import parser as pg_parser

from migralint.linter import deep_json
from migralint.source import LineIndex

Node = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    kind: str  # the top-level node type, e.g. "IndexStmt"
    node: Node  # that node's fields
    start: int  # character offset of its first token
    end: int  # character offset just past its last token (the ";" excluded)


class Comment(NamedTuple):
    start: int
    end: int  # exclusive
    text: str
    own_line: bool  # nothing but white space before it on its line


class SyntaxProblem(NamedTuple):
    message: str
    offset: int  # character offset PostgreSQL points at


@dataclass(frozen=True, slots=True)
class ParsedSource:
    index: LineIndex
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]
    syntax_error: SyntaxProblem | None
    nul_offset: int | None = None  # the first NUL byte of the file, which PostgreSQL refuses

    @property
    def text(self) -> str:
        return self.index.text


def parse_source(text: str) -> ParsedSource:
    # libpg_query reads a C string: at a NUL byte the rest of the file would go unseen.
    # PostgreSQL refuses a NUL in a query, so it is reported (nul_offset), and the rest is
    # read as if the NUL were a space, so that it is still linted.
    nul = text.find("\0")
    if nul != -1:
        text = text.replace("\0", " ")
    index = LineIndex(text)
    # Comments matter only for ignore directives; scanning costs as much as parsing, so
    # files that mention no directive skip it.
    comments = _comments(text) if "migralint" in text else ()
    error: SyntaxProblem | None = None
    try:
        tree = deep_json.loads(pg_parser.parse_sql_json(text))
    except pg_parser.ParseError as exc:
        error = _syntax_problem(text, exc)
        tree = _parse_prefix(text, error.offset)
    statements = _statements(tree, index)
    return ParsedSource(index, statements, comments, error, None if nul == -1 else nul)


def _statements(tree: Node, index: LineIndex) -> tuple[Statement, ...]:
    text = index.text
    result: list[Statement] = []
    for raw in tree.get("stmts", ()):
        ((kind, node),) = raw["stmt"].items()
        byte_start = raw.get("stmt_location", 0)
        byte_len = raw.get("stmt_len", 0)
        start = index.char_offset(byte_start)
        end = index.char_offset(byte_start + byte_len) if byte_len else len(text)
        start = skip_blank_and_comments(text, start, end)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and text[end - 1] == ";":
            end -= 1
        result.append(Statement(len(result), kind, node, start, end))
    return tuple(result)


def skip_blank_and_comments(text: str, pos: int, end: int) -> int:
    """The first offset from `pos` that is neither white space nor inside a comment."""
    while pos < end:
        if text[pos].isspace():
            pos += 1
        elif text.startswith("--", pos):
            newline = text.find("\n", pos)
            pos = end if newline == -1 else newline + 1
        elif text.startswith("/*", pos):
            pos = _block_comment_end(text, pos)
        else:
            break
    return min(pos, end)


def _block_comment_end(text: str, pos: int) -> int:
    depth = 0  # PostgreSQL block comments nest
    while pos < len(text):
        if text.startswith("/*", pos):
            depth += 1
            pos += 2
        elif text.startswith("*/", pos):
            depth -= 1
            pos += 2
            if depth == 0:
                return pos
        else:
            pos += 1
    return pos


def _comments(text: str) -> tuple[Comment, ...]:
    try:
        tokens = pg_parser.scan(text)
    except pg_parser.ParseError:
        return _comments_by_regex(text)
    result = []
    for token in tokens:
        if token.name in ("SQL_COMMENT", "C_COMMENT"):
            end = token.end + 1  # the scanner's ends are inclusive
            result.append(_comment(text, token.start, end))
    return tuple(result)


_LINE_COMMENT = re.compile(r"--[^\n]*")


def _comments_by_regex(text: str) -> tuple[Comment, ...]:
    # The scanner gives up on text it cannot tokenize (an unterminated string); the file
    # is then a syntax error anyway, and line comments are enough to honour ignores.
    return tuple(_comment(text, m.start(), m.end()) for m in _LINE_COMMENT.finditer(text))


def _comment(text: str, start: int, end: int) -> Comment:
    line_start = text.rfind("\n", 0, start) + 1
    own_line = text[line_start:start].strip() == ""
    return Comment(start, end, text[start:end].rstrip("\r"), own_line)


_NEAR = re.compile(r'at or near "(.*)"', re.S)


def _syntax_problem(text: str, exc: pg_parser.ParseError) -> SyntaxProblem:
    message = str(exc.args[0]) if exc.args else str(exc)
    reported = int(exc.args[1]) if len(exc.args) > 1 and exc.args[1] is not None else 0
    return SyntaxProblem(message, _error_offset(text, reported, message))


def _error_offset(text: str, reported: int, message: str) -> int:
    """The character offset of a parse error.

    libpg_query already reports a character position, and pglast converts it once more
    as if it counted bytes, which moves it left past every multi-byte character. Undo
    that: the true position lies within the UTF-8 bytes of the reported character. Where
    that leaves a choice, the token PostgreSQL names ("at or near ...") decides.
    """
    if text.isascii():
        return min(reported, len(text))
    low = len(text[:reported].encode("utf-8"))
    high = low + len(text[reported : reported + 1].encode("utf-8")) - 1
    candidates = [offset for offset in range(low, high + 1) if offset <= len(text)] or [len(text)]
    near = _NEAR.search(message)
    if near:
        for offset in [reported, *candidates]:
            if text.startswith(near.group(1), offset):
                return offset
    return candidates[0]


def _parse_prefix(text: str, error_offset: int) -> Node:
    """Parse the statements before the one that failed, so that they are still linted."""
    try:
        slices = pg_parser.split(text, with_parser=False, only_slices=True)
    except pg_parser.ParseError:
        return {}
    cut = 0
    for piece in slices:
        if piece.stop is not None and piece.stop < error_offset:
            cut = piece.stop + 1 if text[piece.stop : piece.stop + 1] == ";" else piece.stop
        else:
            break
    if cut == 0:
        return {}
    try:
        return deep_json.loads(pg_parser.parse_sql_json(text[:cut])) or {}
    except pg_parser.ParseError:
        return {}


def subcommand_spans(parsed: ParsedSource, statement: Statement, count: int) -> list[tuple[int, int]]:
    """Character spans of the comma-separated subcommands of an ALTER TABLE statement.

    libpg_query gives subcommands no location, so the statement's own tokens are split
    on top-level commas after the table name. When that does not yield `count` pieces,
    every subcommand gets the whole statement, which is never wrong, only less exact.
    """
    whole = [(statement.start, statement.end)] * count
    relation = statement.node.get("relation")
    if not relation or "location" not in relation:
        return whole
    base = statement.start
    try:
        tokens = pg_parser.scan(parsed.text[statement.start : statement.end])
    except pg_parser.ParseError:
        return whole
    name_at = parsed.index.char_offset(relation["location"]) - base
    i = next((k for k, t in enumerate(tokens) if t.start >= name_at), len(tokens))
    i += 1
    while i + 1 < len(tokens) and tokens[i].name == "ASCII_46":  # schema.table
        i += 2
    if i < len(tokens) and tokens[i].name == "ASCII_42":  # table *
        i += 1
    spans: list[tuple[int, int]] = []
    depth = 0
    piece_start: int | None = None
    last_end = 0
    for token in tokens[i:]:
        if token.name in ("SQL_COMMENT", "C_COMMENT"):
            continue
        if token.name in ("ASCII_40", "ASCII_91"):
            depth += 1
        elif token.name in ("ASCII_41", "ASCII_93"):
            depth -= 1
        elif token.name == "ASCII_44" and depth == 0:
            if piece_start is not None:
                spans.append((base + piece_start, base + last_end))
            piece_start = None
            continue
        if piece_start is None:
            piece_start = token.start
        last_end = token.end + 1
    if piece_start is not None:
        spans.append((base + piece_start, base + last_end))
    return spans if len(spans) == count else whole
