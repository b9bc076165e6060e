"""CockroachDB's own syntax, told apart from real syntax errors, for statements pglast
(PostgreSQL's parser) refuses.

CockroachDB's grammar is PostgreSQL's with additions (cockroachlabs.com/docs: CREATE INDEX,
ALTER PRIMARY KEY, hash-sharded indexes, column families, computed columns). A statement that
uses one fails in pglast; that is not the author's mistake. `classify` rewrites each addition it
finds into PostgreSQL of the same length (offsets stay true) and asks pglast again: if the
rewrite parses, the statement is CockroachDB's own syntax; if it still fails, the error is real
and pglast's position in the rewrite is a position in the original.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from migralint.sql.lean_pglast import load_parser

if TYPE_CHECKING:
    from pglast.parser import ParseError

# Strings and comments are blanked, quoted identifiers made one plain word, before the
# constructs are looked for: a '@' or a STORING inside them is nobody's syntax.
_OPAQUE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.S)
_NAME = r"(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][\w$]*)"


class Construct(NamedTuple):
    name: str  # what the docs call it: "table@index", "STORING", ...
    pattern: re.Pattern[str]
    replace: str  # "blank": spaces; "@": the "@" becomes "."; other text: written over the match, padded


def _c(name: str, pattern: str, replace: str) -> Construct:
    return Construct(name, re.compile(pattern, re.I | re.S), replace)


# Each replacement keeps the match's length. Sources: cockroachlabs.com/docs/stable pages for
# CREATE INDEX (STORING, INVERTED, USING HASH), ALTER PRIMARY KEY, ADD CONSTRAINT (IF NOT
# EXISTS), CREATE TABLE (inline INDEX, FAMILY, NOT VISIBLE), computed columns (AS (...) STORED/VIRTUAL).
CONSTRUCTS: tuple[Construct, ...] = (
    _c("table@index", rf"(?<=\S)@(?={_NAME})", "@"),
    _c("INVERTED INDEX", r"\bINVERTED(?=\s+INDEX\b)", "blank"),
    _c("STORING", r"\bSTORING(?=\s*\()", "INCLUDE"),
    _c("USING HASH", r"\bUSING\s+HASH\b(?:\s+WITH\s*\(\s*bucket_count\s*=\s*\d+\s*\)|\s+WITH\s+BUCKET_COUNT\s*=\s*\d+)?", "blank"),
    _c("ALTER PRIMARY KEY", r"\bALTER\s+PRIMARY\s+KEY\s+USING\s+COLUMNS\b", "ADD PRIMARY KEY"),
    _c("ADD CONSTRAINT IF NOT EXISTS", rf"(?<=\bCONSTRAINT)\s+IF\s+NOT\s+EXISTS(?=\s+{_NAME})", "blank"),
    _c("inline INDEX in CREATE TABLE", r",\s*(?:UNIQUE\s+)?(?:INVERTED\s+)?INDEX\b[^(),]*\([^()]*\)(?:\s*STORING\s*\([^()]*\))?", "blank"),
    _c("FAMILY", r",\s*FAMILY\b[^(),]*\([^()]*\)", "blank"),
    _c("computed column AS (...)", r"(?<![\w)])\bAS\s*(\((?:[^()]|\([^()]*\))*\))\s*(?:STORED|VIRTUAL)\b", "computed"),
    # UPDATE/DELETE ... [ORDER BY ...] LIMIT n: CockroachDB's way to change rows in batches.
    _c("UPDATE/DELETE ... LIMIT", r"\A\s*(?:UPDATE|DELETE)\b.*?(?P<tail>(?:\bORDER\s+BY\b[^;]*?)?\bLIMIT\s+\d+)", "tail"),
    _c("NOT VISIBLE column", r"\bNOT\s+VISIBLE\b", "blank"),
    _c("PRIMARY KEY (c ASC)", r"\b(?:PRIMARY\s+KEY|UNIQUE)\s*\([^()]*\b(?:ASC|DESC)\b[^()]*\)", "keys"),
)


# Statements of CockroachDB's own, told by their first words (cockroachlabs.com/docs/stable/
# sql-statements): nothing in PostgreSQL's grammar is like them, so they are "not understood".
_OWN_STATEMENTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I | re.S)) for name, pattern in (
        ("UPSERT", r"\A\s*UPSERT\s+INTO\b"),
        ("SET CLUSTER SETTING", r"\A\s*(?:SET|RESET)\s+CLUSTER\s+SETTING\b"),
        ("CONFIGURE ZONE", r"\A\s*ALTER\s+(?:TABLE|INDEX|DATABASE|RANGE|PARTITION)\b.*\bCONFIGURE\s+ZONE\b"),
        ("SPLIT AT", r"\A\s*ALTER\s+(?:TABLE|INDEX)\b.*\b(?:UNSPLIT|SPLIT)\s+AT\b"),
        ("multi-region", r"\A\s*ALTER\s+(?:TABLE|DATABASE)\b.*\b(?:SET\s+LOCALITY|PRIMARY\s+REGION|ADD\s+REGION|DROP\s+REGION|SURVIVE)\b"),
        ("column visibility", r"\A\s*ALTER\s+TABLE\b.*\bALTER\s+(?:COLUMN\s+)?\S+\s+SET\s+(?:NOT\s+)?VISIBLE\b"),
        ("CHANGEFEED", r"\A\s*(?:CREATE|ALTER)\s+CHANGEFEED\b"),
        ("SHOW", r"\A\s*SHOW\s+(?:JOBS|CREATE|RANGES|ZONE|CLUSTER|INDEXES|COLUMNS|TABLES|DATABASES)\b"),
        ("job control", r"\A\s*(?:CANCEL|PAUSE|RESUME)\s+JOBS?\b"),
        ("BACKUP or RESTORE", r"\A\s*(?:BACKUP|RESTORE|IMPORT|EXPORT)\b"),
    )
)


class Verdict(NamedTuple):
    cockroach: bool  # True: CockroachDB's own syntax, parsed once rewritten
    constructs: tuple[str, ...]  # the CockroachDB constructs found, in CONSTRUCTS order
    error: str = ""  # pglast's message when it is a real syntax error
    offset: int = -1  # its character offset in the statement


class Rewrite(NamedTuple):
    text: str  # the statement with each construct written as PostgreSQL of the same length
    constructs: tuple[str, ...]  # the constructs found, in CONSTRUCTS order
    spans: tuple[tuple[str, int, int], ...]  # (construct, start, end) of each match, in the statement


def rewrite(sql: str) -> Rewrite:
    """`sql` with CockroachDB's additions written as PostgreSQL of the same length."""
    found: list[str] = []
    spans: list[tuple[str, int, int]] = []
    rewritten = sql
    bare = _OPAQUE.sub(lambda m: ("x" if m.group(0)[0] == '"' else " ") * len(m.group(0)), sql)
    for construct in CONSTRUCTS:
        matches = list(construct.pattern.finditer(bare))
        if not matches:
            continue
        found.append(construct.name)
        for match in matches:
            spans.append((construct.name, *match.span()))
            rewritten = _write(rewritten, match, construct.replace)
            bare = _write(bare, match, construct.replace)
    return Rewrite(rewritten, tuple(found), tuple(spans))


