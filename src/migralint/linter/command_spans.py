"""Where each subcommand of an ALTER TABLE is written: libpg_query gives subcommands no location.

The statement is split on the commas outside parentheses and brackets after the table name.
Running PostgreSQL's scanner over the statement and walking its tokens in Python cost 60 us an
ALTER TABLE, a tenth of a second over the Prisma corpus. A subcommand's span only depends on
where the top-level commas are and on where the text between two of them starts and ends
(white space left out), so a statement without comments, dollar quotes or backslashes is split
by one regular expression that steps over quoted names and strings; any other statement goes
through the scanner, as every statement did before (both give the same spans: tests/linter/
test_command_spans.py compares them on the corpus).
"""

from __future__ import annotations

import re

from migralint.linter import lazy_parser as pg_parser

# What the plain split does not model, left to the scanner: comments (a comma or a parenthesis
# inside one), dollar quotes and backslash escapes (E'...\'...'), and control characters the
# scanner may read as white space (\f, \v) or refuse.
_NOT_PLAIN = re.compile(r"--|/\*|[$\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Its characters: one class is searched five times faster than the pattern above, which then
# only reads the few statements with a "-" or a "/" in them.
_MAYBE_NOT_PLAIN = re.compile(r"[-/$\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A quoted name or a string ('' and "" inside one read as two adjacent ones: the same commas),
# a lone quote (unterminated: left to the scanner), or a character that nests or splits.
_STEP = re.compile(r"""'[^']*'|"[^"]*"|['"]|[(\[)\],]""")
# The first part of the table's name and each part after a dot; the scanner's identifier
# characters are ASCII letters, digits, _ and $ (excluded above), and every non-ASCII character.
# Written as what they are not: the class up to U+10FFFF took re 10 ms to compile at every
# start, the ASCII complement 0.4 ms, and the two match the same text (checked on every code
# point, first and following).
_NAME = re.compile(r'"[^"]*"(?:"[^"]*")*'
                   r'|[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f][^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*')
_SPACE = " \t\n\r"
# Characters that make a "*" part of a longer operator (PostgreSQL's scan.l, op_chars).
_OPERATOR = frozenset("~!@#^&|`?+-*/%<>=")


def split_subcommands(text: str, name_at: int) -> list[tuple[int, int]] | None:
    """The spans, in `text` (one statement's), of the pieces between its top-level commas after
    the table name that starts at `name_at`; None when the scanner cannot read the statement."""
    plain = _MAYBE_NOT_PLAIN.search(text) is None or _NOT_PLAIN.search(text) is None
    spans = _plain_spans(text, name_at) if plain else None
    return spans if spans is not None else _scanned_spans(text, name_at)


def _plain_spans(text: str, name_at: int) -> list[tuple[int, int]] | None:
    """The spans in `text` (no comment, dollar quote or backslash in it); None when the table's
    name is not where the scanner would find it plainly, or a quote is not closed."""
    after = _after_name(text, name_at)
    if after is None:
        return None
    spans: list[tuple[int, int]] = []
    if text.find(",", after) == -1:  # one subcommand, as most are: no need to step through it
        _add_piece(text, after, len(text), spans)
        return spans
    depth = 0
    piece = after
    for match in _STEP.finditer(text, after):
        char = match.group()
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == ",":
            if depth == 0:
                _add_piece(text, piece, match.start(), spans)
                piece = match.end()
        elif len(char) == 1:  # a quote that never closes
            return None
    _add_piece(text, piece, len(text), spans)
    return spans


def _add_piece(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    # From its first token to the end of its last: the white space around it left out. Two
    # commas in a row make no piece, as no token lies between them.
    piece = text[start:end]
    stripped = piece.lstrip(_SPACE)
    if stripped:
        start += len(piece) - len(stripped)
        spans.append((start, start + len(stripped.rstrip(_SPACE))))


def _after_name(text: str, name_at: int) -> int | None:
    """Where the subcommands start: after the qualified name at `name_at` and a "*" after it
    (ALTER TABLE t * ...: its child tables too)."""
    if name_at < 0 or (name_at > 0 and text[name_at - 1] not in _SPACE and text[name_at - 1] not in "()"):
        return None  # the location is not plainly a token's start: the scanner decides
    name = _NAME.match(text, name_at)
    if name is None or text[name.end() : name.end() + 1] in ("&", "'", '"'):
        return None  # U&"name" or the like: one token the pattern does not know
    at = name.end()
    while True:
        dot = _skip_spaces(text, at)
        if text[dot : dot + 1] != ".":
            break
        part = _NAME.match(text, _skip_spaces(text, dot + 1))
        if part is None or text[dot + 1 : dot + 2] == ".":
            return None  # "..", or a number: the scanner's tokens, not a name
        at = part.end()
    star = _skip_spaces(text, at)
    if text[star : star + 1] == "*":
        if text[star + 1 : star + 2] in _OPERATOR:
            return None  # "*=" or the like: an operator token
        at = star + 1
    return at


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def _scanned_spans(text: str, name_at: int) -> list[tuple[int, int]] | None:
    """The spans in `text` from PostgreSQL's scanner (pglast gives character offsets, the end
    inclusive); None when it cannot scan the statement."""
    try:
        tokens = pg_parser.scan(text)
    except pg_parser.ParseError:
        return None
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
                spans.append((piece_start, last_end))
            piece_start = None
            continue
        if piece_start is None:
            piece_start = token.start
        last_end = token.end + 1
    if piece_start is not None:
        spans.append((piece_start, last_end))
    return spans
