"""Batched forms of a whole-table UPDATE or DELETE, built from the user's own statement text."""

from __future__ import annotations

from typing import NamedTuple

from migralint.linter import lazy_parser as pg_parser
from migralint.sql.postgres.nodes import Node, quote_ident, string_value, walk

BATCH_SIZE = 1000

# Functions whose result changes from one batch to the next: `col IS DISTINCT FROM now()`
# would stay true for ever, so such backfills walk the key instead.
_CHANGING_FUNCTIONS = frozenset(
    """now clock_timestamp statement_timestamp transaction_timestamp timeofday random
    gen_random_uuid uuid_generate_v1 uuid_generate_v1mc uuid_generate_v4 nextval txid_current""".split()
)
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "^"})


class StatementParts(NamedTuple):
    head: str  # the statement up to RETURNING (it has no WHERE)
    relation: str  # the target as written: 'ONLY "User" AS u'
    assignments: tuple[tuple[str, str], ...]  # UPDATE: (column, expression) as written
    joins: bool  # UPDATE ... FROM or DELETE ... USING: the key must be qualified


def statement_parts(text: str, kind: str) -> StatementParts | None:
    """Split the text of an UPDATE or DELETE without WHERE; None where the tokens surprise us."""
    try:
        tokens = [t for t in pg_parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    except pg_parser.ParseError:
        return None
    top: list[tuple[int, str, int, int]] = []  # depth-0 tokens: (index, name, start, end exclusive)
    depth = 0
    for number, token in enumerate(tokens):
        if token.name in ("ASCII_40", "ASCII_91"):
            depth += 1
        elif token.name in ("ASCII_41", "ASCII_93"):
            depth -= 1
        elif depth == 0:
            top.append((number, token.name, token.start, token.end + 1))
    names = [t[1] for t in top]
    verb, after = ("UPDATE", ("SET",)) if kind == "UpdateStmt" else ("DELETE_P", ("USING", "RETURNING"))
    if verb not in names:
        return None
    at = names.index(verb) + (1 if kind == "UpdateStmt" else 2)  # DELETE FROM
    relation_end = next((k for k in range(at, len(top)) if names[k] in after), len(top))
    returning = next((k for k in range(at, len(top)) if names[k] == "RETURNING"), len(top))
    head_end = top[returning][2] if returning < len(top) else len(text)
    relation_stop = top[relation_end][2] if relation_end < len(top) else head_end
    relation = text[top[at - 1][3] : relation_stop].strip()
    assignments: list[tuple[str, str]] = []
    if kind == "UpdateStmt":
        if relation_end == len(top):
            return None
        stop = next((k for k in range(relation_end + 1, len(top)) if names[k] in ("FROM", "RETURNING")), len(top))
        end = top[stop][2] if stop < len(top) else len(text)
        cuts = [top[k][2] for k in range(relation_end + 1, stop) if names[k] == "ASCII_44"]
        starts = [top[relation_end][3], *(c + 1 for c in cuts)]
        for start, piece_end in zip(starts, [*cuts, end]):
            column, equals, expression = text[start:piece_end].partition("=")
            if not equals:
                return None
            assignments.append((column.strip(), expression.strip()))
    joins = any(name in ("FROM", "USING") for name in names[relation_end:returning]) if kind == "UpdateStmt" else (
        relation_end < len(top) and names[relation_end] == "USING"
    )
    return StatementParts(text[:head_end].rstrip(), relation, tuple(assignments), joins)


def settles(targets: list[Node]) -> bool:
    """True when re-running the SET on an updated row changes nothing, so IS DISTINCT FROM can tell done rows."""
    columns = {str(t.get("name", "")) for t in targets}
    for target in targets:
        if target.get("indirection"):
            return False
        for kind, body in walk(target.get("val", {})):
            if kind in ("SQLValueFunction", "SetToDefault", "MultiAssignRef", "ParamRef"):
                return False
            if kind == "FuncCall" and string_value(body["funcname"][-1]).lower() in _CHANGING_FUNCTIONS:
                return False
            # Arithmetic can yield a value the column rounds on storage (numeric into integer,
            # microseconds into TIMESTAMP(3)): stored and computed would differ for ever.
            if kind == "A_Expr" and {string_value(n) for n in body.get("name", [])} & _ARITHMETIC:
                return False
            if kind == "ColumnRef":
                fields = body.get("fields", [])
                if fields and "String" in fields[-1] and string_value(fields[-1]) in columns:
                    return False
    return True


def batched(parts: StatementParts, key_owner: str, settled: bool, key: str = "id") -> list[str]:
    """SQL comment lines and the batched statement: one batch per run, repeated until 0 rows."""
    pk = '"' + key.replace('"', '""') + '"'
    outer = f"{key_owner}.{pk}" if parts.joins else pk
    if parts.assignments and settled and not parts.joins:
        pending = " OR ".join(f"{column} IS DISTINCT FROM {_grouped(value)}" for column, value in parts.assignments)
        inner = f"SELECT {pk} FROM {parts.relation} WHERE {pending} LIMIT {BATCH_SIZE}"
        return ["-- repeat until it updates 0 rows", f"{parts.head} WHERE {outer} IN ({inner});"]
    if parts.assignments:
        inner = f"SELECT {pk} FROM {parts.relation} WHERE {pk} > $1 ORDER BY {pk} LIMIT {BATCH_SIZE}"
        return [
            f"-- $1: the last {pk} of the previous batch (below the smallest at first); repeat until it updates 0 rows",
            f"{parts.head} WHERE {outer} IN ({inner}) RETURNING {outer};",
        ]
    inner = f"SELECT {pk} FROM {parts.relation} LIMIT {BATCH_SIZE}"
    return ["-- repeat until it deletes 0 rows", f"{parts.head} WHERE {outer} IN ({inner});"]


def key_owner(relation: Node) -> str:
    """How the target's columns are qualified inside its own statement: its alias, else its name."""
    alias = relation.get("alias", {}).get("aliasname")
    return quote_ident(alias or relation.get("relname", ""))


_BINDS_LOOSER = frozenset(
    """AND OR NOT IS ISNULL NOTNULL BETWEEN IN_P LIKE ILIKE SIMILAR Op LESS_EQUALS GREATER_EQUALS
    NOT_EQUALS COLLATE AT""".split()
)


def _grouped(expression: str) -> str:
    """The expression, in parentheses where an operator in it would bind looser than IS DISTINCT FROM."""
    try:
        tokens = pg_parser.scan(expression)
    except pg_parser.ParseError:
        return f"({expression})"
    depth = 0
    for token in tokens:
        if token.name in ("ASCII_40", "ASCII_91"):
            depth += 1
        elif token.name in ("ASCII_41", "ASCII_93"):
            depth -= 1
        elif depth == 0 and (
            token.name in _BINDS_LOOSER or (token.name.startswith("ASCII_") and token.name != "ASCII_46")
        ):
            return f"({expression})"
    return expression
