"""The CockroachDB front end: a file's text into the statement model (`ir.ParsedFile`).

CockroachDB speaks PostgreSQL's grammar with additions, so the file is cut and parsed by pglast
(libpg_query, PostgreSQL's own parser) and each statement built by sql/postgres/model.py. A
statement pglast refuses goes through `classify` (this package): CockroachDB's own syntax is
built from its same-length PostgreSQL rewrite where the rewrite says the same thing
(statements.py), a statement of CockroachDB's own is "not understood", and a real syntax error
is reported where pglast points, the statements after it still read.

The statements carry no locks: CockroachDB runs schema changes as online background jobs
(cockroachlabs.com/docs "Online Schema Changes"), so PostgreSQL's lock table does not apply.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from migralint.source import LineIndex
from migralint.sql import ir
from migralint.sql.cockroachdb.sqltext import CockroachSqlText
from migralint.sql.cockroachdb.statements import statement_of
from migralint.sql.dialect import Dialect
from migralint.sql.lean_pglast import load_parser
from migralint.sql.model_front_end import FrontEnd

if TYPE_CHECKING:
    from migralint.sql.model_front_end import Versions

_GOOSE_DOWN = re.compile(r"^--\s*\+goose\s+Down\b", re.I | re.M)
_LINE_COMMENT = re.compile(r"--[^\n]*")


def parse(text: str, versions: Versions | None = None) -> ir.ParsedFile:
    """The model of a CockroachDB migration file. Never raises on bad SQL."""
    # pglast loads on first use: a run over PostgreSQL or MySQL files never needs this module.
    load_parser()  # lean: sql/lean_pglast.py
    from pglast import parser as pg_parser

    nul = text.find("\0")
    if nul != -1:  # libpg_query reads a C string: the rest would go unseen (as linter/parse.py does)
        text = text.replace("\0", " ")
    index = LineIndex(text)
    problem: ir.SyntaxProblem | None = None
    try:
        pieces = [(s.start, s.stop) for s in pg_parser.split(text, with_parser=False, only_slices=True)]
    except pg_parser.ParseError as error:
        # The scanner stops at what it cannot cut (an unterminated string): the statements
        # before the error are still read, nothing after it.
        problem = _whole_file_error(text)
        pieces = _pieces_before(text, problem.offset if problem else 0)
        if problem is None:
            problem = ir.SyntaxProblem(str(error.args[0]) if error.args else str(error), 0)
    statements: list[ir.Statement] = []
    errors: list[ir.SyntaxProblem] = []
    for start, stop in pieces:
        start, end = _trimmed(text, start, stop if stop is not None else len(text))
        if end <= start:
            continue
        statement, error_at = statement_of(len(statements), text[start:end], start)
        statements.append(statement)
        if error_at is not None:
            errors.append(error_at)
    return ir.ParsedFile(
        Dialect.COCKROACHDB, index, tuple(statements), _comments(text), problem,
        nul if nul != -1 else None, tuple(errors),
    )


def rollback_from(text: str) -> int | None:
    """Where goose's `-- +goose Down` section starts: what follows runs only on rollback."""
    match = _GOOSE_DOWN.search(text)
    return match.start() if match else None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The piece without the blanks and comments around it and its ";" (ir.Statement's span)."""
    while True:
        while start < end and text[start].isspace():
            start += 1
        if text.startswith("--", start):
            newline = text.find("\n", start, end)
            start = end if newline == -1 else newline + 1
        elif text.startswith("/*", start):
            close = text.find("*/", start + 2, end)
            start = end if close == -1 else close + 2
        else:
            break
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and text[end - 1] == ";":
        end -= 1
    return start, end


def _whole_file_error(text: str) -> ir.SyntaxProblem | None:
    from migralint.sql.cockroachdb import classify

    verdict = classify(text)
    if verdict.error:
        return ir.SyntaxProblem(verdict.error, max(verdict.offset, 0))
    return None


def _pieces_before(text: str, offset: int) -> list[tuple[int, int | None]]:
    load_parser()  # lean: sql/lean_pglast.py
    from pglast import parser as pg_parser

    cut = text.rfind(";", 0, offset)
    if cut <= 0:
        return []
    try:
        return [(s.start, s.stop) for s in pg_parser.split(text[: cut + 1], with_parser=False, only_slices=True)]
    except pg_parser.ParseError:
        return []


def _comments(text: str) -> tuple[ir.Comment, ...]:
    load_parser()  # lean: sql/lean_pglast.py
    from pglast import parser as pg_parser

    if "migralint" not in text:  # comments matter only for ignore directives
        return ()
    try:
        spans = [(t.start, t.end + 1) for t in pg_parser.scan(text) if t.name in ("SQL_COMMENT", "C_COMMENT")]
    except pg_parser.ParseError:
        spans = [m.span() for m in _LINE_COMMENT.finditer(text)]
    result = []
    for start, end in spans:
        line_start = text.rfind("\n", 0, start) + 1
        result.append(ir.Comment(start, end, text[start:end].rstrip("\r"), text[line_start:start].strip() == ""))
    return tuple(result)


FRONT_END = FrontEnd(parse, rollback_from, CockroachSqlText())
