"""One parsed MySQL statement as the model: its kind, tables, events, locks and commit."""

from __future__ import annotations

from dataclasses import replace

from sqlglot import exp
from sqlglot.tokenizer_core import Token

from migralint.sql import ir
from migralint.sql.mysql import online_ddl as ddl
from migralint.sql.mysql.alter import read_alter
from migralint.sql.mysql.readings import AlterReading, Clause, MySqlNode
from migralint.sql.mysql.columns import column_of, identifier, table_name
from migralint.sql.mysql.commands import CommandReading, read_command

# Statements that commit the transaction before and after they run (MySQL manual 15.3.3,
# "Statements That Cause an Implicit Commit"): the data definition statements among those
# read here.
_DDL_KINDS = frozenset({
    ir.Kind.CREATE_TABLE, ir.Kind.ALTER_TABLE, ir.Kind.DROP_TABLE, ir.Kind.RENAME_TABLE, ir.Kind.CREATE_INDEX,
    ir.Kind.DROP_INDEX, ir.Kind.CREATE_OTHER, ir.Kind.ALTER_OTHER, ir.Kind.DROP_OTHER, ir.Kind.TRUNCATE,
})
_TX = {"BEGIN": ir.Tx.BEGIN, "START": ir.Tx.BEGIN, "COMMIT": ir.Tx.COMMIT, "ROLLBACK": ir.Tx.ROLLBACK,
       "SAVEPOINT": ir.Tx.SAVEPOINT, "RELEASE": ir.Tx.RELEASE}
_ALL_BLOCKED = ir.Blocks.DDL | ir.Blocks.WRITES | ir.Blocks.READS


def build(
    index: int, node: exp.Expression | None, tokens: list[Token], text: str, server: ddl.Server,
    *, unparsed: bool = False,
) -> ir.Statement:
    """The statement of `tokens`; `unparsed`: sqlglot refused it, read it as a Command."""
    start, end = tokens[0].start, tokens[-1].end + 1
    body = text[start:end]
    base = ir.Statement(index, ir.Kind.OTHER, start, end, node_type=type(node).__name__ if node else "")
    if unparsed:
        return _command(_with(base, node_type="ParseError"), read_command(body), None, body)
    if node is None:
        return _with(base, understood=False, raw=MySqlNode(None, None, body))
    if isinstance(node, exp.Command):
        return _command(base, read_command(body), node, body)
    if isinstance(node, exp.Alter) and (node.args.get("kind") or "").upper() == "TABLE":
        table = table_name(node.this)
        reading = read_alter(node, table, tokens, server)
        events = tuple(e for clause in reading.clauses for e in clause.events)
        spans = tuple(clause.span or (start, end) for clause in reading.clauses for _ in clause.events)
        # No cost: ALGORITHM= / LOCK= assert less than the change needs, and MySQL refuses it at
        # once rather than copy; either way writes go on.
        alter_locks = (ddl.lock_of(table, reading.cost if reading.cost is not None else ddl.INSTANT),)
        understood = all(c.cost.kind != "" or c.events or c.cost.algorithm is not ddl.Algorithm.COPY
                         for c in reading.clauses)
        return _with(base, kind=ir.Kind.ALTER_TABLE, tables=(table,), events=events, event_spans=spans,
                     locks=alter_locks, implicit_commit=True, understood=understood, raw=MySqlNode(node, reading, body))
    kind, tables, events, locks = _shape(node)
    tx = _TX.get(body.split(None, 1)[0].upper()) if kind is ir.Kind.TRANSACTION else None
    return _with(base, kind=kind, tables=tables, events=events, locks=locks, tx=tx,
                 implicit_commit=kind in _DDL_KINDS, raw=MySqlNode(node, None, body))


def _with(base: ir.Statement, **changes: object) -> ir.Statement:
    return replace(base, **changes)  # type: ignore[arg-type]


def _command(base: ir.Statement, reading: CommandReading, node: exp.Command | None, body: str) -> ir.Statement:
    locks: tuple[ir.LockTaken, ...] = ()
    alter = None
    if reading.tables:
        cost = reading.cost
        locks = tuple(ddl.lock_of(t, cost if cost is not None else ddl.INSTANT) for t in reading.tables)
        clause_cost = cost if cost is not None else ddl.INSTANT
        alter = AlterReading(reading.tables[0], (Clause(reading.events, clause_cost, None),), reading.algorithm,
                             reading.lock, cost)
    first = body.split(None, 1)[0].upper() if body.strip() else ""
    kind = reading.kind
    if kind is ir.Kind.OTHER and first in ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"):
        kind = {"CREATE": ir.Kind.CREATE_OTHER, "ALTER": ir.Kind.ALTER_OTHER, "DROP": ir.Kind.DROP_OTHER,
                "RENAME": ir.Kind.RENAME_TABLE, "TRUNCATE": ir.Kind.TRUNCATE}[first]
    return _with(base, kind=kind, tables=reading.tables, events=reading.events, locks=locks,
                 implicit_commit=kind in _DDL_KINDS or first in ("OPTIMIZE",), understood=reading.understood,
                 raw=MySqlNode(node, alter, body))


