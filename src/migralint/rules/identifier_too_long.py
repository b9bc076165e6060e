from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.identifiers import (
    MAX_NAME_BYTES,
    byte_length,
    clip,
    defined_names,
    enum_labels,
    long_tokens,
)
from migralint.sql.postgres.nodes import quote_ident
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


# A name PostgreSQL clipped to 63 bytes is at least 60 bytes long (a character takes up to 4).
_CLIPPED_AT_LEAST = MAX_NAME_BYTES - 3
# What long_tokens could report is a token of over 63 bytes: in ASCII text, 64 characters or more
# (a quoted identifier or a string, "" and '' pairs included, or a run with no space or quote);
# in other text, 16 or more (a character takes up to 4 bytes). Most statements have none, and
# this search costs a fraction of walking their tree for names. (A match between the closing
# quote of one name and the opening quote of the next only lets a statement through.) A run
# is tried from its first character only (the lookbehind): tried from each, the search cost a
# third more, for the same answer.
_MAYBE_LONG_ASCII = re.compile(r'"(?:[^"]|""){64,}"|\'(?:[^\']|\'\'){64,}\'|(?<![^\s"\'])[^\s"\']{64}')
_MAYBE_LONG = re.compile(r'"(?:[^"]|""){14,}"|\'(?:[^\']|\'\'){14,}\'|(?<![^\s"\'])[^\s"\']{16}')
# Cheaper still, for the ASCII text of a statement that defines no enum label (only labels are
# strings this rule reports): a long identifier is a quoted one, whose opening quote is followed
# by 64 characters that are not a quote unless it holds a "" pair, or an unquoted one, in a
# run of 64 characters or more without white space. A regular expression that starts with a
# literal is skipped through quickly, and str.split is C: a third of _MAYBE_LONG_ASCII's time.
_QUOTED_64 = re.compile(r'"[^"]{64}')
_LABELS = frozenset({"CreateEnumStmt", "AlterEnumStmt"})


def _may_hold_long_name(sql: str, kind: str) -> bool:
    """False when no token of `sql` can be a name or enum label over 63 bytes."""
    if not sql.isascii():
        return _MAYBE_LONG.search(sql) is not None
    if kind in _LABELS or '""' in sql:
        return _MAYBE_LONG_ASCII.search(sql) is not None
    return _QUOTED_64.search(sql) is not None or max(map(len, sql.split()), default=0) >= 64


class IdentifierTooLong(Rule):
    name = "identifier-too-long"
    severity = Severity.ERROR
    nodes = (
        "CreateStmt", "CreateTableAsStmt", "ViewStmt", "IndexStmt", "AlterTableStmt", "RenameStmt",
        "CreateEnumStmt", "AlterEnumStmt", "CreateRangeStmt", "CompositeTypeStmt", "DefineStmt",
        "CreateDomainStmt", "AlterDomainStmt", "CreateSeqStmt", "CreateFunctionStmt", "CreateSchemaStmt",
        "CreateTrigStmt", "CreatePolicyStmt",
    )  # fmt: skip
    subcommands = ("AT_AddColumn", "AT_AddConstraint")  # the ones that name something (linter/identifiers.py)
    summary = "A name longer than 63 bytes is silently cut short by PostgreSQL."
    why = (
        "PostgreSQL keeps at most 63 bytes of a name (NAMEDATALEN - 1) and silently drops the rest, so "
        "the table, column, index or constraint in the database is not called what the migration says. "
        "Everything that compares the full name as text misses it: Prisma's and other tools' schema "
        "diffs, checks against pg_catalog, code that reads constraint names from errors. Two long names "
        "that share their first 63 bytes become one name, so a later migration creates a duplicate that "
        "fails, or alters or drops the wrong object. Bytes count, not characters: é takes two, ☕ three. "
        "Enum labels over 63 bytes are rejected outright and the migration fails."
    )
    bad = (
        'CREATE INDEX "WorkspaceMembershipInvitation_workspaceId_invitedByUserId_createdAt_idx" '
        'ON "WorkspaceMembershipInvitation"("workspaceId", "invitedByUserId", "createdAt");'
    )
    good = (
        'CREATE INDEX "WorkspaceMembershipInvitation_workspace_inviter_created_idx" '
        'ON "WorkspaceMembershipInvitation"("workspaceId", "invitedByUserId", "createdAt");'
    )
    references = ("https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS",)

    def check(self, statement: Statement, ctx: Context) -> Iterable[Finding]:
        sql = ctx.parsed.text[statement.start : statement.end]
        if not _may_hold_long_name(sql, statement.kind):
            return ()
        return self._long_names(statement, ctx)

    def _long_names(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        defined = {name: what for what, name in defined_names(statement.kind, statement.node) if name}
        long_names = {name: what for name, what in defined.items() if byte_length(name) >= _CLIPPED_AT_LEAST}
        labels = {label for label in enum_labels(statement.kind, statement.node) if byte_length(label) > MAX_NAME_BYTES}
        if not long_names and not labels:
            return  # nothing was clipped: spare the scan
        text = ctx.parsed.text[statement.start : statement.end]
        reported: set[str] = set()
        for token in long_tokens(text):
            span = (statement.start + token.start, statement.start + token.end)
            if token.kind == "string" and token.value in labels and token.value not in reported:
                reported.add(token.value)
                yield ctx.finding(
                    self,
                    f"The enum label '{token.value}' is {byte_length(token.value)} bytes: PostgreSQL rejects labels "
                    f"over {MAX_NAME_BYTES} bytes and the migration fails.",
                    help=_help("Use a label of at most 63 bytes.", text, token.start, token.end, _literal(clip(token.value))),
                    span=span,
                )
                continue
            kept = clip(token.value)
            if token.kind != "identifier" or kept not in long_names or kept in reported:
                continue
            reported.add(kept)
            what = long_names[kept]
            yield ctx.finding(
                self,
                f'The {what} name "{token.value}" is {byte_length(token.value)} bytes, over PostgreSQL\'s limit of '
                f'{MAX_NAME_BYTES}: it silently cuts the name to "{kept}", so tools that compare the full name miss '
                f"it, and any other name with the same first {MAX_NAME_BYTES} bytes means this {what}.",
                help=_help(
                    f"Choose a name of at most {MAX_NAME_BYTES} bytes (here with the name PostgreSQL would keep).",
                    text,
                    token.start,
                    token.end,
                    quote_ident(kept),
                ),
                span=span,
            )


def _help(first: str, text: str, start: int, end: int, replacement: str) -> str:
    return f"{first}\n{text[:start]}{replacement}{text[end:]};"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
