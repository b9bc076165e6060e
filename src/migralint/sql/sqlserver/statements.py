"""One SQL Server statement, read into the statement model.

Locks (learn.microsoft.com/sql/relational-databases/sql-server-transaction-locking-and-row-
versioning-guide, "Schema locks"): DDL takes a schema-modification (Sch-M) lock on the table,
which "blocks all concurrent access to the table": reads and writes wait until the transaction
that took it ends. Prisma runs the whole file in one transaction, so every Sch-M lock of the
file is held to its COMMIT TRAN. What is slow under it, per statement:

- ALTER COLUMN has three levels: metadata only (a longer varchar, nvarchar or varbinary),
  metadata plus a scan of every row (NULL to NOT NULL, a shorter varchar), and a rebuild of the
  table (another type or size: int to bigint, char(4) to char(6)) (Erland Sommarskog's answer
  on Microsoft Q&A, learn.microsoft.com/en-us/answers/questions/1049402/alter-column; the
  research notes, ../shared/design/dialects-research.md §3.8). Without the column's old type the
  front end cannot tell which, so it says `rewrites=True`: a rule that knows the old type from
  the catalog may clear the widening case.
- ADD column: metadata only when it is nullable, or NOT NULL with a runtime-constant DEFAULT on
  Enterprise edition (2012 and later); otherwise every row is written (same page, "Adding NOT
  NULL columns as an online operation"). The edition is unknown: a NOT NULL column with a
  default is reported as a backfill.
- DROP COLUMN: metadata only; the space is reclaimed later (same page, DROP COLUMN).
- ADD FOREIGN KEY / CHECK (WITH CHECK, the default for a new constraint): every row is checked.
  WITH NOCHECK: `validated=False`. PRIMARY KEY / UNIQUE: an index build.
- CREATE INDEX without ONLINE = ON: a nonclustered index holds a shared (S) lock, which blocks
  writes, for the whole build; a clustered one holds Sch-M. ONLINE = ON (Enterprise) holds
  only an intent lock during the build, Sch-M for a moment at the end
  (learn.microsoft.com/sql/relational-databases/indexes/how-online-index-operations-work).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlglot import exp

from migralint.sql import ir

SCH_M = "a schema-modification (Sch-M) lock"
SHARED = "a shared (S) lock"
ONLINE = "an intent-share lock (Sch-M only at the end)"
# ALTER COLUMN ... WITH (ONLINE = ON), SQL Server 2016+: the rows are copied while reads and writes
# go on; a Sch-M lock is taken only briefly at the end (ALTER TABLE (Transact-SQL), WITH ONLINE).
ONLINE_ALTER = "an online column change's locks (Sch-M only at the end)"
ROW_LOCKS = "exclusive (X) row locks, escalating to the table"
DEFAULT_SCHEMA = "dbo"
_ALL = ir.Blocks.READS | ir.Blocks.WRITES | ir.Blocks.DDL
_ONLINE_ON = re.compile(r"\bONLINE\s*=\s*ON\b", re.I)
_DEFAULT_FOR = re.compile(
    r"(?:CONSTRAINT\s+(?P<name>\[[^\]]+\]|\"[^\"]+\"|\w+)\s+)?DEFAULT\s+(?P<value>.+?)\s+FOR\s+(?P<column>\[[^\]]+\]|\"[^\"]+\"|\w+)\s*(?:,|\Z)",
    re.I | re.S,
)
_TYPE = re.compile(r"[\]\"]?\s*((?:\[\w+\]|\w+)(?:\s*\.\s*(?:\[\w+\]|\w+))?(?:\s*\(\s*(?:max|\d+)\s*(?:,\s*\d+\s*)?\))?)", re.I)
_CONSTRAINT_NAMES = re.compile(r"^(?:PK|FK|DF|UQ|CK)__|_(?:pkey|fkey|key|df|check|idx|index|unique)$", re.I)


class Reading(NamedTuple):
    kind: ir.Kind
    tables: tuple[ir.TableName, ...] = ()
    events: tuple[ir.Event, ...] = ()
    locks: tuple[ir.LockTaken, ...] = ()
    understood: bool = True


def name(node: object) -> str:
    """SQL Server's default collations compare names without regard to case: fold them."""
    if isinstance(node, exp.Identifier):
        return str(node.this).lower()
    if isinstance(node, exp.Expression):
        return node.name.lower()
    return str(node or "").strip().strip("[]\"").lower()


