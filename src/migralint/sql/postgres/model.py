"""One libpg_query statement to the statement model (`migralint.sql.ir.Statement`).

What it cannot know from the statement alone it asks the caller, who holds the replayed schema:
whether an ALTER COLUMN TYPE rewrites the table (that depends on the column's current type) and
whether a default is volatile (a function created earlier in the file may be declared IMMUTABLE).
Without an answer it assumes the costly case, as the rules always have.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from migralint.sql import ir
from migralint.sql.ir import Default, Kind, TableName, Tx
from migralint.sql.ir_statement import LazySpans
from migralint.sql.postgres import locks as pg_locks
from migralint.sql.postgres.nodes import (
    Node,
    alter_table_commands,
    column_constraints,
    is_serial_name,
    reindex_is_concurrent,
    string_value,
    unwrap,
    walk,
)
from migralint.sql.postgres.constraint_events import CONSTRAINT_KINDS as _CONSTRAINTS
from migralint.sql.postgres.constraint_events import constraint as _constraint
from migralint.sql.postgres.constraint_events import column_constraint_events as _column_constraint_events
from migralint.sql.postgres.constraint_events import is_table_constraint as _is_table_constraint
from migralint.sql.postgres.model_locks import model_locks
from migralint.sql.postgres.model_locks import table_of as table_of  # created.py reads it here
from migralint.sql.postgres.names import default_constraint_name, object_name
from migralint.sql.postgres.nodes import TableName as PgTableName
from migralint.sql.postgres.object_names import dropped, dropped_database, named_objects
from migralint.sql.postgres.schema_events import OBJECT_BUILDERS as _OBJECT_BUILDERS
from migralint.sql.postgres.schema_events import rename_events as _rename_events
from migralint.sql.postgres.settings import setting_events
from migralint.sql.postgres.sqltext import type_sql, type_sql_of

# (table, ALTER TABLE subcommand) -> does the type change rewrite the table
TypeRewrites = Callable[[TableName, Node], bool]
IsVolatile = Callable[[Node], bool]

_KINDS = {
    "CreateStmt": Kind.CREATE_TABLE,
    "IndexStmt": Kind.CREATE_INDEX,
    "InsertStmt": Kind.INSERT,
    "CopyStmt": Kind.INSERT,
    "UpdateStmt": Kind.UPDATE,
    "MergeStmt": Kind.UPDATE,
    "DeleteStmt": Kind.DELETE,
    "TruncateStmt": Kind.TRUNCATE,
    "SelectStmt": Kind.SELECT,
    "TransactionStmt": Kind.TRANSACTION,
    "VariableSetStmt": Kind.SET,
}
_TX = {
    "TRANS_STMT_BEGIN": Tx.BEGIN,
    "TRANS_STMT_START": Tx.BEGIN,
    "TRANS_STMT_COMMIT": Tx.COMMIT,
    "TRANS_STMT_ROLLBACK": Tx.ROLLBACK,
    "TRANS_STMT_SAVEPOINT": Tx.SAVEPOINT,
    "TRANS_STMT_RELEASE": Tx.RELEASE,
    "TRANS_STMT_ROLLBACK_TO": Tx.ROLLBACK_TO,
}
def build_statement(
    index: int,
    kind: str,
    node: Node,
    start: int,
    end: int,
    *,
    command_spans: Sequence[tuple[int, int]] | Callable[[], Sequence[tuple[int, int]]] = (),
    type_rewrites: TypeRewrites | None = None,
    is_volatile: IsVolatile | None = None,
    pg_version: int = 15,
    pg_lock_list: Sequence[pg_locks.LockTaken] | None = None,
    model_kind: Kind | None = None,
) -> ir.Statement:
    """The model of one statement; `command_spans` are its ALTER TABLE subcommands' spans (or
    what finds them, asked when a reader first wants an event's span: see ir.LazySpans),
    `pg_lock_list` its locks and `model_kind` its kind_of when the caller has them already
    (linter.context caches the locks; the model rules are chosen by the kind)."""
    facts = _Facts(type_rewrites or _rewrites_always, is_volatile or _calls_a_function)
    events, commands = _events(kind, node, facts)
    tables = _tables(node, events)
    locks = model_locks(kind, node, tables, events, pg_lock_list, pg_version)
    # DROP TRIGGER, LOCK, VACUUM...: the tables they lock are tables they touch.
    locked = [lock.table for lock in locks if lock.table not in tables]
    if locked:
        tables += tuple(dict.fromkeys(locked))
    spans: Sequence[tuple[int, int]] = ()
    if commands:
        count = len(alter_table_commands(node))
        if callable(command_spans):
            written = command_spans
            spans = LazySpans(lambda: _event_spans(written(), count, commands, start, end))
        else:
            spans = _event_spans(command_spans, count, commands, start, end)
    tx = _TX.get(node.get("kind", "")) if kind == "TransactionStmt" else None
    if model_kind is None:
        model_kind = kind_of(kind, node)
    return ir.Statement(index, model_kind, start, end, tables, locks, events, spans, tx, False, True, kind, node)


def _event_spans(
    written: Sequence[tuple[int, int]], count: int, commands: list[int], start: int, end: int
) -> tuple[tuple[int, int], ...]:
    """Each event's span: its subcommand's, or the whole statement's when the subcommands' are
    not all known."""
    if len(written) == count:
        return tuple(written[number] for number in commands)
    return ((start, end),) * len(commands)


def statement_events(kind: str, node: Node) -> tuple[ir.Event, ...]:
    """The events of one statement without the rest of its model, for the replayed schema
    (linter/model_replay.py). What the schema keeps does not depend on what the caller would
    answer (a type change's rewrite, a default's volatility), so none is asked: the events
    take the costly case, as build_statement does without an answer."""
    return _events(kind, node, _REPLAY_FACTS)[0]


class _Facts:
    __slots__ = ("type_rewrites", "is_volatile")

    def __init__(self, type_rewrites: TypeRewrites, is_volatile: IsVolatile) -> None:
        self.type_rewrites = type_rewrites
        self.is_volatile = is_volatile


def _rewrites_always(table: TableName, cmd: Node) -> bool:
    return True


_REPLAY_FACTS = _Facts(_rewrites_always, lambda expression: True)


def kind_of(kind: str, node: Node) -> Kind:
    if kind in _KINDS:
        return _KINDS[kind]
    if kind == "AlterTableStmt":
        return Kind.ALTER_TABLE if node.get("objtype") in ("OBJECT_TABLE", None) else Kind.ALTER_OTHER
    if kind == "RenameStmt":
        table_rename = node.get("renameType") == "OBJECT_TABLE" or (
            node.get("renameType") in ("OBJECT_COLUMN", "OBJECT_TABCONSTRAINT")
            and node.get("relationType") == "OBJECT_TABLE"
        )
        return Kind.ALTER_TABLE if table_rename else Kind.ALTER_OTHER
    if kind == "DropdbStmt":
        return Kind.DROP_OTHER
    if kind == "DropStmt":
        removed = node.get("removeType")
        return Kind.DROP_TABLE if removed == "OBJECT_TABLE" else Kind.DROP_INDEX if removed == "OBJECT_INDEX" else Kind.DROP_OTHER
    if kind == "CreateTableAsStmt":
        return Kind.CREATE_TABLE if node.get("objtype") in ("OBJECT_TABLE", None) else Kind.CREATE_OTHER
    if kind.startswith("Create") or kind in ("ViewStmt", "DefineStmt", "CompositeTypeStmt"):
        return Kind.CREATE_OTHER
    if kind.startswith("Alter"):
        return Kind.ALTER_OTHER
    return Kind.OTHER


def _events(kind: str, node: Node, facts: _Facts) -> tuple[tuple[ir.Event, ...], list[int]]:
    """The events, and for an ALTER TABLE the subcommand number each event comes from."""
    if kind == "AlterTableStmt" and node.get("objtype") in ("OBJECT_TABLE", None) and "relation" in node:
        table = table_of(node["relation"])
        events: list[ir.Event] = []
        numbers: list[int] = []
        for number, cmd in enumerate(alter_table_commands(node)):
            for event in _command_events(table, cmd, facts):
                events.append(event)
                numbers.append(number)
        return tuple(events), numbers
    if kind == "CreateStmt" and "relation" in node:
        # Its serial and identity columns' sequences come from the columns just read, not
        # from another pass over the column definitions (object_names.named_objects).
        created = _create_table(node, facts)
        return (created, *_owned_sequences(created, bool(node.get("if_not_exists")))), []
    return (*_statement_events(kind, node, facts), *named_objects(kind, node)), []


def _command_events(table: TableName, cmd: Node, facts: _Facts) -> list[ir.Event]:
    subtype = cmd.get("subtype", "")
    name = str(cmd.get("name", ""))
    kind, definition = unwrap(cmd["def"]) if cmd.get("def") else ("", {})
    if subtype == "AT_AddColumn" and kind == "ColumnDef":
        # Its constraints read once, for the column and for the events, as _create_table does.
        written = column_constraints(definition)
        column = _column(definition, facts, written)
        added: ir.Event = ir.AddColumn(table, column, bool(cmd.get("missing_ok")))
        return [added, *_column_constraint_events(table, column.name, written)] if written else [added]
    if subtype == "AT_DropColumn":
        return [ir.DropColumn(table, name, cascade=cmd.get("behavior") == "DROP_CASCADE")]
    if subtype == "AT_AlterColumnType":
        type_name = definition.get("typeName")
        return [ir.AlterColumnType(table, name, type_sql(type_name or {}), facts.type_rewrites(table, cmd), type_name)]
    if subtype in ("AT_SetNotNull", "AT_DropNotNull"):
        return [ir.SetNotNull(table, name, subtype == "AT_SetNotNull")]
    if subtype == "AT_ColumnDefault":
        expression = cmd.get("def")
        return [ir.SetDefault(table, name, _default(expression, facts) if expression else Default.NONE, expression)]
    if subtype == "AT_AddConstraint" and kind == "Constraint" and (
        definition.get("contype") in _CONSTRAINTS or definition.get("contype") == "CONSTR_NOTNULL"
    ):
        return [_constraint(table, definition, ())]
    if subtype == "AT_DropConstraint":
        return [ir.DropConstraint(table, name)]
    if subtype == "AT_ValidateConstraint":
        return [ir.ValidateConstraint(table, name)]
    return [ir.OtherTableChange(table, subtype.removeprefix("AT_"))]


def _column(column_def: Node, facts: _Facts, constraints: list[Node]) -> ir.Column:
    """`constraints`: the column's Constraint nodes, unwrapped (its callers read them for
    their events too)."""
    # A loop, not a dict comprehension (a function of its own to call): asked for every column.
    contypes: dict[Any, Node] = {}
    for c in constraints:
        contypes[c.get("contype")] = c
    type_node = column_def.get("typeName", {})
    # The type's names, read once for its text and for is_serial_type's question.
    names = [string_value(n) for n in type_node.get("names", ())]
    if "CONSTR_IDENTITY" in contypes or (names and is_serial_name(names[-1])):
        default = Default.SEQUENCE
    elif "CONSTR_DEFAULT" in contypes:
        default = _default(contypes["CONSTR_DEFAULT"].get("raw_expr"), facts)
    else:
        default = Default.NONE
    generated = contypes.get("CONSTR_GENERATED")
    written_default = contypes.get("CONSTR_DEFAULT")
    return ir.Column(
        str(column_def.get("colname", "")),
        type_sql_of(type_node, names),
        "CONSTR_NOTNULL" in contypes or "CONSTR_PRIMARY" in contypes,
        default,
        generated is not None and generated.get("generated_kind") != "v",
        "CONSTR_PRIMARY" in contypes,
        generated is not None,
        "CONSTR_IDENTITY" in contypes,
        type_node,
        written_default.get("raw_expr") if written_default is not None else None,
    )


def _default(expression: Node | None, facts: _Facts) -> Default:
    if expression is None:
        return Default.CONSTANT  # DEFAULT NULL and the like: libpg_query keeps no expression
    return Default.VOLATILE if facts.is_volatile(expression) else Default.CONSTANT


def _calls_a_function(expression: Node) -> bool:
    return any(kind == "FuncCall" for kind, _ in walk(expression))


def _statement_events(kind: str, node: Node, facts: _Facts) -> list[ir.Event]:
    if kind == "CreateTableAsStmt" and node.get("objtype") in ("OBJECT_TABLE", None):
        return [ir.CreateTable(table_of(node.get("into", {}).get("rel", {})), from_query=True)]
    if kind == "RenameStmt" and "relation" in node:
        return _rename_events(node)
    if kind == "DropStmt":
        return _drop_events(node)
    if kind == "DropdbStmt":
        return [dropped_database(node)]
    if kind in ("VariableSetStmt", "SelectStmt"):
        return list(setting_events(kind, node))
    if kind == "ReindexStmt" and node.get("kind") == "REINDEX_OBJECT_INDEX" and "relation" in node:
        return [ir.RebuildIndex(table_of(node["relation"]), reindex_is_concurrent(node))]
    if kind == "IndexStmt" and "relation" in node:
        keys = tuple(str(unwrap(e)[1].get("name", "")) for e in node.get("indexParams", []))
        table = table_of(node["relation"])
        return [ir.CreateIndex(
            table, node.get("idxname"), keys, bool(node.get("unique")), bool(node.get("concurrent")),
            default_name="" if node.get("idxname") else default_constraint_name(
                PgTableName(*table), [c for c in keys if c] or ["expr"], "idx"),
            if_not_exists=bool(node.get("if_not_exists")), partial="whereClause" in node,
        )]
    if kind in _OBJECT_BUILDERS:
        return _OBJECT_BUILDERS[kind](node)
    if kind in ("InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "CopyStmt") and "relation" in node:
        op = kind.removesuffix("Stmt").lower()
        all_rows = kind in ("UpdateStmt", "DeleteStmt") and "whereClause" not in node
        return [ir.DataChange(table_of(node["relation"]), op, all_rows)]
    if kind == "TruncateStmt":
        return [ir.DataChange(table_of(unwrap(r)[1]), "truncate", True) for r in node.get("relations", [])]
    return []


def _create_table(node: Node, facts: _Facts) -> ir.CreateTable:
    """The table with its columns and its constraints (each column's and the table's own, in
    the order written), from one pass over its elements and each column's constraints: the
    model's events, the sequences and the replay all read what this reads."""
    table = table_of(node["relation"])
    columns: list[ir.Column] = []
    constraints: list[ir.AddConstraint] = []
    for element in node.get("tableElts", ()):
        for kind, body in element.items():  # the element's one (type, fields) pair
            if kind == "ColumnDef":
                written = column_constraints(body)
                column = _column(body, facts, written)
                columns.append(column)
                if written:
                    constraints += _column_constraint_events(table, column.name, written)
            elif kind == "Constraint" and _is_table_constraint(body):
                constraints.append(_constraint(table, body, ()))
    parents = [table_of(unwrap(p)[1]) for p in node.get("inhRelations", ())]
    return ir.CreateTable(
        table,
        tuple(columns),
        if_not_exists=bool(node.get("if_not_exists")),
        partitioned="partspec" in node,
        partition_of=parents[0] if "partbound" in node and parents else None,
        constraints=tuple(constraints),
    )


