"""Where each statement of a MySQL migration begins and ends, as the tool that runs it splits.

sqlglot parses one statement from a list of tokens; what a statement is depends on who sends the
file: the mysql client splits at its `DELIMITER` (default ";"), drizzle's migrator at
`--> statement-breakpoint`, goose keeps `-- +goose StatementBegin` ... `StatementEnd` as one
statement, and the server itself reads a stored routine's `BEGIN ... END` body as one statement.
Every offset stays the file's: what is not SQL (a DELIMITER line, a breakpoint marker) is
replaced by spaces of the same length before the whole text is tokenised once.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import Token, TokenType

# drizzle-kit writes it between statements; MySQL reads "--" as a comment only before a space,
# so left in place it is a syntax error (drizzle-orm's migrator splits at it: readMigrationFiles).
_BREAKPOINT = re.compile(r"-->\s*statement-breakpoint[^\n]*")
# The mysql client's command (mysql manual, "mysql Client Commands"): the rest of the line is the delimiter.
_DELIMITER = re.compile(r"^[ \t]*delimiter[ \t]+(?P<delimiter>\S+)[^\n]*", re.M | re.I)
_GOOSE_BLOCK = re.compile(r"^--\s*\+goose\s+StatementBegin\b(?P<body>.*?)^--\s*\+goose\s+StatementEnd\b", re.M | re.S)
_GOOSE_DOWN = re.compile(r"^--\s*\+goose\s+Down\b", re.M)
# A routine's body is one statement for the server, whatever it holds (MySQL manual 15.6.1,
# "BEGIN ... END Compound Statement").
_ROUTINE = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:AGGREGATE\s+)?(?:PROCEDURE|FUNCTION|TRIGGER|EVENT)\b",
    re.I,
)
_BLOCK_ENDS = frozenset({"IF", "LOOP", "WHILE", "REPEAT", "CASE"})


class Chunk(NamedTuple):
    """One statement's tokens (the closing ";" left out) and its character span."""

    tokens: list[Token]
    start: int
    end: int
    routine: bool = False  # a compound statement or a DELIMITER block: sqlglot does not read those


class Split(NamedTuple):
    text: str  # the text the tokens were read from: the file's, markers blanked
    chunks: list[Chunk]
    token_error: tuple[str, int] | None = None  # the tokenizer gave up here: nothing after was read
    gaps: list[tuple[int, int]] = []  # text between tokens: white space and comments, for the scanner


def goose_down_offset(text: str) -> int | None:
    """Where goose's `-- +goose Down` section starts: what follows undoes the migration."""
    match = _GOOSE_DOWN.search(text)
    return match.start() if match else None


def split(text: str) -> Split:
    prepared, forced, protected = _prepare(text)
    try:
        tokens = MySQL().tokenize(prepared)
    except TokenError as exc:
        return _split_prefix(text, prepared, forced, protected, exc)
    return _chunks(prepared, tokens, forced, protected)


def _split_prefix(
    text: str, prepared: str, forced: set[int], protected: list[tuple[int, int]], exc: TokenError
) -> Split:
    """The statements before the one the tokenizer failed in (an unterminated string or comment)."""
    cut = _last_tokenizable_prefix(prepared, _opening_offset(prepared, exc))
    tokens = MySQL().tokenize(prepared[:cut]) if cut else []
    found = _chunks(prepared, tokens, forced, protected)
    # Point at the statement it is in: where the string or comment opened is not always known.
    start = cut + len(prepared[cut:]) - len(prepared[cut:].lstrip())
    return found._replace(token_error=("an unterminated string, quoted name or comment", start))


def _opening_offset(prepared: str, exc: TokenError) -> int:
    """Where the unterminated string opened: sqlglot says "Missing ' from <line>:<column>" in the
    error it re-raises; without it, the end of the text."""
    detail = f"{exc} {exc.__cause__ or ''} {exc.__context__ or ''}"
    match = re.search(r"from (\d+):(\d+)", detail)
    if match is None:
        return len(prepared)
    line, column = int(match[1]), int(match[2])
    start = 0
    for _ in range(line - 1):
        start = prepared.find("\n", start) + 1
        if start == 0:
            return len(prepared)
    return min(len(prepared), start + column - 1)


