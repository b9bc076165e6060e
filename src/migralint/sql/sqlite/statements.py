"""One SQLite statement, read into the statement model.

Locks: SQLite locks the database file, not tables. A statement that writes takes the RESERVED
lock, which excludes every other writer until the transaction ends (sqlite.org/lockingv3.html;
in WAL mode readers go on, sqlite.org/wal.html), so each table a statement writes is reported
with Blocks.WRITES under that one lock's name, and the slow part done under it as its `work`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlglot import exp

from migralint.sql import ir
from migralint.sql.sqlite.columns import Name, column_foreign_keys, column_of, columns_of, foreign_keys, identifier, table_name

WRITE_LOCK = "the database's write lock"

_PRAGMA = re.compile(
    r"PRAGMA\s+(?:[\w\"`\[\]]+\s*\.\s*)?[\"`\[]?(\w+)[\"`\]]?\s*(?:=\s*(.*?)|\(\s*(.*?)\s*\))?\s*\Z", re.I | re.S
)
_TRIGGER_TABLE = re.compile(r"\bON\s+([\"`\[]?)([\w.]+)[\"`\]]?", re.I)


class Reading(NamedTuple):
    kind: ir.Kind
    tables: tuple[ir.TableName, ...] = ()
    events: tuple[ir.Event, ...] = ()
    locks: tuple[ir.LockTaken, ...] = ()
    tx: ir.Tx | None = None
    understood: bool = True
    setting: ir.Setting | None = None


def transaction(words: tuple[str, ...]) -> ir.Tx | None:
    """BEGIN, COMMIT/END, ROLLBACK [TO], SAVEPOINT, RELEASE (sqlite.org/lang_transaction.html),
    read from the words: sqlglot takes `END` and `SAVEPOINT x` for column aliases."""
    first = words[0] if words else ""
    if first == "BEGIN" and (len(words) == 1 or words[1] in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE", "TRANSACTION")):
        return ir.Tx.BEGIN
    if first in ("COMMIT", "END") and (len(words) == 1 or words[1] == "TRANSACTION"):
        return ir.Tx.COMMIT
    if first == "ROLLBACK":
        return ir.Tx.ROLLBACK_TO if "TO" in words[1:3] else ir.Tx.ROLLBACK
    if first == "SAVEPOINT":
        return ir.Tx.SAVEPOINT
    if first == "RELEASE":
        return ir.Tx.RELEASE
    return None


def pragma(text: str) -> ir.Setting | None:
    match = _PRAGMA.match(text)
    if match is None:
        return None
    value = match.group(2) if match.group(2) is not None else (match.group(3) or "")
    return ir.Setting(match.group(1).lower(), value.strip().strip("'\"`"))


def trigger(text: str) -> Reading:
    """CREATE TRIGGER: its body runs later, when fired; creating it only writes the schema."""
    head = text.split("BEGIN", 1)[0] if "BEGIN" in text else text
    match = _TRIGGER_TABLE.search(head)
    tables = (ir.TableName("", Name(match.group(2).split(".")[-1])),) if match else ()
    return Reading(ir.Kind.CREATE_OTHER, tables)


def read(node: exp.Expression, sql: str) -> Reading:
    """`node` as sqlglot read `sql`, the statement's text (its positions count from there)."""
    if isinstance(node, exp.Create):
        return _create(node, sql)
    if isinstance(node, exp.Drop):
        return _drop(node)
    if isinstance(node, exp.Alter):
        return _alter(node, sql)
    if isinstance(node, exp.Insert):
        return _insert(node)
    if isinstance(node, (exp.Update, exp.Delete)):
        table = table_name(node.this)
        op = "update" if isinstance(node, exp.Update) else "delete"
        all_rows = node.args.get("where") is None
        work = ir.Work.BACKFILL if all_rows and op == "update" else None
        kind = ir.Kind.UPDATE if op == "update" else ir.Kind.DELETE
        return Reading(kind, (table,), (ir.DataChange(table, op, all_rows),), (_lock(table, work),))
    if isinstance(node, (exp.Select, exp.Union)):
        return Reading(ir.Kind.SELECT)
    return Reading(ir.Kind.OTHER, understood=False)


def _lock(table: ir.TableName, work: ir.Work | None = None) -> ir.LockTaken:
    return ir.LockTaken(table, ir.Blocks.WRITES, WRITE_LOCK, work)


def _create(node: exp.Create, sql: str) -> Reading:
    kind = str(node.args.get("kind") or "").upper()
    if kind == "TABLE":
        table = table_name(node.this)
        if node.args.get("expression") is not None:  # CREATE TABLE ... AS SELECT
            event: ir.CreateTable = ir.CreateTable(table, (), from_query=True)
            return Reading(ir.Kind.CREATE_TABLE, (table,), (event,), (_lock(table, ir.Work.COPY),))
        events: tuple[ir.Event, ...] = (ir.CreateTable(table, columns_of(node.this, sql)), *foreign_keys(node, table))
        return Reading(ir.Kind.CREATE_TABLE, (table,), events, (_lock(table),))
    if kind == "INDEX":
        index = node.this
        table = table_name(index.args.get("table"))
        params = index.args.get("params")
        keys = tuple(identifier(c.this if isinstance(c, exp.Ordered) else c) for c in (params.args.get("columns") or ())) if params else ()
        created = ir.CreateIndex(table, identifier(index.this) or None, keys, unique=bool(node.args.get("unique")))
        return Reading(ir.Kind.CREATE_INDEX, (table,), (created,), (_lock(table, ir.Work.INDEX_BUILD),))
    return Reading(ir.Kind.CREATE_OTHER, (table_name(node.this),))


