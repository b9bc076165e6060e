"""A large file parsed a piece at a time, its parse trees let go and parsed again on demand.

libpg_query's JSON tree, decoded into dicts, costs about 100 bytes of memory per byte of
seed-data SQL and 70 per byte of DDL: a 20 MB migration held whole needed 1.4 to 2 GB. Here
the file is cut into pieces of whole statements (PostgreSQL's own scanner says where each
statement ends), each piece is parsed once to learn its statements, and their trees are let
go. When a rule reads a tree, the piece that holds it is parsed again; the last few pieces
read stay parsed, so a pass over the file in order parses each piece once. Memory then grows
with the number of statements (their spans and the few facts rules keep), not with the trees.

Locations in the trees count bytes from the start of the file, as when the file is parsed
whole, so rules see the same trees either way.
"""

from __future__ import annotations

import re
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence

from migralint.linter import lazy_parser as pg_parser

from migralint.linter.parse import (
    Comment,
    Node,
    ParsedSource,
    Statement,
    SyntaxProblem,
    load_tree,
    parse_source,
    shift_locations,
)
from migralint.source import LineIndex

# Files up to this many characters are parsed whole, as before; a longer one is parsed in
# pieces of half this size, the trees of about two pieces in memory at a time (pieces of
# 100,000 held 9 MiB more at the peak for DDL, for no less CPU time: docs/robustness.md).
LINT_PIECE = 100_000
# Pieces whose trees stay parsed: the one being checked and the one before it (rules look
# back at the statements just before the current one far more often than further).
_PARSED_PIECES = 2
# Trees small enough to keep for the whole file, and that rules look back or ahead at from
# far away (transaction control for every BEGIN/COMMIT check, SET for every timeout check).
_KEPT_KINDS = frozenset({"TransactionStmt", "VariableSetStmt"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def piece_bounds(text: str, size: int) -> list[tuple[int, int]] | None:
    """Character spans [start, stop) of consecutive pieces of whole statements, each at least
    `size` long but the last; None when PostgreSQL's scanner cannot read the text (an
    unterminated string or comment: the parser, given the whole text, says where)."""
    if len(text) <= size:
        return [(0, len(text))]
    # pglast's split converts offsets one statement at a time, slowly for text with non-ASCII
    # characters; PostgreSQL's scanner reads any such character as a letter, as it reads "x",
    # so the statements of the ASCII copy are those of the text, at the same offsets.
    ascii_copy = text if text.isascii() else _NON_ASCII.sub("x", text)
    try:
        slices = pg_parser.split(ascii_copy, with_parser=False, only_slices=True)
    except pg_parser.ParseError:
        return None
    bounds: list[tuple[int, int]] = []
    start = 0
    for piece in slices:
        stop = piece.stop if piece.stop is not None else len(text)
        if stop - start >= size:
            bounds.append((start, stop))
            start = stop
    if text[start:].strip() or not bounds:
        bounds.append((start, len(text)))
    else:
        # Only white space (or the last ";") is left: it belongs to the last piece.
        bounds[-1] = (bounds[-1][0], len(text))
    return bounds


def parsed_in_pieces(text: str, size: int) -> Iterator[tuple[int, ParsedSource]]:
    """(offset of the piece in `text`, the piece parsed on its own), for history replay."""
    bounds = piece_bounds(text, size)
    if bounds is None:
        yield 0, parse_source(text)
        return
    for start, stop in bounds:
        yield start, parse_source(text[start:stop])


def parse_large(
    text: str, size: int | None = None, facts: Sequence[Callable[[Statement], object]] = ()
) -> ParsedSource:
    """`parse_source(text)`, the same statements, comments, syntax error and trees, but for a
    text longer than `size` (default LINT_PIECE) is cut into pieces of about half that size,
    whose trees are let go and parsed again when read.

    `facts`: functions of a statement that keep their answer as a `Statement.fact`, called
    while each tree is held the first time, for what a pass over the whole file needs before
    (or after) the rules read it in order."""
    size = LINT_PIECE if size is None else size
    if len(text) <= size:
        return parse_source(text)
    # The scanner reads a C string: a NUL would end the text early. parse_source reports the
    # first one and reads it as a space; the pieces are cut from the text read the same way.
    nul = text.find("\0")
    spaced = text.replace("\0", " ") if nul != -1 else text
    bounds = piece_bounds(spaced, max(1, size // 2))
    if bounds is None or len(bounds) == 1:
        return parse_source(text)
    index = LineIndex(spaced)
    trees = PieceTrees(index, bounds)
    statements: list[Statement] = []
    spans = array("q")  # each statement's start and end (Statement.in_file)
    comments: list[Comment] = []
    error: SyntaxProblem | None = None
    for start, stop in bounds:
        # Located in the piece: the few trees kept are moved to the file's locations below, the
        # rest are let go (moving every location costs as much as the parse).
        piece = parse_source(spaced[start:stop])
        base = index.byte_offset(start)
        trees.first.append(len(statements))
        for s in piece.statements:
            spans.append(start + s.start)
            spans.append(start + s.end)
            statement = Statement.in_file(len(statements), s.kind, spans, trees)
            statement.release(s.node)
            for fact in facts:
                fact(statement)  # each memoizes its answer as a fact of the statement
            statement.release(shift_locations(s.node, base) if s.kind in _KEPT_KINDS else None)
            statements.append(statement)
        # Comments serve ignore directives only: a piece that mentions no directive has none.
        comments.extend(Comment(start + c.start, start + c.end, c.text, c.own_line) for c in piece.comments)
        if piece.syntax_error is not None:
            # PostgreSQL stops at the first error: nothing after it is parsed, as for the whole text.
            error = SyntaxProblem(piece.syntax_error.message, start + piece.syntax_error.offset)
            break
    trees.statements = tuple(statements)  # the ParsedSource's own: a list beside it cost 8 bytes a statement
    return ParsedSource(index, trees.statements, tuple(comments), error, None if nul == -1 else nul)


class PieceTrees:
    """The trees of one file's statements, parsed a piece at a time when a rule reads one."""

    def __init__(self, index: LineIndex, bounds: list[tuple[int, int]]) -> None:
        self.index = index
        self.bounds = bounds
        self.first: list[int] = []  # the index of the first statement of each piece
        self.statements: tuple[Statement, ...] = ()
        self._parsed: OrderedDict[int, None] = OrderedDict()  # pieces whose trees are held, oldest first

    def tree_of(self, statement: Statement) -> Node:
        self._hold(self._piece_of(statement.index))
        node = statement._node  # noqa: SLF001 (set by _hold: reading .node again would recurse on a bug)
        if node is None:
            raise RuntimeError(f"statement {statement.index} has no tree after its piece was parsed")
        return node

    def _piece_of(self, position: int) -> int:
        low, high = 0, len(self.first) - 1
        while low < high:  # the last piece whose first statement is at or before `position`
            middle = (low + high + 1) // 2
            if self.first[middle] <= position:
                low = middle
            else:
                high = middle - 1
        return low

    def _hold(self, piece: int) -> None:
        start, stop = self.bounds[piece]
        first = self.first[piece]
        last = self.first[piece + 1] if piece + 1 < len(self.first) else len(self.statements)
        nodes = _trees(self.index.text[start:stop], self.index.byte_offset(start))
        if len(nodes) != last - first:
            raise RuntimeError(f"piece {piece} parsed to {len(nodes)} statements, not {last - first}")
        for statement, node in zip(self.statements[first:last], nodes):
            statement.release(node)
        self._parsed[piece] = None
        while len(self._parsed) > _PARSED_PIECES:
            oldest, _ = self._parsed.popitem(last=False)
            self._let_go(oldest)

    def _let_go(self, piece: int) -> None:
        first = self.first[piece]
        last = self.first[piece + 1] if piece + 1 < len(self.first) else len(self.statements)
        for statement in self.statements[first:last]:
            if statement.kind not in _KEPT_KINDS:
                statement.release(None)


def _trees(text: str, byte_base: int) -> list[Node]:
    """The top-level nodes of a piece, located in its file."""
    try:
        tree = load_tree(pg_parser.parse_sql_json(text), byte_base)
    except pg_parser.ParseError:
        return [s.node for s in parse_source(text, byte_base).statements]  # the piece with the error
    nodes = []
    for raw in tree.get("stmts", ()):
        ((_, node),) = raw["stmt"].items()
        nodes.append(node)
    return nodes
