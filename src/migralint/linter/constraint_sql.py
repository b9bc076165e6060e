"""SQL that the help of drop, rename and constraint rules suggests: the user's own clauses cut
out of their statement text (PostgreSQL's default constraint names are in constraint_names.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from migralint.linter import lazy_parser as pg_parser
from migralint.linter.concurrently import concurrent_step_note
from migralint.linter.constraint_names import default_constraint_name
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    subcommand_definitions,
    column_constraints,
    quote_ident,
    string_value,
    unwrap,
    walk,
)

if TYPE_CHECKING:
    from migralint.linter.context import Context

def names(items: list[Node] | None) -> list[str]:
    """Column names of a constraint's keys / fk_attrs list."""
    return [string_value(item) for item in items or []]


def check_columns(constraint: Node) -> list[str]:
    """The column PostgreSQL names an unnamed CHECK after: the one column its expression uses, if one."""
    used = {string_value(body["fields"][-1]) for kind, body in walk(constraint.get("raw_expr", {})) if kind == "ColumnRef"}
    return sorted(used) if len(used) == 1 else []


def alter_table_prefix(node: Node) -> str:
    """`ALTER TABLE [IF EXISTS] [ONLY] name` for an AlterTableStmt or RenameStmt."""
    relation = node["relation"]
    return (
        "ALTER TABLE "
        + ("IF EXISTS " if node.get("missing_ok") else "")
        + ("" if relation.get("inh") else "ONLY ")  # libpg_query leaves out false fields
        + TableName.from_range_var(relation).sql()
    )


_COMMA = frozenset({"ASCII_44"})


def clause_end(text: str, start: int, limit: int, stops: frozenset[str] = _COMMA) -> int:
    """Where the clause starting at `start` ends: before the first top-level token in `stops` (a
    comma unless told otherwise), or a closing parenthesis it did not open, or at `limit`.

    Comments after its last token are left out, so that text appended to the clause
    (NOT VALID) is never commented out.
    """
    plain = _plain_clause_end(text, start, limit, stops)
    return plain if plain is not None else _scanned_clause_end(text, start, limit, stops)


def _scanned_clause_end(text: str, start: int, limit: int, stops: frozenset[str] = _COMMA) -> int:
    """clause_end from PostgreSQL's scanner: any text (tests/linter/test_clause_end.py compares
    the plain reading with this one)."""
    try:
        tokens = pg_parser.scan(text[start:limit])
    except pg_parser.ParseError:
        return limit
    depth = 0
    end = start
    for token in tokens:
        if token.name in ("SQL_COMMENT", "C_COMMENT"):
            continue
        if token.name in ("ASCII_41", "ASCII_93"):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and token.name in stops:
            break
        elif token.name in ("ASCII_40", "ASCII_91"):
            depth += 1
        end = start + token.end + 1  # the scanner's ends are inclusive
    return end


# Text the scanner would split into tokens exactly as _plain_clause_end does: ASCII without
# strings, dollar quotes or comments (which may hide parentheses and commas), nor a control
# character the scanner might refuse; its quoted identifiers are read whole.
_UNSURE = re.compile(r"[^ -#%&(-~\t\n\r\f\v]|--|/\*")
_BRACKETS = re.compile(r'"(?:[^"]|"")*"|[()\[\],"]')
_PLAIN_STOPS = {"ASCII_44": ","}


def _plain_clause_end(text: str, start: int, limit: int, stops: frozenset[str]) -> int | None:
    """clause_end without the scanner, for text that leaves no doubt (None otherwise): the
    helps of foreign keys and other clauses cut hundreds of them out of a corpus, and scanning
    each into tokens cost more than the rest of their finding."""
    if not stops <= _PLAIN_STOPS.keys():
        return None
    piece = text[start:limit]
    if _UNSURE.search(piece) is not None:
        return None
    stop_chars = {_PLAIN_STOPS[name] for name in stops}
    depth = 0
    cut = len(piece)
    for found in _BRACKETS.finditer(piece):
        char = found.group()
        if char == '"':
            return None  # a quote never closed: the scanner refuses it
        if char in ")]":
            if depth == 0:
                cut = found.start()
                break
            depth -= 1
        elif depth == 0 and char in stop_chars:
            cut = found.start()
            break
        elif char in "([":
            depth += 1
    return start + len(piece[:cut].rstrip(" \t\n\r\f\v"))


