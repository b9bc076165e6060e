"""The span of the one subcommand of an ALTER TABLE, found without scanning the statement.

Most ALTER TABLEs have one subcommand (a Prisma migration adds one column or one constraint per
statement), and the model of each asks for its span: scanning the statement into tokens
(linter/parse.py's subcommand_spans) cost more than the rest of the span's work. A statement
whose text leaves no doubt (ASCII, no comma, no comment, the table written as plain or quoted
identifiers) is read here with the same result; any other goes to the scan.
"""

from __future__ import annotations

import re

# PostgreSQL's own rules (scan.l): whitespace, an identifier's first and next characters (ASCII
# here), a quoted identifier with "" for a quote.
_SPACE = "[ \t\n\r\f\v]"
_NAME = r'(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)'
# The table's name from its first character: [schema.]table, then an optional `*`, then the
# whitespace before the subcommand.
_TABLE = re.compile(rf"{_NAME}(?:{_SPACE}*\.{_SPACE}*{_NAME})*(?:{_SPACE}*\*)?{_SPACE}*")


def single_command_span(text: str, name_at: int) -> tuple[int, int] | None:
    """The span (offsets in `text`, the statement's own) of the one subcommand of an ALTER TABLE
    whose table's name starts at `name_at`; None when the text needs the scanner's judgement."""
    if not text.isascii() or "," in text or "--" in text or "/*" in text:
        return None
    found = _TABLE.match(text, name_at)
    if found is None or found.end() >= len(text):
        return None
    end = len(text.rstrip(" \t\n\r\f\v"))
    return (found.end(), end) if found.end() < end else None