def own_statement(sql: str) -> str | None:
    """The name of a statement of CockroachDB's own that no rewrite makes PostgreSQL (UPSERT,
    SET CLUSTER SETTING, CONFIGURE ZONE...), None when `sql` is not one."""
    bare = _OPAQUE.sub(lambda m: " " * len(m.group(0)), sql)
    for name, pattern in _OWN_STATEMENTS:
        if pattern.search(bare):
            return name
    return None


def classify(sql: str) -> Verdict:
    """What a statement pglast refuses is. `sql` is one statement (a ";" after it is allowed)."""
    # pglast loads on first use, as everywhere in migralint (linter/lazy_parser.py, which
    # sql/ may not import: the layers contract).
    load_parser()  # lean: sql/lean_pglast.py
    from pglast import parser as pg_parser

    rewritten, found, _ = rewrite(sql)
    try:
        pg_parser.parse_sql_json(rewritten)
    except pg_parser.ParseError as error:
        own = own_statement(sql)
        if own is not None:
            return Verdict(True, (*found, own))
        return Verdict(False, found, error.args[0] if error.args else str(error), _char_offset(rewritten, error))
    return Verdict(bool(found), found)


def _write(text: str, match: re.Match[str], replace: str) -> str:
    start, end = match.span()
    if replace == "@":
        new = "."
    elif replace == "blank":
        new = " " * (end - start)
    elif replace == "keys":  # a constraint's key list: PostgreSQL takes no ASC/DESC there
        new = re.sub(r"\b(?:ASC|DESC)\b", lambda m: " " * len(m.group(0)), text[start:end], flags=re.I)
    elif replace == "tail":  # only the named group, the statement's head kept
        tail = match.start("tail")
        new = text[start:tail] + " " * (end - tail)
    elif replace == "computed":
        # `AS (expr) STORED` is PostgreSQL's `GENERATED ALWAYS AS (expr) STORED` without its
        # first two words; blanking it keeps the column and its type, which is what parses.
        new = " " * (end - start)
    else:
        new = replace.ljust(end - start) if len(replace) <= end - start else ""
        if not new:
            return text
    return text[:start] + new + text[end:]


def _char_offset(text: str, error: ParseError) -> int:
    """The error's character offset. libpg_query reports characters and pglast converts them
    once more as if they were bytes, moving the position left past each multi-byte character
    (linter/parse.py measures the same): the true one lies between the reported number and its
    UTF-8 byte count; the token PostgreSQL names ("at or near ...") picks it."""
    reported = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) else -1
    if reported < 0 or text.isascii():
        return min(reported, len(text))
    near = re.search(r'at or near "(.*)"', str(error.args[0]), re.S)
    high = min(len(text[:reported].encode("utf-8")) + 3, len(text))
    for offset in range(reported, high + 1):
        if near and text.startswith(near.group(1), offset):
            return offset
    return min(reported, len(text))