def _last_tokenizable_prefix(prepared: str, before: int) -> int:
    """The end of the longest prefix ending at a ";" before `before` that tokenises (a few tries)."""
    cut = prepared.rfind(";", 0, before) + 1
    for _ in range(20):
        if cut <= 0:
            return 0
        try:
            MySQL().tokenize(prepared[:cut])
            return cut
        except TokenError:
            cut = prepared.rfind(";", 0, cut - 1) + 1
    return 0


def _prepare(text: str) -> tuple[str, set[int], list[tuple[int, int]]]:
    """The text with markers blanked; the offsets of ";" that end a statement whatever surrounds
    them; the ranges inside which a ";" does not (DELIMITER blocks, goose statement blocks)."""
    chars = list(text)
    forced: set[int] = set()
    protected: list[tuple[int, int]] = []
    for match in _BREAKPOINT.finditer(text):
        chars[match.start() : match.end()] = ";" + " " * (match.end() - match.start() - 1)
        forced.add(match.start())
    delimiter = ";"
    region_start = 0
    for match in _DELIMITER.finditer(text):
        if delimiter != ";":
            _end_delimited(text, chars, forced, protected, delimiter, region_start, match.start())
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
        delimiter = match["delimiter"]
        region_start = match.end()
    if delimiter != ";":
        _end_delimited(text, chars, forced, protected, delimiter, region_start, len(text))
    for match in _GOOSE_BLOCK.finditer(text):
        protected.append((match.start("body"), match.end("body")))
    return "".join(chars), forced, protected


def _end_delimited(
    text: str, chars: list[str], forced: set[int], protected: list[tuple[int, int]], delimiter: str, start: int,
    end: int,
) -> None:
    protected.append((start, end))
    at = text.find(delimiter, start, end)
    while at != -1:
        chars[at : at + len(delimiter)] = ";" + " " * (len(delimiter) - 1)
        forced.add(at)
        at = text.find(delimiter, at + len(delimiter), end)


def _chunks(prepared: str, tokens: list[Token], forced: set[int], protected: list[tuple[int, int]]) -> Split:
    chunks: list[Chunk] = []
    gaps: list[tuple[int, int]] = []
    current: list[Token] = []
    depth = 0  # BEGIN ... END nesting inside a routine
    routine = False
    previous_end = 0
    ends = sorted(b for _, b in protected)
    for k, token in enumerate(tokens):
        if current and any(current[0].start < end <= token.start for end in ends):
            # A goose block or a DELIMITER region ended: its statement ends with it.
            chunks.append(_chunk(current, routine))
            current, depth, routine = [], 0, False
        if token.start > previous_end:
            gaps.append((previous_end, token.start))
        previous_end = token.end + 1
        if token.token_type is TokenType.SEMICOLON:
            inside = any(a <= token.start < b for a, b in protected)
            if token.start in forced or (not inside and depth <= 0):
                if current:
                    chunks.append(_chunk(current, routine))
                current, depth, routine = [], 0, False
                continue
        if not current and token.token_type is TokenType.CREATE:
            routine = _ROUTINE.match(prepared, token.start) is not None
        if routine:
            depth += _depth_change(tokens, k)
        current.append(token)
    if current:
        chunks.append(_chunk(current, routine))
    if previous_end < len(prepared):
        gaps.append((previous_end, len(prepared)))
    return Split(prepared, chunks, None, gaps)


def _depth_change(tokens: list[Token], k: int) -> int:
    token = tokens[k]
    previous = tokens[k - 1].text.upper() if k else ""
    if token.token_type is TokenType.BEGIN:
        return 1
    if token.text.upper() == "CASE" and previous != "END":
        return 1
    if token.token_type is TokenType.END:
        following = tokens[k + 1].text.upper() if k + 1 < len(tokens) else ""
        return 0 if following in _BLOCK_ENDS else -1
    return 0


def _chunk(tokens: list[Token], routine: bool) -> Chunk:
    # A ";" left inside a chunk (a routine body, a DELIMITER or goose block): a compound statement.
    compound = routine or any(t.token_type is TokenType.SEMICOLON for t in tokens)
    return Chunk(tokens, tokens[0].start, tokens[-1].end + 1, compound)