def _owned_sequences(created: ir.CreateTable, replaces: bool) -> list[ir.CreateObject]:
    """A serial or identity column (Default.SEQUENCE) creates a sequence named table_column_seq."""
    table = created.table
    return [
        ir.CreateObject("sequence", TableName(table.schema, object_name(table.name, column.name, "seq")), replaces=replaces)
        for column in created.columns
        if column.default is Default.SEQUENCE
    ]


def _drop_events(node: Node) -> list[ir.Event]:
    removed = node.get("removeType")
    cascade = node.get("behavior") == "DROP_CASCADE"
    events: list[ir.Event] = []
    for obj in node.get("objects", []):
        items = unwrap(obj)[1].get("items", []) if isinstance(obj, dict) else []
        if removed in ("OBJECT_TABLE", "OBJECT_INDEX") and items:
            name = TableName(*PgTableName.from_names(items))
            if removed == "OBJECT_TABLE":
                events.append(ir.DropTable(name, cascade=cascade))
            else:
                events.append(ir.DropIndex(name, online=bool(node.get("concurrent"))))
    return events + dropped(node)


def _tables(node: Node, events: tuple[ir.Event, ...]) -> tuple[TableName, ...]:
    found: dict[TableName, None] = {}
    relation = node.get("relation")
    if isinstance(relation, dict) and "relname" in relation:
        found[table_of(relation)] = None
    for event in events:
        attributes = _TABLE_FIELDS.get(type(event))
        for attribute in attributes if attributes is not None else _table_fields(type(event)):
            table = getattr(event, attribute)
            if isinstance(table, TableName):
                found[table] = None
    return tuple(found)  # the tables a foreign key references come in with their locks


# An event class's fields that may name a table it touches, found once per class.
_TABLE_FIELDS: dict[type, tuple[str, ...]] = {}


def _table_fields(cls: type) -> tuple[str, ...]:
    found = _TABLE_FIELDS.get(cls)
    if found is None:
        found = _TABLE_FIELDS[cls] = tuple(name for name in ("table", "references") if hasattr(cls, name))
    return found


def describe(statement: ir.Statement) -> dict[str, Any]:
    """The model as plain data, for tests and for reading it by eye."""
    return {
        "kind": statement.kind.value,
        "tables": [t.qualified() for t in statement.tables],
        "locks": [(lock.table.qualified(), lock.name, lock.work.name if lock.work else None) for lock in statement.locks],
        "events": [type(e).__name__ for e in statement.events],
    }
