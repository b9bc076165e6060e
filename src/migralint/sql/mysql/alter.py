"""ALTER TABLE on MySQL: each clause as a model event and what it costs (online_ddl)."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from migralint.sql import ir
from migralint.sql.mysql import online_ddl as ddl
from migralint.sql.mysql.columns import column_of, identifier
from migralint.sql.mysql.readings import AlterReading, Clause

# ALTER TABLE options that are no clause of their own (MySQL manual, 15.1.9 "ALTER TABLE Statement").
_OPTION_WORDS = frozenset({
    "ALGORITHM", "LOCK", "ENGINE", "ROW_FORMAT", "KEY_BLOCK_SIZE", "AUTO_INCREMENT", "DEFAULT", "CHARACTER",
    "CHARSET", "COLLATE", "COMMENT", "AVG_ROW_LENGTH", "CHECKSUM", "COMPRESSION", "CONNECTION", "DATA", "INDEX",
    "DELAY_KEY_WRITE", "ENCRYPTION", "INSERT_METHOD", "MAX_ROWS", "MIN_ROWS", "PACK_KEYS", "PASSWORD",
    "STATS_AUTO_RECALC", "STATS_PERSISTENT", "STATS_SAMPLE_PAGES", "TABLESPACE", "UNION", "WAIT", "NOWAIT",
})


def read_alter(node: exp.Alter, table: ir.TableName, tokens: list[Token], server: ddl.Server) -> AlterReading:
    spans = _clause_spans(tokens)
    actions = list(node.args.get("actions") or [])
    spans_fit = len(spans) == len(actions)
    clauses: list[Clause] = []
    fk = False
    for k, action in enumerate(actions):
        span = spans[k] if spans_fit else None
        events, cost = _clause(action, table, server, actions)
        if any(isinstance(e, ir.AddConstraint) and e.kind is ir.ConstraintKind.FOREIGN_KEY for e in events):
            fk = True
        clauses.append(Clause(events, cost._replace(span=span), span))
    algorithm, lock = None, None
    for option in node.args.get("options") or []:
        written = option.this.name if isinstance(option.this, exp.Expression) else str(option.this)
        value = written.upper()
        if isinstance(option, exp.AlgorithmProperty):
            algorithm = value
        elif isinstance(option, exp.LockProperty):
            lock = value
        elif isinstance(option, exp.EngineProperty):
            clauses.append(Clause((), _engine_cost(written), None))
        elif isinstance(option, exp.RowFormatProperty):
            clauses.append(Clause((), ddl.rebuild(f"sets ROW_FORMAT={value}, which rebuilds the table"), None))
        elif type(option).__name__ in ("CharacterSetProperty", "CollateProperty"):
            clauses.append(Clause((), ddl.INSTANT, None))  # the default for new columns only
    overall = ddl.asserted(ddl.combined([c.cost for c in clauses]), algorithm, lock)
    return AlterReading(table, tuple(clauses), algorithm, lock, overall, fk)


def _engine_cost(engine: str) -> ddl.Cost:
    if engine.upper() == "INNODB":
        return ddl.rebuild("sets ENGINE=InnoDB, a null rebuild of the table")
    return ddl.copy(f"changes the storage engine to {engine}")


def _clause(
    action: exp.Expression, table: ir.TableName, server: ddl.Server, actions: list[exp.Expression]
) -> tuple[tuple[ir.Event, ...], ddl.Cost]:
    if isinstance(action, exp.ColumnDef):  # ADD COLUMN
        return _add_column(action, table, server)
    if isinstance(action, exp.ModifyColumn):
        return _modify_column(action, table)
    if isinstance(action, exp.Drop):
        return _drop(action, table, server, actions)
    if isinstance(action, exp.RenameColumn):
        old, new = identifier(action.this), identifier(action.args.get("to"))
        return (ir.RenameColumn(table, old, new),), ddl.INSTANT
    if isinstance(action, exp.AlterRename):
        new = action.this
        target = ir.TableName(new.db or table.schema, new.name) if isinstance(new, exp.Table) else table
        return (ir.RenameTable(table, target),), ddl.INSTANT
    if isinstance(action, exp.AlterColumn):
        return _alter_column(action, table)
    if isinstance(action, exp.AddConstraint):
        return _add_constraint(action, table, actions)
    if isinstance(action, exp.DropPrimaryKey):
        adds_key = any(_adds_primary_key(a) for a in actions)
        event = ir.DropConstraint(table, "PRIMARY")
        if adds_key:
            return (event,), ddl.rebuild("replaces the primary key, which rebuilds the table and every index")
        return (event,), ddl.copy("drops the primary key without adding one")
    if isinstance(action, exp.ForceProperty):
        return (), ddl.rebuild("FORCE rebuilds the table")
    if type(action).__name__ == "RenameIndex":
        return (), ddl.INSTANT
    return (), ddl.Cost(ddl.Algorithm.COPY, True, True, f"a clause migralint does not read ({action.key})", "")


def _add_column(action: exp.ColumnDef, table: ir.TableName, server: ddl.Server) -> tuple[tuple[ir.Event, ...], ddl.Cost]:
    column = column_of(action)
    events: tuple[ir.Event, ...] = (ir.AddColumn(table, column),)
    constraints = [c.args.get("kind") for c in action.args.get("constraints") or []]
    if any(isinstance(c, exp.AutoIncrementColumnConstraint) for c in constraints):
        return events, ddl.Cost(ddl.Algorithm.INPLACE, True, True,
                                f"adds the AUTO_INCREMENT column `{column.name}`", "auto-increment")
    if column.generated_stored:
        return events, ddl.copy(f"adds the STORED generated column `{column.name}`")
    if any(isinstance(c, exp.PrimaryKeyColumnConstraint) for c in constraints):
        return events, ddl.rebuild(f"adds the column `{column.name}` as the primary key, which rebuilds the table")
    positioned = action.args.get("position") is not None
    if server.instant_add_column(positioned):
        return events, ddl.INSTANT
    where = " before the last column" if positioned else ""
    return events, ddl.rebuild(f"adds the column `{column.name}`{where}, which {server.name} does in place, "
                               "rebuilding the table")


def _modify_column(action: exp.ModifyColumn, table: ir.TableName) -> tuple[tuple[ir.Event, ...], ddl.Cost]:
    definition = action.this
    column = column_of(definition)
    old = identifier(action.args.get("rename_from")) if action.args.get("rename_from") is not None else column.name
    events: list[ir.Event] = []
    if old != column.name:
        events.append(ir.RenameColumn(table, old, column.name))
    # MODIFY and CHANGE restate the whole column. What changed depends on its old definition,
    # which the rules read from the replayed history (ctx.column); the statement alone can only
    # say what the column becomes. Until then the cautious cost: a type change, a COPY.
    events.append(ir.AlterColumnType(table, column.name, column.type, rewrites=True))
    events.append(ir.SetNotNull(table, column.name, column.not_null))
    events.append(ir.SetDefault(table, column.name, column.default))
    if definition.args.get("position") is not None:
        cost = ddl.rebuild(f"moves the column `{column.name}`, which rebuilds the table")
    else:
        cost = ddl.copy(f"changes the definition of `{column.name}`", kind="type")
    return tuple(events), cost


def _alter_column(action: exp.AlterColumn, table: ir.TableName) -> tuple[tuple[ir.Event, ...], ddl.Cost]:
    name = identifier(action.this)
    if action.args.get("drop"):
        return (ir.SetDefault(table, name, ir.Default.NONE),), ddl.INSTANT
    if action.args.get("default") is not None:
        return (ir.SetDefault(table, name, ir.Default.CONSTANT),), ddl.INSTANT
    return (), ddl.INSTANT  # SET VISIBLE / INVISIBLE: metadata only


def _drop(
    action: exp.Drop, table: ir.TableName, server: ddl.Server, actions: list[exp.Expression]
) -> tuple[tuple[ir.Event, ...], ddl.Cost]:
    kind = (action.args.get("kind") or "").upper()
    names = [identifier(t) for t in action.args.get("tables") or []]
    if kind == "COLUMN":
        events = tuple(ir.DropColumn(table, n) for n in names)
        if server.instant_drop_column():
            return events, ddl.INSTANT
        return events, ddl.rebuild(f"drops the column `{names[0]}`, which {server.name} does by rebuilding the table")
    if kind in ("INDEX", "KEY"):
        return tuple(ir.DropIndex(ir.TableName(table.schema, n), table, online=True) for n in names), ddl.IN_PLACE
    if kind in ("FOREIGN KEY", "CONSTRAINT", "CHECK"):
        return tuple(ir.DropConstraint(table, n) for n in names), ddl.IN_PLACE
    return (), ddl.IN_PLACE


def _adds_primary_key(action: exp.Expression) -> bool:
    if not isinstance(action, exp.AddConstraint):
        return False
    return any(isinstance(e, exp.PrimaryKey) or isinstance(getattr(e, "this", None), exp.PrimaryKey)
               or (isinstance(e, exp.Constraint) and any(isinstance(x, exp.PrimaryKey) for x in e.expressions))
               for e in action.expressions)


def _add_constraint(
    action: exp.AddConstraint, table: ir.TableName, actions: list[exp.Expression]
) -> tuple[tuple[ir.Event, ...], ddl.Cost]:
    events: list[ir.Event] = []
    costs: list[ddl.Cost] = []
    for item in action.expressions:
        name: str | None = None
        if isinstance(item, exp.Constraint):
            name = identifier(item.this) or None
            inner = item.expressions[0] if item.expressions else item
        else:
            inner = item
        if isinstance(inner, exp.ForeignKey):
            reference = inner.args.get("reference")
            target = reference.find(exp.Table) if reference is not None else None
            references = ir.TableName(target.db, target.name) if target is not None else None
            columns = tuple(identifier(c) for c in inner.expressions)
            events.append(ir.AddConstraint(table, ir.ConstraintKind.FOREIGN_KEY, name, columns, True, references))
            # COPY while foreign_key_checks is on (the default); the rule that knows the
            # session's setting decides (adding-foreign-key-constraint).
            costs.append(ddl.Cost(ddl.Algorithm.INPLACE, False, False, "adds a foreign key", "fk"))
        elif isinstance(inner, exp.PrimaryKey):
            columns = tuple(identifier(c) for c in inner.expressions)
            events.append(ir.AddConstraint(table, ir.ConstraintKind.PRIMARY_KEY, name, columns))
            if not any(isinstance(a, exp.DropPrimaryKey) for a in actions):
                costs.append(ddl.rebuild("adds a primary key, which rebuilds the table and every index"))
        elif isinstance(inner, exp.IndexColumnConstraint):
            kind = (inner.args.get("kind") or "").upper()
            index = identifier(inner.this) or None
            columns = tuple(identifier(c) for c in inner.expressions)
            events.append(ir.CreateIndex(table, index, columns, False, kind not in ("FULLTEXT", "SPATIAL")))
            costs.append(index_cost(kind, index or "", table))
        elif isinstance(inner, exp.UniqueColumnConstraint):
            schema = inner.this
            index = identifier(schema.this) if isinstance(schema, exp.Schema) else name
            columns = tuple(identifier(c) for c in schema.expressions) if isinstance(schema, exp.Schema) else ()
            events.append(ir.AddConstraint(table, ir.ConstraintKind.UNIQUE, index or name, columns))
            events.append(ir.CreateIndex(table, index or name, columns, True, True))
            costs.append(ddl.IN_PLACE)
        elif isinstance(inner, (exp.CheckColumnConstraint, exp.Check)):
            events.append(ir.AddConstraint(table, ir.ConstraintKind.CHECK, name))
            costs.append(ddl.copy("adds a CHECK constraint, which MySQL validates by copying the table"))
        else:
            costs.append(ddl.Cost(ddl.Algorithm.COPY, True, True, "a constraint migralint does not read", ""))
    return tuple(events), ddl.combined(costs)


def index_cost(kind: str, name: str, table: ir.TableName) -> ddl.Cost:
    if kind == "FULLTEXT":
        return ddl.Cost(ddl.Algorithm.INPLACE, True, True, f"adds the FULLTEXT index `{name}`", "blocking-index")
    if kind == "SPATIAL":
        return ddl.Cost(ddl.Algorithm.INPLACE, False, True, f"adds the SPATIAL index `{name}`", "blocking-index")
    return ddl.IN_PLACE


def _clause_spans(tokens: list[Token]) -> list[tuple[int, int]]:
    """The span of each clause after `ALTER TABLE name`, options (ALGORITHM=, ENGINE=...) left out."""
    start = 3  # ALTER TABLE <name>
    while start < len(tokens) and tokens[start].token_type is TokenType.DOT:
        start += 2  # a qualified name: db . table
    pieces: list[list[Token]] = [[]]
    depth = 0
    for token in tokens[start:]:
        if token.token_type is TokenType.L_PAREN:
            depth += 1
        elif token.token_type is TokenType.R_PAREN:
            depth -= 1
        if token.token_type is TokenType.COMMA and depth == 0:
            pieces.append([])
        else:
            pieces[-1].append(token)
    return [
        (piece[0].start, piece[-1].end + 1)
        for piece in pieces
        if piece and piece[0].text.upper() not in _OPTION_WORDS
    ]
