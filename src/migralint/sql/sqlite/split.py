"""SQLite's lexical layer: comments, and where each statement of a file begins and ends.

sqlglot's tokenizer drops comment positions and splits a trigger's body at its inner ";", so
the file is cut here, with SQLite's own rules (sqlite.org/lang_comment.html, lang_keywords.html):
`--` to the end of the line (drizzle's `--> statement-breakpoint` and goose's `-- +goose Up`
are comments to SQLite; a breakpoint also ends a statement, as drizzle's migrator splits there
(drizzle-orm `src/migrator.ts`, readMigrationFiles)), `/* */` (an unterminated one runs to the end of the file, which SQLite
accepts), strings in '', identifiers in "", ``, []; a `CREATE TRIGGER` runs to the `END` that
closes its `BEGIN`, whatever `;` its body holds.
"""

from __future__ import annotations

from typing import NamedTuple

from migralint.sql import ir
from migralint.sql.words import Piece, closing_quote, comment_at

_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_WORD = _WORD_START | frozenset("0123456789$")
BREAKPOINT = "--> statement-breakpoint"
_CLOSERS = {"'": "'", '"': '"', "`": "`", "[": "]"}


class Split(NamedTuple):
    pieces: tuple[Piece, ...]
    comments: tuple[ir.Comment, ...]
    problem: ir.SyntaxProblem | None  # an unterminated string or identifier: nothing after it is read


def split(text: str) -> Split:
    pieces: list[Piece] = []
    comments: list[ir.Comment] = []
    n = len(text)
    i = 0
    start = -1  # first token of the statement being read; -1: between statements
    last_end = -1
    words: list[str] = []
    trigger = False  # inside CREATE TRIGGER: ";" ends the statement only after the body's END
    body_depth = 0  # BEGIN/CASE opened and not yet closed, inside a trigger

    def close() -> None:
        nonlocal start, words, trigger, body_depth
        if start >= 0:
            pieces.append(Piece(start, last_end, tuple(words[:6])))
        start, words, trigger, body_depth = -1, [], False, 0

    while i < n:
        ch = text[i]
        if ch in " \t\r\n\f\v\ufeff":
            i += 1
            continue
        if ch == "-" and text.startswith("--", i):
            stop = text.find("\n", i)
            stop = n if stop == -1 else stop
            comments.append(comment_at(text, i, stop))
            if text.startswith(BREAKPOINT, i) and not (trigger and body_depth > 0):
                close()  # drizzle's migrator runs each chunk between breakpoints on its own
            i = stop
            continue
        if ch == "/" and text.startswith("/*", i):
            stop = text.find("*/", i + 2)
            stop = n if stop == -1 else stop + 2
            comments.append(comment_at(text, i, stop))
            i = stop
            continue
        if ch == ";":
            if not (trigger and body_depth > 0):
                close()
            i += 1
            continue
        if start < 0:
            start = i
        if ch in _CLOSERS:
            stop = closing_quote(text, i, _CLOSERS[ch], doubled_escapes=_CLOSERS[ch] != "]")
            if stop < 0:
                return Split(tuple(pieces), tuple(comments), ir.SyntaxProblem(f"unterminated {_what(ch)}", i))
            i = last_end = stop
            continue
        if ch in _WORD_START or ord(ch) > 127:
            j = i + 1
            while j < n and (text[j] in _WORD or ord(text[j]) > 127):
                j += 1
            word = text[i:j].upper()
            if len(words) < 6:
                words.append(word)
                if words[:2] == ["CREATE", "TRIGGER"] or words[:3] in (["CREATE", "TEMP", "TRIGGER"], ["CREATE", "TEMPORARY", "TRIGGER"]):
                    trigger = True
            if trigger and word in ("BEGIN", "CASE"):
                body_depth += 1
            elif trigger and word == "END" and body_depth > 0:
                body_depth -= 1
            i = last_end = j
            continue
        i += 1
        last_end = i
    close()
    return Split(tuple(pieces), tuple(comments), None)


def _what(quote: str) -> str:
    return "string" if quote == "'" else "quoted identifier"