def table_name(node: exp.Expression | None) -> ir.TableName:
    if isinstance(node, exp.Schema):
        node = node.this
    if not isinstance(node, exp.Table):
        return ir.TableName(DEFAULT_SCHEMA, name(node))
    return ir.TableName(node.db.lower() or DEFAULT_SCHEMA, node.name.lower())


def sch_m(table: ir.TableName, work: ir.Work | None = None) -> ir.LockTaken:
    return ir.LockTaken(table, _ALL, SCH_M, work)


def read(node: exp.Expression, sql: str) -> Reading:
    if isinstance(node, exp.Create):
        return _create(node, sql)
    if isinstance(node, exp.Drop):
        return _drop(node)
    if isinstance(node, exp.Alter):
        return _alter(node, sql)
    if isinstance(node, (exp.Insert, exp.Update, exp.Delete)):
        target = node.this
        table = table_name(target)
        op = type(node).__name__.lower()
        all_rows = not isinstance(node, exp.Insert) and node.args.get("where") is None
        work = ir.Work.BACKFILL if all_rows and op == "update" else None
        kind = {"insert": ir.Kind.INSERT, "update": ir.Kind.UPDATE, "delete": ir.Kind.DELETE}[op]
        lock = ir.LockTaken(table, ir.Blocks.WRITES, ROW_LOCKS, work)
        return Reading(kind, (table,), (ir.DataChange(table, op, all_rows),), (lock,))
    if isinstance(node, (exp.Select, exp.Union)):
        return Reading(ir.Kind.SELECT)
    return Reading(ir.Kind.OTHER, understood=False)


def _create(node: exp.Create, sql: str) -> Reading:
    kind = str(node.args.get("kind") or "").upper()
    if kind == "TABLE":
        table = table_name(node.this)
        if node.args.get("expression") is not None:
            return Reading(ir.Kind.CREATE_TABLE, (table,), (ir.CreateTable(table, (), from_query=True),), (sch_m(table, ir.Work.COPY),))
        schema = node.this
        columns = tuple(_column(c, sql) for c in schema.expressions if isinstance(c, exp.ColumnDef)) if isinstance(schema, exp.Schema) else ()
        events: list[ir.Event] = [ir.CreateTable(table, columns)]
        if isinstance(schema, exp.Schema):
            events.extend(e for c in schema.expressions if isinstance(c, exp.Constraint) for e in _constraint(table, c, True))
        return Reading(ir.Kind.CREATE_TABLE, (table,), tuple(events), (sch_m(table),))
    if kind.endswith("INDEX"):
        index = node.this
        table = table_name(index.args.get("table"))
        params = index.args.get("params")
        keys = tuple(name(c.this if isinstance(c, exp.Ordered) else c) for c in (params.args.get("columns") or ())) if params else ()
        online = _ONLINE_ON.search(sql) is not None
        created = ir.CreateIndex(table, name(index.this) or None, keys, unique=bool(node.args.get("unique")), online=online)
        if online:
            lock = ir.LockTaken(table, ir.Blocks.DDL, ONLINE, ir.Work.INDEX_BUILD)
        elif kind.startswith("CLUSTERED"):
            lock = sch_m(table, ir.Work.INDEX_BUILD)
        else:
            lock = ir.LockTaken(table, ir.Blocks.WRITES | ir.Blocks.DDL, SHARED, ir.Work.INDEX_BUILD)
        return Reading(ir.Kind.CREATE_INDEX, (table,), (created,), (lock,))
    if kind == "VIEW":  # a view under a renamed table's old name keeps old code working
        view = table_name(node.this)
        return Reading(ir.Kind.CREATE_OTHER, (), (ir.CreateObject("view", view),))
    return Reading(ir.Kind.CREATE_OTHER, (table_name(node.this),))


