"""Parse a source text once: statements (JSON AST from libpg_query), comments, syntax errors.

`pglast.parser.parse_sql_json` plus `json.loads` costs a fifth of building pglast's Python
AST objects, so rules read plain dicts: every node is `{"NodeType": {fields}}` and a
Statement keeps the inner body of its top-level node.
"""

from __future__ import annotations

import re
from array import array
from functools import lru_cache
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from migralint.linter import lazy_parser as pg_parser

from migralint.frozen import Value, set_field
from migralint.linter import deep_json
from migralint.linter.command_spans import split_subcommands
from migralint.source import LineIndex
# The statement model's own: a comment's span and a syntax error's place are the same for every front end.
from migralint.sql.ir_statement import Comment as Comment, SyntaxProblem as SyntaxProblem

if TYPE_CHECKING:
    from dataclasses import dataclass as frozen_value  # see migralint/frozen.py
else:
    from migralint.frozen import frozen_value

Node = dict[str, Any]
T = TypeVar("T")


class TreeSource(Protocol):
    """Where a statement whose parse tree was let go gets it again (see linter/pieces.py)."""

    def tree_of(self, statement: Statement) -> Node: ...


class Statement:
    """One top-level statement: its type, its span, and its parse tree.

    The tree of a statement of a large file is let go once the statement is behind the lint
    (a 20 MB seed file would otherwise hold gigabytes of dicts); `node` then parses it again.
    Rules that look at many other statements ask `fact` for what they need: computed once from
    the tree, it stays when the tree goes.
    """

    __slots__ = ("index", "kind", "_span", "_node", "_source", "_facts")

    def __init__(
        self, index: int, kind: str, node: Node | None, start: int, end: int, source: TreeSource | None = None
    ) -> None:
        self.index = index
        self.kind = kind  # the top-level node type, e.g. "IndexStmt"
        # (start, end): the character offset of its first token, and just past its last (the
        # ";" excluded). A large file's statements share one array of them instead (in_file).
        self._span: tuple[int, int] | array[int] = (start, end)
        self._node = node
        self._source = source
        # The keys, then the values in the same order: a statement has a few facts, and a dict
        # of them cost 224 bytes against 40 + 16 per fact, for each of a large file's statements.
        self._facts: tuple[Any, ...] = ()

    @classmethod
    def in_file(cls, index: int, kind: str, spans: array[int], source: TreeSource) -> Statement:
        """The statement whose start and end are spans[2 * index] and spans[2 * index + 1]:
        two int objects and two slots a statement cost a 20 MB migration 1.3 MiB per MB of
        DDL, the array 16 bytes a statement (docs/robustness.md)."""
        statement = cls.__new__(cls)
        statement.index = index
        statement.kind = kind
        statement._span = spans
        statement._node = None
        statement._source = source
        statement._facts = ()
        return statement

    @property
    def start(self) -> int:
        """The character offset of its first token."""
        span = self._span
        return span[0] if type(span) is tuple else span[2 * self.index]

    @property
    def end(self) -> int:
        """The character offset just past its last token (the ";" excluded)."""
        span = self._span
        return span[1] if type(span) is tuple else span[2 * self.index + 1]

    @property
    def node(self) -> Node:
        """The fields of the top-level node."""
        node = self._node
        if node is None:
            assert self._source is not None, "a statement without a tree has a source to parse it from"
            node = self._source.tree_of(self)
        return node

    @property
    def tree_held(self) -> bool:
        """The tree is held for the whole lint (a file parsed whole), never let go."""
        return self._source is None

    def release(self, node: Node | None) -> None:
        """Keep `node` as the tree (None: let it go, the source parses it again on demand)."""
        self._node = node

    def fact(self, compute: Callable[..., T], *args: Hashable) -> T:
        """`compute(self, *args)`, computed once per statement."""
        key = (compute, args) if args else compute
        facts = self._facts
        half = len(facts) // 2
        # `in` first: a miss (the first time, for each fact) raised ValueError from index().
        # A key is a function or a (function, arguments) tuple, which no value equals.
        if key in facts:
            found: T = facts[facts.index(key, 0, half) + half]
            return found
        value = compute(self, *args)
        # Shared only where the statements outlive their trees (a large file, parsed in pieces):
        # a file parsed whole lets go of its statements with its trees, and hashing each fact
        # to share it cost more time there than the memory it saved.
        shared = self._source is not None
        if shared:
            value = _shared_fact(key, value)
        facts = self._facts  # `compute` may have added facts of its own
        half = len(facts) // 2
        facts = (*facts[:half], key, *facts[half:], value)
        self._facts = _shared_fact(_ALL_FACTS, facts) if shared else facts
        return value

    def forget(self, compute: Callable[..., object]) -> None:
        """Let go of the fact `compute` (without arguments) once no one will ask it again: a
        large file's index of creates (file_schema.py) is built from them before the first
        statement is checked, and each statement kept them for nothing after."""
        facts = self._facts
        if compute not in facts:  # as in `fact`: no ValueError raised for each statement without it
            return
        half = len(facts) // 2
        at = facts.index(compute, 0, half)
        facts = (*facts[:at], *facts[at + 1 : half + at], *facts[half + at + 1 :])
        self._facts = _shared_fact(_ALL_FACTS, facts) if self._source is not None else facts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Statement):
            return NotImplemented
        return (self.index, self.kind, self.start, self.end) == (other.index, other.kind, other.start, other.end)

    def __hash__(self) -> int:
        return hash((self.index, self.kind, self.start, self.end))

    def __repr__(self) -> str:
        return f"Statement(index={self.index}, kind={self.kind!r}, start={self.start}, end={self.end})"


