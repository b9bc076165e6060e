"""What the MySQL rules share: the context they read and the clauses of an ALTER on an existing table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from migralint.linter.model_context import ModelContext
from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.mysql.online_ddl import Algorithm, enum_change_in_place
from migralint.sql.mysql.readings import Clause, MySqlNode

MYSQL = frozenset({Dialect.MYSQL})
GH_OST = "https://github.com/github/gh-ost"
PT_OSC = "https://docs.percona.com/percona-toolkit/pt-online-schema-change.html"
ONLINE_DDL = "https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html"
MARIADB_ONLINE_DDL = "https://mariadb.com/kb/en/innodb-online-ddl-overview/"
_ALTER_HEAD = re.compile(
    r"(?:ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE|CREATE\s+(?:\w+\s+)?INDEX\s+\S+\s+ON)\s+(?:`(?:[^`]|``)+`|[\w$.]+)\s+"
    r"(?P<clauses>.*)",
    re.I | re.S,
)
_ASSERTION = re.compile(r"\s*,\s*(?:ALGORITHM|LOCK)\s*=?\s*\w+", re.I)
_PLAIN_QUOTED = re.compile(r"`(\w+)`")
_MEMBERS = re.compile(r"'((?:[^'\\]|''|\\.)*)'")


class MySqlContext(ModelContext, Protocol):
    """What the model engine's context (linter/model_engine.FileState) adds for MySQL's rules."""

    def column(self, table: ir.TableName, column: str) -> ir.Column | None: ...


@dataclass(slots=True)
class Reported:
    """A rule reported once per file section already (ctx.state(Reported, rule.name))."""

    done: bool = False


class Change(NamedTuple):
    """One clause of an ALTER on a table that may hold rows, with its cost."""

    clause: Clause
    span: tuple[int, int]


def existing_table_clauses(statement: ir.Statement, ctx: MySqlContext) -> tuple[ir.TableName, list[Change]] | None:
    """The ALTER's table and clauses, when the table may hold rows and MySQL will run it as written."""
    raw = statement.raw
    if not isinstance(raw, MySqlNode) or raw.alter is None or raw.alter.cost is None:
        return None
    table = raw.alter.table
    if not ctx.rows(table).may_hold_rows:
        return None
    return table, [Change(c, c.span or (statement.start, statement.end)) for c in raw.alter.clauses]


def asks_for_copy(statement: ir.Statement) -> bool:
    raw = statement.raw
    return isinstance(raw, MySqlNode) and raw.alter is not None and raw.alter.algorithm == "COPY"


def members(column_type: str) -> tuple[str, list[str]] | None:
    """("enum" | "set", members) of an ENUM or SET type as Column.type writes it."""
    lowered = column_type.strip().lower()
    for kind in ("enum", "set"):
        if lowered.startswith(kind + "("):
            return kind, [m.replace("''", "'") for m in _MEMBERS.findall(column_type)]
    return None


class Modify(NamedTuple):
    column: str
    old: ir.Column | None  # as the history left it; None: unknown
    new_type: str
    not_null: bool
    verdict: str  # "same", "nullability", "enum-append", "enum-copy", "type", "unknown"


def modifies(clause: Clause, table: ir.TableName, ctx: MySqlContext) -> Iterator[Modify]:
    """MODIFY / CHANGE clauses, read against the column's replayed definition."""
    types = [e for e in clause.events if isinstance(e, ir.AlterColumnType)]
    nulls = {e.column: e.not_null for e in clause.events if isinstance(e, ir.SetNotNull)}
    renamed = {e.new: e.column for e in clause.events if isinstance(e, ir.RenameColumn)}
    for event in types:
        old = ctx.column(table, renamed.get(event.column, event.column))
        not_null = nulls.get(event.column, False)
        yield Modify(event.column, old, event.type, not_null, _verdict(old, event.type, not_null))


def _verdict(old: ir.Column | None, new_type: str, not_null: bool) -> str:
    if old is None or not old.type:
        return "unknown"
    if _same_type(old.type, new_type):
        return "same" if old.not_null == not_null else "nullability"
    before, after = members(old.type), members(new_type)
    if before is not None and after is not None and before[0] == after[0]:
        return "enum-append" if enum_change_in_place(before[1], after[1], before[0] == "set") else "enum-copy"
    return "type"


def _same_type(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return re.sub(r"\s+", "", text.lower()).replace("integer", "int")

    return norm(a) == norm(b)


def blocks_writes(clause: Clause) -> bool:
    return clause.cost.blocks_writes or clause.cost.algorithm is Algorithm.COPY


def online_tool_help(statement: ir.Statement, ctx: ModelContext, intro: str = "") -> str:
    """Help that runs the statement's change through gh-ost or pt-online-schema-change, which copy
    the table in small throttled chunks while writes go on and swap it in at the end."""
    raw = statement.raw
    body = raw.text if isinstance(raw, MySqlNode) else ""
    table = statement.tables[0] if statement.tables else ir.TableName("", "<table>")
    match = _ALTER_HEAD.match(body)
    clauses = (match["clauses"] if match and body.upper().startswith("ALTER") else body).replace('"', '\\"')
    if not body.upper().startswith("ALTER") and isinstance(raw, MySqlNode):
        clauses = _as_alter_clause(body).replace('"', '\\"')
    # Plain names lose their backticks: inside the shell's double quotes a backtick runs a command.
    clauses = _PLAIN_QUOTED.sub(r"\1", clauses)
    name = table.name
    return (
        (intro or "Run this change with an online schema change tool, which copies the table in small throttled "
         "chunks while writes go on and swaps it in at the end; then record the migration as applied.")
        + "\n"
        f'-- gh-ost --table="{name}" --alter="{clauses}" --execute\n'
        f'-- pt-online-schema-change --alter "{clauses}" D=<database>,t={name} --execute'
    )


def _as_alter_clause(create_index: str) -> str:
    """CREATE [FULLTEXT] INDEX i ON t (c) -> ADD [FULLTEXT] INDEX i (c), the form the tools take."""
    match = re.match(r"CREATE\s+(?P<kind>\w+\s+)?INDEX\s+(?P<name>\S+)\s+ON\s+\S+\s*(?P<rest>\(.*)", create_index,
                     re.I | re.S)
    if match is None:
        return create_index
    return f"ADD {(match['kind'] or '').upper()}INDEX {match['name']} {match['rest']}"


def with_online_assertion(statement: ir.Statement) -> str:
    """The ALTER as written, with ALGORITHM=INPLACE, LOCK=NONE added: MySQL then refuses to run it
    rather than fall back to a copy that blocks writes."""
    raw = statement.raw
    body = raw.text if isinstance(raw, MySqlNode) else ""
    body = _ASSERTION.sub("", body.rstrip().rstrip(";"))  # the statement's own ALGORITHM= / LOCK=, replaced
    return f"{body}, ALGORITHM=INPLACE, LOCK=NONE;"
