"""Names a statement defines, and the identifiers in its text longer than PostgreSQL keeps.

PostgreSQL truncates every identifier to NAMEDATALEN - 1 = 63 bytes while it scans the SQL,
so the parse tree already holds the short form: the full name, and where it is, come from
the scanner's tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from migralint.linter import lazy_parser as pg_parser
from migralint.sql.postgres.nodes import Node, column_constraints, string_value, unwrap

MAX_NAME_BYTES = 63


def clip(name: str) -> str:
    """`name` as PostgreSQL stores it: at most 63 bytes of UTF-8, never half a character."""
    return name.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", errors="ignore")


def byte_length(name: str) -> int:
    return len(name.encode("utf-8"))


class Token(NamedTuple):
    start: int  # character offset in the text that was scanned
    end: int  # exclusive
    value: str  # the identifier as PostgreSQL reads it (quotes removed, unquoted folded)
    kind: str  # "identifier" or "string"


def long_tokens(text: str) -> list[Token]:
    """Identifiers and string constants in `text` longer than 63 bytes."""
    try:
        tokens = pg_parser.scan(text)
    except pg_parser.ParseError:
        return []
    result = []
    for token in tokens:
        if token.name not in ("IDENT", "SCONST") or token.end + 1 - token.start <= MAX_NAME_BYTES // 4:
            continue  # 63 bytes take at least 16 characters
        raw = text[token.start : token.end + 1]
        if token.name == "IDENT":
            value, kind = _identifier(raw), "identifier"
        elif raw.startswith("'") and raw.endswith("'"):
            value, kind = raw[1:-1].replace("''", "'"), "string"
        else:
            continue  # E'', $$ $$ and the like: not enum labels written the usual way
        if byte_length(value) > MAX_NAME_BYTES:
            result.append(Token(token.start, token.end + 1, value, kind))
    return result


def _identifier(raw: str) -> str:
    if raw.startswith('"'):
        return raw[1:-1].replace('""', '"')
    # PostgreSQL folds only ASCII letters of an unquoted identifier in a UTF-8 database.
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in raw)


def defined_names(kind: str, node: Node) -> Iterator[tuple[str, str]]:
    """(what, name) for each name `node` defines: ("table", "User"), ("column", "email")...

    Names are as the parse tree holds them, that is already clipped to 63 bytes.
    """
    if kind == "CreateStmt":
        yield "table", node["relation"].get("relname", "")
        yield from _table_elements(node.get("tableElts", []))
    elif kind == "CreateTableAsStmt":
        into = node.get("into", {})
        yield ("materialized view" if node.get("objtype") == "OBJECT_MATVIEW" else "table"), into.get("rel", {}).get(
            "relname", ""
        )
        yield from (("column", string_value(c)) for c in into.get("colNames", []))
    elif kind == "ViewStmt":
        yield "view", node["view"].get("relname", "")
        yield from (("column", string_value(c)) for c in node.get("aliases", []))
    elif kind == "IndexStmt" and node.get("idxname"):
        yield "index", node["idxname"]
    elif kind == "AlterTableStmt":
        for cmd in (unwrap(c)[1] for c in node.get("cmds", [])):
            if cmd.get("def") and cmd.get("subtype") in ("AT_AddColumn", "AT_AddConstraint"):
                yield from _table_elements([cmd["def"]])
    elif kind == "RenameStmt" and node.get("newname"):
        yield _RENAMED.get(node.get("renameType", ""), "new name"), node["newname"]
    elif kind in ("CreateEnumStmt", "CreateRangeStmt"):
        yield "type", _last(node.get("typeName", []))
    elif kind == "CompositeTypeStmt":
        yield "type", node["typevar"].get("relname", "")
        yield from _table_elements(node.get("coldeflist", []))
    elif kind == "DefineStmt" and node.get("kind") == "OBJECT_TYPE":
        yield "type", _last(node.get("defnames", []))
    elif kind == "CreateDomainStmt":
        yield "domain", _last(node.get("domainname", []))
        yield from _constraint_names(unwrap(c)[1] for c in node.get("constraints", []))
    elif kind == "AlterDomainStmt" and node.get("subtype") == "C" and node.get("def"):
        yield from _constraint_names([unwrap(node["def"])[1]])
    elif kind == "CreateSeqStmt":
        yield "sequence", node["sequence"].get("relname", "")
    elif kind == "CreateFunctionStmt":
        yield ("procedure" if node.get("is_procedure") else "function"), _last(node.get("funcname", []))
    elif kind == "CreateSchemaStmt" and node.get("schemaname"):
        yield "schema", node["schemaname"]
    elif kind == "CreateTrigStmt" and node.get("trigname"):
        yield "trigger", node["trigname"]
    elif kind == "CreatePolicyStmt" and node.get("policy_name"):
        yield "policy", node["policy_name"]


_RENAMED = {
    "OBJECT_TABLE": "table",
    "OBJECT_COLUMN": "column",
    "OBJECT_INDEX": "index",
    "OBJECT_TABCONSTRAINT": "constraint",
    "OBJECT_DOMCONSTRAINT": "constraint",
    "OBJECT_VIEW": "view",
    "OBJECT_MATVIEW": "materialized view",
    "OBJECT_SEQUENCE": "sequence",
    "OBJECT_TYPE": "type",
    "OBJECT_DOMAIN": "domain",
    "OBJECT_FUNCTION": "function",
    "OBJECT_SCHEMA": "schema",
    "OBJECT_TRIGGER": "trigger",
    "OBJECT_POLICY": "policy",
    "OBJECT_ATTRIBUTE": "attribute",
}


def enum_labels(kind: str, node: Node) -> list[str]:
    """Labels a statement gives an enum: PostgreSQL rejects those over 63 bytes."""
    if kind == "CreateEnumStmt":
        return [string_value(v) for v in node.get("vals", [])]
    if kind == "AlterEnumStmt" and node.get("newVal"):
        return [node["newVal"]]
    return []


def _last(names: list[Node]) -> str:
    return string_value(names[-1]) if names else ""


def _table_elements(elements: list[Node]) -> Iterator[tuple[str, str]]:
    for element in elements:
        kind, body = unwrap(element)
        if kind == "ColumnDef":
            yield "column", body.get("colname", "")
            yield from _constraint_names(column_constraints(body))
        elif kind == "Constraint":
            yield from _constraint_names([body])


def _constraint_names(constraints: Iterator[Node] | list[Node]) -> Iterator[tuple[str, str]]:
    for constraint in constraints:
        if constraint.get("conname"):
            yield "constraint", constraint["conname"]
