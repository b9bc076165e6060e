"""Inline ignores: `-- migralint: ignore RULE[, RULE] -- reason` and `ignore-file`.

An own-line comment covers the next statement (or the statement it sits inside); a trailing
comment covers the statement on its line; `ignore-file` covers the whole file. Rules are
always named: there is no blanket ignore.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

from migralint.linter.parse import Comment, ParsedSource

_DIRECTIVE = re.compile(r"migralint:\s*(ignore-file|ignore)\b(.*)", re.S)
_NAME = re.compile(r"[A-Za-z0-9_-]+")


class Ignore(NamedTuple):
    rules: tuple[str, ...]
    statement: int | None  # the statement covered; None for ignore-file
    reason: str
    span: tuple[int, int]  # the comment, in characters

    @property
    def file_wide(self) -> bool:
        return self.statement is None


def parse_ignores(parsed: ParsedSource) -> list[Ignore]:
    ignores = []
    starts = [s.start for s in parsed.statements]
    for comment in parsed.comments:
        if "migralint:" not in comment.text:
            continue
        match = _DIRECTIVE.search(_comment_body(comment.text))
        if not match:
            continue
        kind, rest = match.groups()
        names_part, _, reason = rest.partition("--")
        rules = tuple(_NAME.findall(names_part))
        statement = None if kind == "ignore-file" else _covered_statement(parsed, starts, comment)
        ignores.append(Ignore(rules, statement, reason.strip(), (comment.start, comment.end)))
    return ignores


def _comment_body(text: str) -> str:
    if text.startswith("/*"):
        return text[2:-2] if text.endswith("*/") else text[2:]
    return text[2:]


def _covered_statement(parsed: ParsedSource, starts: list[int], comment: Comment) -> int | None:
    statements = parsed.statements
    before = bisect_right(starts, comment.start) - 1  # last statement starting before the comment
    if before >= 0:
        enclosing = statements[before]
        if comment.start < enclosing.end or not comment.own_line:
            return enclosing.index
    following = before + 1
    return statements[following].index if following < len(statements) else None


def ignore_comment(rule: str, reason: str) -> str:
    """The own-line comment that accepts `rule`'s finding on the next statement, for help text
    whose SQL is right only once something the linter cannot see is true (the reason)."""
    return f"-- migralint: ignore {rule} -- {reason}"
