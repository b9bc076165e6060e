"""The SQLite front end: a file's text into the statement model (`ir.ParsedFile`).

The file is cut into statements here (`split`), each is read by sqlglot (read="sqlite", pinned
in pyproject: the trees change shape between releases) and turned into events and locks
(`statements`). sqlglot is not a validator: it reads what it cannot parse as an opaque
`Command` and refuses some valid SQLite (user functions named like keywords, table
constraints without a separating comma). So a statement sqlglot refuses is a syntax error only
when SQLite itself, the library Python ships, refuses it too; otherwise it is "not understood".
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from migralint.source import LineIndex
from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.sqlite import statements
from migralint.sql.sqlite.split import split
from migralint.sql.words import Piece, kind_of

# sqlglot logs a warning for each statement it reads as a Command: we report those ourselves.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_NEAR = re.compile(r'near "(.+)": syntax error')
_GOOSE_DOWN = re.compile(r"^--\s*\+goose\s+Down\b", re.I | re.M)


def parse(text: str, versions: Mapping[str, object] | None = None) -> ir.ParsedFile:
    """The model of a SQLite migration file. Never raises on bad SQL: a statement that cannot be
    read is understood=False, a real syntax error is in `statement_errors` (or `syntax_error`
    for an unterminated string, after which nothing is read)."""
    index = LineIndex(text)
    cut = split(text)
    read: list[ir.Statement] = []
    problems: list[ir.SyntaxProblem] = []
    for number, piece in enumerate(cut.pieces):
        statement, problem = _statement(text, number, piece)
        read.append(statement)
        if problem is not None:
            problems.append(problem)
    nul = text.find("\x00")
    return ir.ParsedFile(
        Dialect.SQLITE, index, tuple(read), cut.comments, cut.problem,
        nul if nul >= 0 else None, tuple(problems),
    )


class SqliteText:
    """Help SQL in SQLite's syntax (a linter.model_context.SqlText). Names come as the user wrote
    them (columns.Name); SQLite resolves them without regard to case, so the SQL runs as written."""

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def table(self, table: ir.TableName) -> str:
        name = self.quote(table.name)
        return f"{self.quote(table.schema)}.{name}" if table.schema else name

    def name(self, table: ir.TableName) -> str:
        return table.qualified()

    def alter_table(self, statement: ir.Statement) -> str:
        table = statement.tables[0] if statement.tables else ir.TableName("", "")
        return f"ALTER TABLE {self.table(table)}"

    def add_column_steps(self, statement: ir.Statement, event: ir.AddColumn) -> list[str]:
        # SQLite cannot make a column NOT NULL after it is added (only a table rebuild can), and
        # ADD COLUMN takes only a constant DEFAULT on a table with rows ("Cannot add a column with
        # non-constant default", measured on 3.40): so a NOT NULL column with a constant DEFAULT.
        column = event.column
        return [
            "-- the DEFAULT is a placeholder of the column's type: give the value the existing rows should hold",
            f"{self.alter_table(statement)} ADD COLUMN {self.quote(column.name)} {column.type or 'TEXT'} NOT NULL "
            f"DEFAULT {placeholder(column.type)};",
        ]


def placeholder(column_type: str) -> str:
    """A constant of the type's affinity, as SQLite derives it from the declared type
    (sqlite.org/datatype3.html, 3.1 Determination Of Column Affinity)."""
    declared = column_type.upper()
    if "INT" in declared:
        return "0"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "''"
    if "BLOB" in declared or not declared:
        return "x''"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "0.0"
    return "0"


SQL_TEXT = SqliteText()


def rollback_from(text: str) -> int | None:
    """Where goose's `-- +goose Down` section starts: what follows only runs on rollback."""
    match = _GOOSE_DOWN.search(text)
    return match.start() if match else None


def _statement(text: str, number: int, piece: Piece) -> tuple[ir.Statement, ir.SyntaxProblem | None]:
    sql = text[piece.start : piece.end]
    tx = statements.transaction(piece.words)
    if tx is not None:
        return ir.Statement(number, ir.Kind.TRANSACTION, piece.start, piece.end, tx=tx, node_type="Transaction"), None
    if piece.words[:1] == ("PRAGMA",):
        setting = statements.pragma(sql)
        return ir.Statement(
            number, ir.Kind.SET, piece.start, piece.end, understood=setting is not None, node_type="Pragma", setting=setting
        ), None
    if piece.words[:2] == ("CREATE", "TRIGGER") or piece.words[:3] in (("CREATE", "TEMP", "TRIGGER"), ("CREATE", "TEMPORARY", "TRIGGER")):
        reading = statements.trigger(sql)
        return _built(number, piece, reading, "Trigger", None), None
    try:
        node = sqlglot.parse_one(sql, read="sqlite")
    except (ParseError, TokenError) as error:
        mended = _comma_between_constraints(sql, piece.words)
        if mended is not None:
            return _built(number, piece, statements.read(mended, sql), type(mended).__name__, mended), None
        problem = _syntax_problem(sql, piece.start, error)
        return ir.Statement(number, kind_of(piece.words, _VERBS), piece.start, piece.end, understood=False, node_type="ParseError"), problem
    except RecursionError:  # a pathological nesting depth: not read, never a crash
        return ir.Statement(number, kind_of(piece.words, _VERBS), piece.start, piece.end, understood=False), None
    if isinstance(node, exp.Command) or not isinstance(node, exp.Expression):
        return ir.Statement(number, kind_of(piece.words, _VERBS), piece.start, piece.end, understood=False, node_type="Command", raw=node), None
    return _built(number, piece, statements.read(node, sql), type(node).__name__, node), None