def column_constraint_end(
    column_def: Node, constraint: Node, char_offset: Callable[[int], int], limit: int
) -> int:
    """The character offset where a column constraint's clause ends: at the next constraint
    or COLLATE clause of the column (DEFERRABLE and the like belong to the clause), else `limit`.

    `char_offset` turns a node's byte location into a character offset (Context.node_offset).
    """
    start = constraint.get("location", -1)
    following = [
        body["location"]
        for body in (unwrap(c)[1] for c in column_def.get("constraints", []))
        if body.get("location", -1) > start and not body.get("contype", "").startswith("CONSTR_ATTR_")
    ]
    collate = column_def.get("collClause", {}).get("location", -1)
    if collate > start:
        following.append(collate)
    if not following:
        return limit
    return min(char_offset(location) for location in following)


def strip_constraint_name(clause: str) -> str:
    """A constraint clause without its leading `CONSTRAINT name`."""
    try:
        tokens = pg_parser.scan(clause)
    except pg_parser.ParseError:
        return clause
    if len(tokens) > 2 and tokens[0].name == "CONSTRAINT":
        return clause[tokens[2].start :]
    return clause


def without_span(text: str, start: int, end: int) -> str:
    """`text` with [start, end) cut out and the white space around the cut made one space."""
    return (text[:start].rstrip() + " " + text[end:].lstrip()).strip()


class AddedConstraint(NamedTuple):
    """A constraint that an ALTER TABLE subcommand adds: `ADD CONSTRAINT ...`, or a column
    constraint of `ADD COLUMN ...` (then `column` is the ColumnDef)."""

    number: int  # index of the subcommand in the statement's cmds
    command: Node
    constraint: Node
    column: Node | None

    @property
    def contype(self) -> str:
        return str(self.constraint.get("contype", ""))


def added_constraints(node: Node, contypes: frozenset[str]) -> Iterator[AddedConstraint]:
    """The constraints of the given types that an AlterTableStmt adds, in order."""
    return (added for added in _all_added(node) if added.constraint.get("contype") in contypes)


def _all_added(node: Node) -> list[AddedConstraint]:
    # Five rules ask for them of every ALTER TABLE: they are found once and kept in the node
    # under a key libpg_query never uses, as nodes.alter_table_commands keeps the subcommands.
    cached: list[AddedConstraint] | None = node.get("_added_constraints")
    if cached is None:
        found: list[AddedConstraint] = []
        for number, cmd, kind, body in subcommand_definitions(node, "AT_AddConstraint", "AT_AddColumn"):
            if cmd.get("subtype") == "AT_AddConstraint" and kind == "Constraint":
                found.append(AddedConstraint(number, cmd, body, None))
            elif cmd.get("subtype") == "AT_AddColumn" and kind == "ColumnDef":
                found += [AddedConstraint(number, cmd, constraint, body) for constraint in column_constraints(body)]
        cached = node["_added_constraints"] = found  # kept only once whole
    return cached


def clause_span(ctx: Context, added: AddedConstraint) -> tuple[int, int]:
    """Character span of the constraint's own text in the current statement."""
    span = ctx.subcommand_span(added.number)
    location = added.constraint.get("location", -1)
    if location < 0:
        return span
    start = ctx.node_offset(location)
    limit = span[1]
    if added.column is not None:
        limit = min(limit, column_constraint_end(added.column, added.constraint, ctx.node_offset, limit))
    return start, clause_end(ctx.parsed.text, start, limit)


