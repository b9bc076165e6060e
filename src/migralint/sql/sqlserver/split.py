"""SQL Server's lexical layer: comments, batches, Prisma's TRY/CATCH wrapper, and where each
statement of a file begins and ends.

T-SQL's rules (learn.microsoft.com/sql/t-sql/language-elements/comment-transact-sql and
slash-star-comment-transact-sql): `--` to the end of the line; `/* */`, which nests (an inner
`/*` needs its own `*/`); strings in '' (N'' is the same string), identifiers in "" and [].
`;` ends a statement. `GO` alone on a line is not T-SQL at all: sqlcmd and SSMS cut the script
into batches there and send each on its own (learn.microsoft.com/sql/t-sql/language-elements/
sql-server-utilities-statements-go), so a statement ends there too.

Prisma wraps each SQL Server migration in `BEGIN TRY ... END TRY BEGIN CATCH ... END CATCH`
(prisma-engines, sql-migration-connector's MSSQL renderer; the eureka corpus). The TRY/CATCH
keywords are control flow, not statements: they are skipped, and the CATCH block, which only
runs after a failure (ROLLBACK TRAN; THROW), is kept out of the migration's statements.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from migralint.sql import ir
from migralint.sql.words import Piece, closing_quote, comment_at

_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_@#")
_WORD = _WORD_START | frozenset("0123456789$")
_CLOSERS = {"'": "'", '"': '"', "[": "]"}
# GO [count] alone on its line, a comment allowed after it.
_GO = re.compile(r"GO(?:[ \t]+\d+)?[ \t]*(?:--[^\n]*)?(?=\r?\n|\Z)", re.I)
_NEXT_WORD = re.compile(r"\s+(\w+)")


class Split(NamedTuple):
    pieces: tuple[Piece, ...]
    comments: tuple[ir.Comment, ...]
    problem: ir.SyntaxProblem | None  # unterminated string, identifier or comment: nothing after it is read
    catch_blocks: tuple[tuple[int, int], ...] = ()  # BEGIN CATCH ... END CATCH, left out of `pieces`


def split(text: str) -> Split:
    pieces: list[Piece] = []
    comments: list[ir.Comment] = []
    catches: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    start = -1
    last_end = -1
    words: list[str] = []
    catch_start = -1  # inside BEGIN CATCH: everything up to END CATCH is skipped

    def close() -> None:
        nonlocal start, words
        if start >= 0 and catch_start < 0:
            pieces.append(Piece(start, last_end, tuple(words[:6])))
        start, words = -1, []

    while i < n:
        ch = text[i]
        if ch in " \t\r\n\f\v\ufeff":
            i += 1
            continue
        if ch == "-" and text.startswith("--", i):
            stop = text.find("\n", i)
            stop = n if stop == -1 else stop
            comments.append(comment_at(text, i, stop))
            i = stop
            continue
        if ch == "/" and text.startswith("/*", i):
            stop = _comment_end(text, i)
            if stop < 0:
                return Split(tuple(pieces), tuple(comments), ir.SyntaxProblem("unterminated /* comment", i), tuple(catches))
            comments.append(comment_at(text, i, stop))
            i = stop
            continue
        if ch == ";":
            close()
            i += 1
            continue
        if ch in "gG" and _at_line_start(text, i) and (go := _GO.match(text, i)) is not None:
            close()
            i = go.end()
            continue
        if ch in _CLOSERS or (ch in "nN" and text.startswith("'", i + 1)):
            if start < 0 and catch_start < 0:
                start = i
            quote = i + 1 if ch in "nN" else i
            stop = closing_quote(text, quote, _CLOSERS[text[quote]])
            if stop < 0:
                what = "string" if text[quote] == "'" else "quoted identifier"
                return Split(tuple(pieces), tuple(comments), ir.SyntaxProblem(f"unterminated {what}", i), tuple(catches))
            i = last_end = stop
            continue
        if ch in _WORD_START or ord(ch) > 127:
            j = i + 1
            while j < n and (text[j] in _WORD or ord(text[j]) > 127):
                j += 1
            word = text[i:j].upper()
            following = _NEXT_WORD.match(text, j)
            pair = (word, following.group(1).upper()) if following else (word, "")
            if catch_start >= 0:
                if pair == ("END", "CATCH"):
                    catches.append((catch_start, following.end() if following else j))
                    catch_start = -1
                    i = following.end() if following else j
                    continue
                i = j
                continue
            if pair in (("BEGIN", "TRY"), ("END", "TRY"), ("BEGIN", "CATCH")) and following is not None:
                close()  # T-SQL needs no ";" before them: they end what came before
                if pair == ("BEGIN", "CATCH"):
                    catch_start = i
                i = following.end()
                continue
            if start < 0:
                start = i
            if len(words) < 6:
                words.append(word)
            i = last_end = j
            continue
        if start < 0 and catch_start < 0:
            start = i
        i += 1
        if catch_start < 0:
            last_end = i
    close()
    if catch_start >= 0:
        catches.append((catch_start, n))
    return Split(tuple(pieces), tuple(comments), None, tuple(catches))


def _at_line_start(text: str, i: int) -> bool:
    line_start = text.rfind("\n", 0, i) + 1
    return not text[line_start:i].strip()


def _comment_end(text: str, i: int) -> int:
    """Just past the `*/` that closes the `/*` at `i`, counting nested ones; -1: never closed."""
    depth = 0
    j = i
    while True:
        opening = text.find("/*", j)
        closing = text.find("*/", j)
        if closing < 0:
            return -1
        if 0 <= opening < closing:
            depth += 1
            j = opening + 2
            continue
        depth -= 1
        j = closing + 2
        if depth == 0:
            return j