def _drop(node: exp.Drop) -> Reading:
    kind = str(node.args.get("kind") or "").upper()
    names = [table_name(t) for t in node.args.get("tables") or ([node.this] if node.this else [])]
    if kind == "TABLE":
        return Reading(ir.Kind.DROP_TABLE, tuple(names), tuple(ir.DropTable(n) for n in names), tuple(sch_m(n) for n in names))
    if kind == "INDEX":
        on = node.args.get("cluster")
        if isinstance(on, exp.OnProperty):  # DROP INDEX i ON t
            table = table_name(on.this)
            return Reading(ir.Kind.DROP_INDEX, (table,), tuple(ir.DropIndex(ir.TableName(table.schema, n.name), table) for n in names), (sch_m(table),))
        # DROP INDEX t.i: the old form names the table where other names put the schema.
        pairs = [(ir.TableName(DEFAULT_SCHEMA, n.schema), n) for n in names if n.schema != DEFAULT_SCHEMA]
        events = tuple(ir.DropIndex(ir.TableName(DEFAULT_SCHEMA, n.name), t) for t, n in pairs)
        return Reading(ir.Kind.DROP_INDEX, tuple(t for t, _ in pairs), events, tuple(sch_m(t) for t, _ in pairs), understood=bool(pairs))
    return Reading(ir.Kind.DROP_OTHER, (), tuple(ir.DropObject(kind.lower(), n) for n in names))


def _alter(node: exp.Alter, sql: str) -> Reading:
    table = table_name(node.this)
    events: list[ir.Event] = []
    work: ir.Work | None = None
    for action in node.args.get("actions") or ():
        if isinstance(action, exp.ColumnDef):
            column = _column(action, sql)
            events.append(ir.AddColumn(table, column))
            if column.not_null and column.default is not ir.Default.NONE or column.default in (ir.Default.VOLATILE, ir.Default.SEQUENCE):
                work = work or ir.Work.BACKFILL
        elif isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
            column_name = name(action.this)
            events.append(ir.AlterColumnType(table, column_name, _type(action.args["dtype"], action.this, sql), rewrites=True))
            work = ir.Work.REWRITE
            allow_null = action.args.get("allow_null")
            if allow_null is not None:
                events.append(ir.SetNotNull(table, column_name, not_null=not allow_null))
        elif isinstance(action, exp.Drop):
            what = str(action.args.get("kind") or "").upper()
            for item in action.args.get("tables") or ():
                events.append(ir.DropColumn(table, name(item)) if what == "COLUMN" else ir.DropConstraint(table, name(item)))
        elif isinstance(action, exp.AddConstraint):
            for constraint in action.expressions:
                if isinstance(constraint, exp.Constraint):
                    added = _constraint(table, constraint, validated=True)
                    events.extend(added)
                    for event in added:
                        if isinstance(event, ir.AddConstraint):
                            slow = ir.Work.SCAN if event.kind in (ir.ConstraintKind.FOREIGN_KEY, ir.ConstraintKind.CHECK) else ir.Work.INDEX_BUILD
                            work = work or slow
        elif isinstance(action, exp.AlterRename):
            events.append(ir.RenameTable(table, table_name(action.this)))
        else:
            return Reading(ir.Kind.ALTER_TABLE, (table,), tuple(events), (sch_m(table),), understood=False)
    if work is not None and _ONLINE_ON.search(sql) and all(_online_capable(e) for e in events):
        # ONLINE = ON on ALTER COLUMN (2016+) or on a PRIMARY KEY / UNIQUE constraint's index
        # (Guidelines for online index operations): reads and writes go on.
        held = ONLINE_ALTER if any(isinstance(e, ir.AlterColumnType) for e in events) else ONLINE
        return Reading(ir.Kind.ALTER_TABLE, (table,), tuple(events), (ir.LockTaken(table, ir.Blocks.DDL, held, work),))
    return Reading(ir.Kind.ALTER_TABLE, (table,), tuple(events), (sch_m(table, work),))


def _online_capable(event: ir.Event) -> bool:
    if isinstance(event, ir.AddConstraint):
        return event.kind in (ir.ConstraintKind.PRIMARY_KEY, ir.ConstraintKind.UNIQUE)
    return isinstance(event, (ir.AlterColumnType, ir.SetNotNull))