# A table constraint that starts a line, after one that ends without a comma.
_CONSTRAINT_WITHOUT_COMMA = re.compile(
    r"([^\s,(])([ \t]*\n\s*)(?=(?:FOREIGN\s+KEY|CONSTRAINT|PRIMARY\s+KEY|UNIQUE|CHECK)\b)", re.I
)


def _comma_between_constraints(sql: str, words: tuple[str, ...]) -> exp.Expression | None:
    """A CREATE TABLE whose table constraints have no comma between them, which SQLite accepts
    (its parser reads a constraint list, sqlite.org/lang_createtable.html) and drizzle-kit wrote
    (homarr's 0006_windy_doctor_faustus.sql), read by sqlglot with the commas put in. Only after
    the columns: the columns' positions, which type_as_written reads, do not move."""
    if words[:2] != ("CREATE", "TABLE"):
        return None
    mended = _CONSTRAINT_WITHOUT_COMMA.sub(r"\1,\2", sql)
    if mended == sql or _sqlite_refusal(sql) is not None:
        return None
    try:
        node = sqlglot.parse_one(mended, read="sqlite")
    except (ParseError, TokenError, RecursionError):
        return None
    return node if isinstance(node, exp.Create) else None


def _built(number: int, piece: Piece, reading: statements.Reading, node_type: str, node: object) -> ir.Statement:
    return ir.Statement(
        number, reading.kind, piece.start, piece.end, reading.tables, reading.locks, reading.events,
        tx=reading.tx, understood=reading.understood, node_type=node_type, raw=node, setting=reading.setting,
    )


def _syntax_problem(sql: str, start: int, error: Exception) -> ir.SyntaxProblem | None:
    """A real syntax error, where sqlglot points, when SQLite refuses the statement too."""
    message = _sqlite_refusal(sql)
    if message is None:
        return None
    offset = start
    details = getattr(error, "errors", None) or []
    if details and isinstance(details[0], dict):
        line, col = details[0].get("line"), details[0].get("col")
        if isinstance(line, int) and isinstance(col, int) and line >= 1:
            lines = sql.split("\n")
            before = sum(len(x) + 1 for x in lines[: line - 1])
            # sqlglot's column is where the offending token ends: step back to its first character.
            highlight = details[0].get("highlight") or ""
            last = before + max(col - 1, 0)
            offset = start + min(max(last - len(highlight) + 1, 0), len(sql))
    # SQLite names the token it stopped at: where it occurs once, that is the place to point.
    near = _NEAR.search(message)
    if near and sql.count(near.group(1)) == 1:
        offset = start + sql.index(near.group(1))
    return ir.SyntaxProblem(message, offset)


def _sqlite_refusal(sql: str) -> str | None:
    """SQLite's own complaint when it cannot even prepare `sql`, None if it can (a missing table
    is not a syntax error). EXPLAIN compiles the statement and lists its program without running
    it, on an empty in-memory database."""
    connection = sqlite3.connect(":memory:")
    try:
        # A statement that is already an EXPLAIN is compiled as it stands.
        connection.execute(sql if sql[:7].upper() == "EXPLAIN" else "EXPLAIN " + sql)
    except sqlite3.Warning:  # more than one statement: not a syntax error of this one
        return None
    except sqlite3.Error as error:
        message = str(error)
        if "syntax error" in message or "incomplete input" in message or "unrecognized token" in message:
            return message
        return None
    finally:
        connection.close()
    return None


# What the first word says of a statement the parser could not read, besides CREATE, ALTER and DROP.
_VERBS = {
    "INSERT": ir.Kind.INSERT, "REPLACE": ir.Kind.INSERT, "UPDATE": ir.Kind.UPDATE,
    "DELETE": ir.Kind.DELETE, "SELECT": ir.Kind.SELECT, "WITH": ir.Kind.OTHER,
}
