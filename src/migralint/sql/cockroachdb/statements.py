"""One CockroachDB statement to the statement model: pglast's tree when PostgreSQL's grammar
takes it, else the tree of its same-length rewrite (`rewrite` in this package), corrected where
the rewrite alone would say something else than the statement does."""

from __future__ import annotations

import dataclasses
import json
import re
from migralint.sql import ir
from migralint.sql.cockroachdb import Rewrite, classify, rewrite
from migralint.sql.lean_pglast import load_parser
from migralint.sql.postgres.model import build_statement
from migralint.sql.postgres.nodes import DEFAULT_SCHEMA, Node, string_value, unwrap, walk


# Statement kinds a `table@index` rewrite leaves true: an index named through its table only
# names it (DROP INDEX t@i is fixed below); elsewhere (UPDATE t@i SET ...) the rewrite would read
# "table i of schema t", so such a statement is not understood.
_INDEX_NAMING = frozenset({"DropStmt", "SelectStmt", "RenameStmt", "AlterTableStmt", "IndexStmt", "CommentStmt"})

_FIRST_WORDS = re.compile(r"[A-Za-z_]+")
_VERBS = {
    "INSERT": ir.Kind.INSERT, "UPSERT": ir.Kind.INSERT, "UPDATE": ir.Kind.UPDATE, "DELETE": ir.Kind.DELETE,
    "SELECT": ir.Kind.SELECT, "SET": ir.Kind.SET, "TRUNCATE": ir.Kind.TRUNCATE,
}


def statement_of(index: int, sql: str, start: int) -> tuple[ir.Statement, ir.SyntaxProblem | None]:
    """The model of `sql`, which starts at character `start` of its file, and the syntax error
    in it when it is not CockroachDB."""
    load_parser()  # lean: sql/lean_pglast.py
    from pglast import parser as pg_parser

    end = start + len(sql)
    try:
        tree = json.loads(pg_parser.parse_sql_json(sql))
    except pg_parser.ParseError:
        tree = None
    if tree is not None:
        node_kind, node = _only_statement(tree)
        if node_kind is None:
            return _not_understood(index, sql, start), None
        return build_statement(index, node_kind, node, start, end, pg_lock_list=()), None
    verdict = classify(sql)
    if not verdict.cockroach:
        problem = ir.SyntaxProblem(verdict.error, start + max(verdict.offset, 0))
        return dataclasses.replace(_not_understood(index, sql, start), node_type="ParseError"), problem
    rewritten = rewrite(sql)
    try:
        node_kind, node = _only_statement(json.loads(pg_parser.parse_sql_json(rewritten.text)))
    except pg_parser.ParseError:  # a statement of CockroachDB's own (UPSERT, CONFIGURE ZONE...)
        node_kind, node = None, {}
    if node_kind is None or ("table@index" in rewritten.constructs and node_kind not in _INDEX_NAMING):
        return _not_understood(index, sql, start), None
    statement = build_statement(index, node_kind, node, start, end, pg_lock_list=())
    return _corrected(statement, node, rewritten, sql), None


def _only_statement(tree: Node) -> tuple[str | None, Node]:
    statements = tree.get("stmts", [])
    if len(statements) != 1:
        return None, {}
    ((node_kind, node),) = statements[0]["stmt"].items()
    return node_kind, node


def _not_understood(index: int, sql: str, start: int) -> ir.Statement:
    words = tuple(w.upper() for w in _FIRST_WORDS.findall(sql[:200])[:4])
    return ir.Statement(index, _kind_from_words(words), start, start + len(sql), understood=False, node_type="Command")


def _kind_from_words(words: tuple[str, ...]) -> ir.Kind:
    from migralint.sql.words import kind_of as kind_of_words

    return kind_of_words(words, _VERBS)


def _corrected(statement: ir.Statement, node: Node, rewritten: Rewrite, sql: str) -> ir.Statement:
    events = list(statement.events)
    if "ALTER PRIMARY KEY" in rewritten.constructs:
        events = [
            ir.OtherTableChange(e.table, ir.ALTER_PRIMARY_KEY)
            if isinstance(e, ir.AddConstraint) and e.kind is ir.ConstraintKind.PRIMARY_KEY else e
            for e in events
        ]
    if "table@index" in rewritten.constructs and statement.node_type == "DropStmt":
        events = _dropped_through_table(node, events)
    computed = [start for name, start, _ in rewritten.spans if name == "computed column AS (...)"]
    if computed:
        events = _computed_columns(node, events, computed, sql)
    tables = tuple(dict.fromkeys(
        t for e in events for t in (getattr(e, "table", None), getattr(e, "references", None)) if isinstance(t, ir.TableName)
    ))
    return dataclasses.replace(statement, events=tuple(events), tables=tables or statement.tables,
                               event_spans=statement.event_spans if len(statement.event_spans) == len(events) else ())


def _dropped_through_table(node: Node, events: list[ir.Event]) -> list[ir.Event]:
    """DROP INDEX [schema.]table@index, read by the rewrite as [catalog.]schema.index: the index
    and its table are set right."""
    names = []
    for obj in node.get("objects", []):
        items = unwrap(obj)[1].get("items", []) if isinstance(obj, dict) else []
        names.append([string_value(i) for i in items])
    drops = [e for e in events if isinstance(e, ir.DropIndex)]
    if len(drops) != len(names):
        return events
    fixed: dict[int, ir.Event] = {}
    for event, parts in zip(drops, names):
        if len(parts) < 2:
            continue
        schema = parts[-3] if len(parts) >= 3 else DEFAULT_SCHEMA
        fixed[id(event)] = ir.DropIndex(ir.TableName(schema, parts[-1]), ir.TableName(schema, parts[-2]), event.online)
    return [fixed.get(id(e), e) for e in events]


def _computed_columns(node: Node, events: list[ir.Event], offsets: list[int], sql: str) -> list[ir.Event]:
    """`c INT AS (expr) STORED`, blanked by the rewrite to `c INT`: the column is computed, never
    NULL for want of a value, and a STORED one is written for every row."""
    byte_offsets = {len(sql[:o].encode("utf-8")): o for o in offsets}
    defs = sorted((d.get("location", -1), str(d.get("colname", ""))) for kind, d in walk(node) if kind == "ColumnDef")
    generated: dict[str, bool] = {}
    for at, char_at in byte_offsets.items():
        before = [name for location, name in defs if 0 <= location < at]
        if before:
            generated[before[-1]] = _stored(sql, char_at)
    if not generated:
        return events

    def column(c: ir.Column) -> ir.Column:
        if c.name not in generated:
            return c
        return dataclasses.replace(c, generated=True, generated_stored=generated[c.name])

    result: list[ir.Event] = []
    for event in events:
        if isinstance(event, ir.AddColumn):
            result.append(ir.AddColumn(event.table, column(event.column)))
        elif isinstance(event, ir.CreateTable):
            result.append(dataclasses.replace(event, columns=tuple(column(c) for c in event.columns)))
        else:
            result.append(event)
    return result


def _stored(sql: str, at: int) -> bool:
    match = re.compile(r"AS\s*\((?:[^()]|\([^()]*\))*\)\s*(STORED|VIRTUAL)", re.I).match(sql, at)
    return bool(match and match.group(1).upper() == "STORED")