def default_constraints(table: ir.TableName, rest: str) -> Reading | None:
    """`ADD CONSTRAINT d DEFAULT v FOR c[, ...]`, which sqlglot leaves a Command: `rest` is what
    follows ADD. A default written to the catalog only: existing rows keep their values."""
    events: list[ir.Event] = []
    position = 0
    while position < len(rest):
        match = _DEFAULT_FOR.match(rest, position)
        if match is None:
            return None
        events.append(ir.SetDefault(table, name(match.group("column")), _default_of_text(match.group("value"))))
        position = match.end()
        while position < len(rest) and rest[position] in " \t\r\n,":
            position += 1
    return Reading(ir.Kind.ALTER_TABLE, (table,), tuple(events), (sch_m(table),)) if events else None


def rename(arguments: list[str], created: set[ir.TableName]) -> Reading:
    """`sp_rename 'old', 'new' [, 'COLUMN' | 'INDEX' | 'OBJECT' | ...]`
    (learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-rename-transact-sql).
    A column is named `table.column` or `schema.table.column`. Without a type the name is an
    object's, or a column's when sp_rename finds no such object: a name of three parts, or two
    whose first is not the default schema, is read as a column. An object rename renames a
    table unless its names are a constraint's (Prisma's `PK__t__id` to `t_pkey`) and it is not a
    table created earlier in the file."""
    if len(arguments) < 2:
        return Reading(ir.Kind.OTHER, understood=False)
    old = [part.strip().strip("[]\"").lower() for part in arguments[0].split(".")]
    new = arguments[1].strip().strip("[]\"").lower()
    what = arguments[2].strip().upper() if len(arguments) > 2 else ""
    if what == "COLUMN" or (not what and (len(old) == 3 or (len(old) == 2 and old[0] != DEFAULT_SCHEMA))):
        table = ir.TableName(old[0] if len(old) == 3 else DEFAULT_SCHEMA, old[-2] if len(old) >= 2 else "")
        return Reading(ir.Kind.ALTER_TABLE, (table,), (ir.RenameColumn(table, old[-1], new),), (sch_m(table),))
    if what in ("INDEX", "STATISTICS") and len(old) >= 2:
        table = ir.TableName(old[0] if len(old) == 3 else DEFAULT_SCHEMA, old[-2])
        return Reading(ir.Kind.ALTER_OTHER, (table,), (), (sch_m(table),))
    if what not in ("", "OBJECT") or len(old) > 2:
        return Reading(ir.Kind.ALTER_OTHER)
    table = ir.TableName(old[0] if len(old) == 2 else DEFAULT_SCHEMA, old[-1])
    if table not in created and (_CONSTRAINT_NAMES.search(old[-1]) or _CONSTRAINT_NAMES.search(new)):
        return Reading(ir.Kind.ALTER_OTHER, (), (), ())
    return Reading(ir.Kind.RENAME_TABLE, (table,), (ir.RenameTable(table, ir.TableName(table.schema, new)),), (sch_m(table),))


def copy(node: exp.Insert) -> Reading:
    """Prisma's table rebuild copies the rows with `IF EXISTS(SELECT * FROM [old]) EXEC('INSERT
    INTO [new] (...) SELECT ... FROM [old] WITH (holdlock tablockx)')`: the INSERT inside reads
    every row of the old table under an exclusive table lock (TABLOCKX, held to the end of the
    transaction: learn.microsoft.com/sql/t-sql/queries/hints-transact-sql-table)."""
    target = node.this
    columns = tuple(name(c) for c in target.expressions) if isinstance(target, exp.Schema) else ()
    table = table_name(target)
    query = node.args.get("expression")
    from_ = query.args.get("from_") or query.args.get("from") if isinstance(query, exp.Select) else None
    if not isinstance(query, exp.Select) or not isinstance(from_, exp.From) or not isinstance(from_.this, exp.Table):
        return Reading(ir.Kind.INSERT, (table,), (ir.DataChange(table, "insert"),), (ir.LockTaken(table, ir.Blocks.WRITES, ROW_LOCKS),))
    source = table_name(from_.this)
    read_columns = tuple(
        "*" if isinstance(e, exp.Star) else name(e.this if isinstance(e, exp.Alias) else e) if isinstance(e.this if isinstance(e, exp.Alias) else e, exp.Column) else ""
        for e in query.expressions
    )
    change = ir.DataChange(table, "insert", source=source, columns=columns, source_columns=read_columns)
    locks = (ir.LockTaken(table, ir.Blocks.WRITES, ROW_LOCKS, ir.Work.COPY), ir.LockTaken(source, _ALL, "an exclusive (X) table lock", ir.Work.COPY))
    return Reading(ir.Kind.INSERT, (table, source), (change,), locks)