def clause_text(ctx: Context, added: AddedConstraint, *, with_name: bool = True) -> str:
    """The user's text of the constraint (`CONSTRAINT "x" FOREIGN KEY ... REFERENCES ...`)."""
    start, end = clause_span(ctx, added)
    text = ctx.parsed.text[start:end]
    return text if with_name else strip_constraint_name(text)


def column_without_constraint(ctx: Context, added: AddedConstraint) -> str:
    """The user's `ADD COLUMN ...` subcommand with the constraint's clause cut out."""
    assert added.column is not None
    text = ctx.parsed.text
    # From the column's name on: independent of how well the subcommands could be split.
    start = ctx.node_offset(added.column.get("location", -1))
    end = clause_end(text, start, ctx.subcommand_span(added.number)[1])
    cut_start, cut_end = clause_span(ctx, added)
    column = without_span(text[start:end], cut_start - start, cut_end - start)
    return "ADD COLUMN " + ("IF NOT EXISTS " if added.command.get("missing_ok") else "") + column


_LABELS = {"CONSTR_FOREIGN": "fkey", "CONSTR_UNIQUE": "key", "CONSTR_PRIMARY": "pkey", "CONSTR_CHECK": "check"}


def constraint_name(table: TableName, added: AddedConstraint) -> str:
    """The constraint's name as the user gave it, else the one PostgreSQL would choose."""
    if added.constraint.get("conname"):
        return str(added.constraint["conname"])
    contype = added.contype
    column = [str(added.column.get("colname", ""))] if added.column is not None else []
    if contype == "CONSTR_FOREIGN":
        columns = names(added.constraint.get("fk_attrs")) or column
    elif contype == "CONSTR_UNIQUE":
        columns = names(added.constraint.get("keys")) or column
    elif contype == "CONSTR_CHECK":
        columns = check_columns(added.constraint)
    else:
        columns = []
    return default_constraint_name(table, columns, _LABELS.get(contype, "fkey"))


def attach_unique_index_help(ctx: Context, node: Node, table: TableName, added: AddedConstraint, kind: str) -> str:
    """The help for an ADD UNIQUE / PRIMARY KEY (`kind`) without USING INDEX: build the unique index
    concurrently in a migration of its own, then attach it as the constraint."""
    constraint = added.constraint
    name = quote_ident(constraint_name(table, added))
    prefix = alter_table_prefix(node)
    columns = names(constraint.get("keys"))
    add_column = ""
    if added.column is not None:
        columns = [str(added.column.get("colname", ""))]
        add_column = f"{prefix} {column_without_constraint(ctx, added)};\n"
    index = f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table.sql()} ({column_list(columns)})"
    if constraint.get("including"):
        index += f" INCLUDE ({column_list(names(constraint['including']))})"
    if constraint.get("nulls_not_distinct"):
        index += " NULLS NOT DISTINCT"
    attach = f"{prefix} ADD CONSTRAINT {name} {kind} USING INDEX {name}"
    if constraint.get("deferrable"):
        attach += " DEFERRABLE" + (" INITIALLY DEFERRED" if constraint.get("initdeferred") else "")
    not_null_note = (
        "-- PRIMARY KEY USING INDEX makes the columns NOT NULL, which scans the table unless they already are\n"
        if kind == "PRIMARY KEY"
        else ""
    )
    return (
        "Build the unique index concurrently in a migration of its own, then attach it, which holds "
        "ACCESS EXCLUSIVE only for a moment.\n"
        f"{add_column}"
        f"{concurrent_step_note(ctx.runner)}\n"
        f"{index};\n"
        "-- then, in the next migration:\n"
        f"{not_null_note}{attach};"
    )


def column_list(columns: list[str]) -> str:
    return ", ".join(quote_ident(column) for column in columns)