# The key under which a statement's whole tuple of facts is shared with a recent statement's
# equal one (every CREATE TABLE of a large file takes no lock on an existing table: 56 bytes each).
_ALL_FACTS = "all facts"


def _shared_fact(key: object, value: T) -> T:
    """`value`, or an equal value a statement had lately for the same fact: the same table's
    CREATE INDEX and ALTER TABLE change the same tables, take the same locks. Kept for every
    statement of a file, each its own tuples cost a 20 MB migration tens of megabytes
    (docs/robustness.md). Facts are never changed, so any equal one will do; a value that
    cannot be hashed (a list, a dict) is kept as it is."""
    try:
        return cast(T, _recent_fact(key, value))
    except TypeError:
        return value


@lru_cache(maxsize=4096, typed=True)
def _recent_fact(key: object, value: object) -> object:
    return value




# A frozen Value rather than @dataclass(frozen=True, slots=True), which compiled its methods and
# rebuilt the class on every start: 3.6 million instructions (callgrind, 2026-12-07).
@frozen_value(frozen=True)
class ParsedSource(Value):
    __slots__ = ("index", "statements", "comments", "syntax_error", "nul_offset")
    index: LineIndex
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]
    syntax_error: SyntaxProblem | None
    nul_offset: int | None  # the first NUL byte of the file, which PostgreSQL refuses

    def __init__(
        self, index: LineIndex, statements: tuple[Statement, ...], comments: tuple[Comment, ...],
        syntax_error: SyntaxProblem | None, nul_offset: int | None = None,
    ) -> None:
        set_field(self, "index", index)
        set_field(self, "statements", statements)
        set_field(self, "comments", comments)
        set_field(self, "syntax_error", syntax_error)
        set_field(self, "nul_offset", nul_offset)

    @property
    def text(self) -> str:
        return self.index.text


def parse_source(text: str, byte_base: int = 0) -> ParsedSource:
    """`byte_base`: where `text` starts in its file, in bytes, when it is a piece of a larger
    file: node locations then count from the file's start (statement spans stay in `text`)."""
    return _parse(text, byte_base)


# Every field of libpg_query's JSON that holds a byte location (pglast's ast.py lists them).
_LOCATION_KEYS = frozenset({
    "location", "arg_location", "conninfo_location", "list_start", "list_end", "name_location",
    "payload_location", "rexpr_list_start", "rexpr_list_end",
})
# Patterns of the rarer paths (a large file's pieces, a syntax error, a file the scanner gives up
# on) are kept as text and compiled where they are used (re keeps what it compiled): compiled as
# the module loaded, they cost every run 1.8 million instructions (callgrind, 2026-12-07).
_LOCATION = r'"(' + "|".join(sorted(_LOCATION_KEYS)) + r')":(\d+)'


def load_tree(json_text: str, byte_base: int = 0) -> Node:
    """libpg_query's JSON decoded; locations moved by `byte_base`. A key can only be a field
    name (a quote inside a string value is escaped), so the pattern never matches user text;
    -1 (no location) has a minus sign and stays."""
    if byte_base:
        # split() leaves [text, key, number, text, key, number, ..., text]: one pass, no callback.
        parts = re.split(_LOCATION, json_text)
        for k in range(2, len(parts), 3):
            parts[k] = f'"{parts[k - 1]}":{int(parts[k]) + byte_base}'
            parts[k - 1] = ""
        json_text = "".join(parts)
    tree: Node = deep_json.loads(json_text) or {}
    return tree