def _constraint(table: ir.TableName, node: exp.Constraint, validated: bool) -> list[ir.Event]:
    constraint_name = name(node.this) or None
    found: list[ir.Event] = []
    for part in node.expressions:
        if isinstance(part, exp.ForeignKey):
            reference = part.args.get("reference")
            target = table_name(reference.this) if isinstance(reference, exp.Reference) else None
            options = " ".join(str(o) for o in (reference.args.get("options") or ())) if isinstance(reference, exp.Reference) else ""
            on_delete = re.search(r"ON DELETE (SET NULL|SET DEFAULT|CASCADE|NO ACTION|RESTRICT)", options, re.I)
            columns = tuple(name(c) for c in part.expressions)
            found.append(ir.AddConstraint(
                table, ir.ConstraintKind.FOREIGN_KEY, constraint_name, columns, validated, target,
                on_delete.group(1).lower() if on_delete else "",
            ))
        elif isinstance(part, (exp.PrimaryKeyColumnConstraint, exp.PrimaryKey)):
            found.append(ir.AddConstraint(table, ir.ConstraintKind.PRIMARY_KEY, constraint_name, _keys(node), validated))
        elif isinstance(part, exp.UniqueColumnConstraint):
            found.append(ir.AddConstraint(table, ir.ConstraintKind.UNIQUE, constraint_name, _keys(node), validated))
        elif isinstance(part, exp.CheckColumnConstraint):
            found.append(ir.AddConstraint(table, ir.ConstraintKind.CHECK, constraint_name, (), validated))
    return found


def _keys(node: exp.Constraint) -> tuple[str, ...]:
    """The key columns of a PRIMARY KEY or UNIQUE constraint: sqlglot holds them as columns or
    as bare identifiers, depending on CLUSTERED / NONCLUSTERED being written."""
    return tuple(dict.fromkeys(name(i) for part in node.expressions for i in part.find_all(exp.Identifier)))


def _column(definition: exp.ColumnDef, sql: str) -> ir.Column:
    not_null = False
    default = ir.Default.NONE
    for constraint in definition.args.get("constraints") or ():
        what = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else constraint
        if isinstance(what, exp.NotNullColumnConstraint):
            not_null = not what.args.get("allow_null")
        elif isinstance(what, exp.PrimaryKeyColumnConstraint):
            not_null = True
        elif isinstance(what, exp.DefaultColumnConstraint):
            default = _default_of(what.this)
        elif isinstance(what, exp.GeneratedAsIdentityColumnConstraint):
            default = ir.Default.SEQUENCE
    kind = definition.args.get("kind")
    type_text = _type(kind, definition.this, sql) if isinstance(kind, exp.DataType) else ""
    return ir.Column(name(definition.this), type_text, not_null, default)


def _type(kind: exp.Expression, after: exp.Expression | None = None, sql: str = "") -> str:
    """The type as the author wrote it, lower case ("nvarchar(max)", "int"): sqlglot would write
    its own names (INT becomes INTEGER). `after` is the column's name, where the type follows."""
    end = after.meta.get("end") if isinstance(after, exp.Identifier) else None
    if isinstance(end, int) and 0 <= end < len(sql):
        written = _TYPE.match(sql, end + 1)
        if written is not None:
            return re.sub(r"\s+", "", written.group(1)).lower()
    return kind.sql(dialect="tsql").lower()


def _default_of(value: object) -> ir.Default:
    if isinstance(value, exp.Null):
        return ir.Default.NONE
    text = value.sql(dialect="tsql") if isinstance(value, exp.Expression) else str(value)
    return _default_of_text(text)


def _default_of_text(text: str) -> ir.Default:
    # NEWID() and the like give each row its own value; CURRENT_TIMESTAMP and GETDATE() are
    # runtime constants, one value for the statement (same ALTER TABLE page).
    if re.search(r"\bNEWID\s*\(|\bNEWSEQUENTIALID\s*\(|\bRAND\s*\(|\bCRYPT_GEN_RANDOM\s*\(", text, re.I):
        return ir.Default.VOLATILE
    return ir.Default.CONSTANT