def _drop(node: exp.Drop) -> Reading:
    kind = str(node.args.get("kind") or "").upper()
    names = [table_name(t) for t in node.args.get("tables") or ([node.this] if node.this else [])]
    if kind == "TABLE":
        return Reading(ir.Kind.DROP_TABLE, tuple(names), tuple(ir.DropTable(n) for n in names), tuple(_lock(n) for n in names))
    if kind == "INDEX":
        return Reading(ir.Kind.DROP_INDEX, (), tuple(ir.DropIndex(n) for n in names))
    return Reading(ir.Kind.DROP_OTHER, (), tuple(ir.DropObject(kind.lower(), n) for n in names))


def _alter(node: exp.Alter, sql: str) -> Reading:
    table = table_name(node.this)
    events: list[ir.Event] = []
    work: ir.Work | None = None
    for action in node.args.get("actions") or ():
        if isinstance(action, exp.AlterRename):
            events.append(ir.RenameTable(table, table_name(action.this)))
        elif isinstance(action, exp.ColumnDef):
            events.append(ir.AddColumn(table, column_of(action, sql)))
            events.extend(column_foreign_keys(action, table))
        elif isinstance(action, exp.RenameColumn):
            events.append(ir.RenameColumn(table, identifier(action.this), identifier(action.args.get("to"))))
        elif isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() == "COLUMN":
            events.extend(ir.DropColumn(table, identifier(c)) for c in action.args.get("tables") or ())
            # DROP COLUMN rewrites every row to take the column's value out
            # (sqlite.org/lang_altertable.html#altertabdropcol).
            work = ir.Work.REWRITE
        elif _bare_drop(action):
            # `DROP name`: COLUMN is optional in SQLite's grammar; sqlglot leaves it a Command.
            events.append(ir.DropColumn(table, Name(_command_text(action).strip().strip("\"`[]"))))
            work = ir.Work.REWRITE
        else:
            return Reading(ir.Kind.ALTER_TABLE, (table,), tuple(events), (_lock(table),), understood=False)
    return Reading(ir.Kind.ALTER_TABLE, (table,), tuple(events), (_lock(table, work),))


def _bare_drop(action: exp.Expression) -> bool:
    if not isinstance(action, exp.Command) or str(action.this).upper() != "DROP":
        return False
    return re.fullmatch(r"\s*(\w+|\"[^\"]+\"|`[^`]+`|\[[^\]]+\])\s*", _command_text(action)) is not None


def _command_text(command: exp.Expression) -> str:
    rest = command.args.get("expression")
    return str(rest.this) if isinstance(rest, exp.Literal) else str(rest or "")


def _insert(node: exp.Insert) -> Reading:
    target = node.this
    columns: tuple[str, ...] = ()
    if isinstance(target, exp.Schema):
        columns = tuple(identifier(c) for c in target.expressions)
    table = table_name(target)
    query = node.args.get("expression")
    source = _single_source(query)
    if source is None or not isinstance(query, exp.Select):
        return Reading(ir.Kind.INSERT, (table,), (ir.DataChange(table, "insert"),), (_lock(table),))
    source_columns = tuple(_source_column(e) for e in query.expressions)
    change = ir.DataChange(table, "insert", source=source, columns=columns, source_columns=source_columns)
    return Reading(ir.Kind.INSERT, (table, source), (change,), (_lock(table, ir.Work.COPY),))


def _single_source(query: object) -> ir.TableName | None:
    """The table an INSERT's SELECT copies rows from: the first of its FROM. A WHERE (homarr
    splits one copy in two) or a JOIN that adds a column (kratos) still copies that table."""
    if not isinstance(query, exp.Select):
        return None
    from_ = query.args.get("from_") or query.args.get("from")
    if not isinstance(from_, exp.From) or not isinstance(from_.this, exp.Table):
        return None
    return table_name(from_.this)


def _source_column(selected: exp.Expression) -> str:
    if isinstance(selected, exp.Star):
        return "*"
    if isinstance(selected, exp.Alias) and isinstance(selected.this, exp.Column):
        selected = selected.this
    if isinstance(selected, exp.Column):
        return "*" if isinstance(selected.this, exp.Star) else Name(selected.name)
    if isinstance(selected, exp.Alias):
        selected = selected.this
    # coalesce("c", 0), CAST("c" AS TEXT): Prisma's and drizzle's copies of one column that
    # becomes required or changes type still read that one column.
    read = {Name(c.name) for c in selected.find_all(exp.Column) if not isinstance(c.this, exp.Star)}
    return read.pop() if len(read) == 1 else ""