def shift_locations(node: Node, byte_base: int) -> Node:
    """A decoded tree with its locations moved by `byte_base` (as `load_tree` would have)."""
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in _LOCATION_KEYS and isinstance(value, int) and value >= 0:
                    item[key] = value + byte_base
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return node


def _parse(text: str, byte_base: int) -> ParsedSource:
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
        tree = load_tree(pg_parser.parse_sql_json(text), byte_base)
    except pg_parser.ParseError as exc:
        error = _syntax_problem(text, exc)
        tree = _parse_prefix(text, error.offset, byte_base)
    statements = _statements(tree, index)
    return ParsedSource(index, statements, comments, error, None if nul == -1 else nul)


def _statements(tree: Node, index: LineIndex) -> tuple[Statement, ...]:
    text = index.text
    ascii = text.isascii()  # a byte offset is then the character offset: no conversion to call
    result: list[Statement] = []
    for raw in tree.get("stmts", ()):
        ((kind, node),) = raw["stmt"].items()
        byte_start = raw.get("stmt_location", 0)
        byte_len = raw.get("stmt_len", 0)
        start = byte_start if ascii else index.char_offset(byte_start)
        end = len(text) if not byte_len else byte_start + byte_len if ascii else index.char_offset(byte_start + byte_len)
        start = skip_blank_and_comments(text, start, end)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and text[end - 1] == ";":
            end -= 1
        result.append(Statement(len(result), kind, node, start, end))
    return tuple(result)


def skip_blank_and_comments(text: str, pos: int, end: int) -> int:
    """The first offset from `pos` that is neither white space nor inside a comment."""
    # White space and line comments in one match (\s is str.isspace, checked for every code
    # point): asked for every statement, whose text starts after the ";" of the one before,
    # and a loop over each character in Python cost more than the rest of reading the statement.
    while pos < end:
        pos = _BLANK.match(text, pos, end).end()  # type: ignore[union-attr]  # it matches "" at least
        if pos < end and text.startswith("/*", pos):
            pos = _block_comment_end(text, pos)
        elif pos < end and text.startswith("--", pos):  # a "--" that `end` cuts in two
            pos = end
        else:
            break
    return min(pos, end)


_BLANK = re.compile(r"(?:\s+|--[^\n]*\n?)*")


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


_LINE_COMMENT = r"--[^\n]*"


def _comments_by_regex(text: str) -> tuple[Comment, ...]:
    # The scanner gives up on text it cannot tokenize (an unterminated string); the file
    # is then a syntax error anyway, and line comments are enough to honour ignores.
    return tuple(_comment(text, m.start(), m.end()) for m in re.finditer(_LINE_COMMENT, text))


def _comment(text: str, start: int, end: int) -> Comment:
    line_start = text.rfind("\n", 0, start) + 1
    own_line = text[line_start:start].strip() == ""
    return Comment(start, end, text[start:end].rstrip("\r"), own_line)


_NEAR = r'at or near "(.*)"'


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
    near = re.search(_NEAR, message, re.S)
    if near:
        for offset in [reported, *candidates]:
            if text.startswith(near.group(1), offset):
                return offset
    return candidates[0]


def _parse_prefix(text: str, error_offset: int, byte_base: int = 0) -> Node:
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
        return load_tree(pg_parser.parse_sql_json(text[:cut]), byte_base)
    except pg_parser.ParseError:
        return {}


def subcommand_spans(parsed: ParsedSource, statement: Statement, count: int) -> list[tuple[int, int]]:
    """Character spans of the comma-separated subcommands of an ALTER TABLE statement.

    libpg_query gives subcommands no location, so the statement is split on top-level commas
    after the table name (linter/command_spans.py). When that does not yield `count` pieces,
    every subcommand gets the whole statement, which is never wrong, only less exact.
    """
    whole = [(statement.start, statement.end)] * count
    relation = statement.node.get("relation")
    if not relation or "location" not in relation:
        return whole
    base = statement.start
    name_at = parsed.index.char_offset(relation["location"]) - base
    spans = split_subcommands(parsed.text[base : statement.end], name_at)
    if spans is None or len(spans) != count:
        return whole
    return [(base + start, base + end) for start, end in spans]
