"""The MySQL front end: a migration's text -> `ir.ParsedFile`, through sqlglot (read="mysql").

sqlglot is not a validator: it turns any statement it cannot parse into an `exp.Command`
without a word. So a Command is read by commands.py or marked not understood, never taken as
harmless, and `syntax-error` is reported only where sqlglot's parser raises, for statements
that are not valid MySQL it simply lacks (PREPARE, CALL...).
"""

from __future__ import annotations

import logging
import re

from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import ParseError, SqlglotError

from migralint.source import LineIndex
from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.mysql.commands import read_command
from migralint.sql.mysql.online_ddl import Server
from migralint.sql.mysql.split import Chunk, split
from migralint.sql.mysql.readings import MySqlNode
from migralint.sql.mysql.statements import build

# sqlglot logs a warning for each statement it falls back on; Python's last-resort handler would
# print them into migralint's output. What they say is in Statement.understood.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

# A comment: "#" to the end of the line, "-- " (the dashes followed by white space, MySQL manual
# 11.7 "Comments"), or /* ... */ (executable /*! ... */ comments included: sqlglot skips them too).
_COMMENT = re.compile(r"#[^\n]*|--(?=[\s]|$)[^\n]*|/\*.*?(?:\*/|\Z)", re.S)
# Valid MySQL statements sqlglot's parser refuses: not syntax errors, only not understood.
_UNREAD_STATEMENTS = frozenset({
    "PREPARE", "EXECUTE", "DEALLOCATE", "CALL", "DO", "HANDLER", "LOCK", "UNLOCK", "FLUSH", "GRANT", "REVOKE",
    "ANALYZE", "CHECK", "CHECKSUM", "REPAIR", "OPTIMIZE", "SIGNAL", "RESIGNAL", "DECLARE", "IF", "WHILE", "LOOP",
    "REPEAT", "LEAVE", "ITERATE", "RETURN", "INSTALL", "UNINSTALL", "XA", "LOAD", "SOURCE", "USE", "SHOW",
    "KILL", "PURGE", "RESET", "CHANGE", "START", "STOP",
})


def parse_file(text: str, server: Server | None = None) -> ir.ParsedFile:
    server = server or Server()
    text_read = text.replace("\0", " ")  # a NUL is no SQL: read it as the white space it separates
    index = LineIndex(text)
    found = split(text_read)
    comments = tuple(_comments(text, found.gaps))
    statements: list[ir.Statement] = []
    errors: list[ir.SyntaxProblem] = []
    parser = MySQL().parser()
    for chunk in found.chunks:
        statements.append(_statement(len(statements), chunk, found.text, server, parser, errors, index))
    syntax_error = ir.SyntaxProblem(*found.token_error) if found.token_error else None
    return ir.ParsedFile(Dialect.MYSQL, index, tuple(statements), comments, syntax_error, None, tuple(errors))


def _statement(
    position: int, chunk: Chunk, text: str, server: Server, parser: object, errors: list[ir.SyntaxProblem],
    index: LineIndex,
) -> ir.Statement:
    first = chunk.tokens[0].text.upper()
    if chunk.routine:
        # A routine body is one statement for the server; sqlglot does not read compound
        # statements. Creating a routine touches no table; a block of statements is not understood.
        body = text[chunk.start : chunk.end]
        creates = first == "CREATE"
        return ir.Statement(position, ir.Kind.CREATE_OTHER if creates else ir.Kind.OTHER, chunk.start, chunk.end,
                            implicit_commit=creates, understood=creates, node_type="Compound",
                            raw=MySqlNode(None, None, body))
    if _bracket_depth(chunk) > _MAX_BRACKET_DEPTH:
        # sqlglot's time grows exponentially with nested brackets (ARRAY[ARRAY[...]]: 0.2 s at 14
        # levels, 4 s at 18; the fuzz campaign found a file that ran for minutes). MySQL has no
        # bracket syntax outside strings, so such a statement is not MySQL migralint can read.
        return ir.Statement(position, ir.Kind.OTHER, chunk.start, chunk.end, understood=False,
                            node_type="TooDeep", raw=MySqlNode(None, None, text[chunk.start : chunk.end]))
    try:
        nodes = parser.parse(chunk.tokens, text)  # type: ignore[attr-defined]
    except ParseError as exc:
        # Valid MySQL sqlglot lacks (a CREATE TABLE with a POINT column...) is read as a Command
        # where commands.py knows its form; other refusals are syntax errors.
        if first in _UNREAD_STATEMENTS or read_command(text[chunk.start : chunk.end]).kind is not ir.Kind.OTHER:
            return build(position, None, chunk.tokens, text, server, unparsed=True)
        errors.append(_problem(exc, chunk, index))
        return ir.Statement(position, ir.Kind.OTHER, chunk.start, chunk.end, understood=False,
                            node_type="ParseError", raw=MySqlNode(None, None, text[chunk.start : chunk.end]))
    except SqlglotError:
        return ir.Statement(position, ir.Kind.OTHER, chunk.start, chunk.end, understood=False,
                            node_type="ParseError", raw=MySqlNode(None, None, text[chunk.start : chunk.end]))
    node = nodes[0] if nodes else None
    return build(position, node, chunk.tokens, text, server)


_MAX_BRACKET_DEPTH = 4


def _bracket_depth(chunk: Chunk) -> int:
    depth = deepest = 0
    for token in chunk.tokens:
        if token.text == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif token.text == "]":
            depth -= 1
    return deepest


def _problem(exc: ParseError, chunk: Chunk, index: LineIndex) -> ir.SyntaxProblem:
    detail = exc.errors[0] if exc.errors else {}
    message = str(detail.get("description") or "cannot parse this statement")
    highlight = str(detail.get("highlight") or "")
    offset = chunk.start
    line, column = detail.get("line"), detail.get("col")
    if isinstance(line, int) and isinstance(column, int) and 1 <= line <= index.line_count:
        # sqlglot's column is that of the highlighted token's last character.
        offset = max(chunk.start, min(chunk.end, index.offset(line, column) - len(highlight) + 1))
    near = f" near {highlight!r}" if highlight else ""
    return ir.SyntaxProblem(f"{message}{near}", offset)


def _comments(text: str, gaps: list[tuple[int, int]]) -> list[ir.Comment]:
    found = []
    for start, end in gaps:
        gap = text[start:end]
        if "#" not in gap and "--" not in gap and "/*" not in gap:
            continue
        for match in _COMMENT.finditer(gap):
            at = start + match.start()
            line_start = text.rfind("\n", 0, at) + 1
            own_line = not text[line_start:at].strip()
            found.append(ir.Comment(at, start + match.end(), match.group(), own_line))
    return found