def _shape(
    node: exp.Expression,
) -> tuple[ir.Kind, tuple[ir.TableName, ...], tuple[ir.Event, ...], tuple[ir.LockTaken, ...]]:
    if isinstance(node, exp.Create):
        what = (node.args.get("kind") or "").upper()
        if what == "TABLE":
            table = table_name(node.this)
            schema = node.this if isinstance(node.this, exp.Schema) else None
            columns = tuple(column_of(c) for c in (schema.expressions if schema else []) if isinstance(c, exp.ColumnDef))
            from_query = node.args.get("expression") is not None
            return ir.Kind.CREATE_TABLE, (table,), (ir.CreateTable(table, columns, from_query),), ()
        if what == "INDEX":
            index = node.this
            table = table_name(index.args.get("table")) if isinstance(index, exp.Index) else ir.TableName("", "")
            params = index.args.get("params") if isinstance(index, exp.Index) else None
            indexed = tuple(identifier(c.this) if isinstance(c, exp.Ordered) else identifier(c)
                            for c in (params.args.get("columns") or [] if params is not None else []))
            unique = bool(node.args.get("unique"))
            event = ir.CreateIndex(table, identifier(index.this) or None, indexed, unique, True)
            lock = ir.LockTaken(table, ir.Blocks.DDL, ddl.MDL, ir.Work.INDEX_BUILD)
            return ir.Kind.CREATE_INDEX, (table,), (event,), (lock,)
        return ir.Kind.CREATE_OTHER, (), (), ()
    if isinstance(node, exp.Drop):
        what = (node.args.get("kind") or "").upper()
        names = [table_name(t) for t in node.args.get("tables") or []] or [table_name(node.this)]
        if what == "TABLE":
            locks = tuple(ir.LockTaken(t, _ALL_BLOCKED, ddl.MDL) for t in names)
            return ir.Kind.DROP_TABLE, tuple(names), tuple(ir.DropTable(t) for t in names), locks
        if what == "INDEX":
            on = node.args.get("cluster")
            owner = table_name(on.this) if isinstance(on, exp.OnProperty) else None
            events = tuple(ir.DropIndex(ir.TableName(owner.schema if owner else "", n.name), owner, True) for n in names)
            index_locks = (ir.LockTaken(owner, ir.Blocks.DDL, ddl.MDL),) if owner is not None else ()
            return ir.Kind.DROP_INDEX, (owner,) if owner else (), events, index_locks
        return ir.Kind.DROP_OTHER, (), tuple(ir.DropObject(what.lower(), n) for n in names), ()
    if isinstance(node, (exp.Insert, exp.Update, exp.Delete)):
        return _data_change(node)
    if isinstance(node, exp.TruncateTable):
        names = [table_name(t) for t in node.expressions]
        return (ir.Kind.TRUNCATE, tuple(names), tuple(ir.DataChange(t, "truncate", True) for t in names),
                tuple(ir.LockTaken(t, _ALL_BLOCKED, ddl.MDL) for t in names))
    if isinstance(node, (exp.Select, exp.Union)):
        return ir.Kind.SELECT, (), (), ()
    if isinstance(node, exp.Set):
        return ir.Kind.SET, (), (), ()
    if isinstance(node, (exp.Transaction, exp.Commit, exp.Rollback)):
        return ir.Kind.TRANSACTION, (), (), ()
    if isinstance(node, exp.Alter):
        return ir.Kind.ALTER_OTHER, (), (), ()
    return ir.Kind.OTHER, (), (), ()


def _data_change(
    node: exp.Insert | exp.Update | exp.Delete,
) -> tuple[ir.Kind, tuple[ir.TableName, ...], tuple[ir.Event, ...], tuple[ir.LockTaken, ...]]:
    target = node.this
    if isinstance(target, exp.Schema):
        target = target.this
    table = table_name(target) if isinstance(target, exp.Table) else ir.TableName("", "")
    op = {exp.Insert: "insert", exp.Update: "update", exp.Delete: "delete"}[type(node)]
    all_rows = op != "insert" and node.args.get("where") is None and node.args.get("limit") is None
    kind = {"insert": ir.Kind.INSERT, "update": ir.Kind.UPDATE, "delete": ir.Kind.DELETE}[op]
    locks: tuple[ir.LockTaken, ...] = ()
    if op != "insert":
        work = ir.Work.BACKFILL if all_rows else None
        locks = (ir.LockTaken(table, ir.Blocks.WRITES, "row locks on the rows it changes", work),)
    return kind, (table,), (ir.DataChange(table, op, all_rows),), locks
