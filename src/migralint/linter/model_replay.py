"""Replaying the statement model's events (`sql.ir`) into the catalog: the one way the schema of
the earlier migrations is rebuilt, for every dialect.

The catalog's own objects are used (Table, Column, Index, Constraint), so the questions rules
ask of it (where a table comes from, what still uses a column) get one answer whatever the
dialect. A column keeps the parser's type where the front end gives it (PostgreSQL's TypeName,
which its rules compare); otherwise its model type, as {"ModelType": {"name": type}}:
libpg_query's TypeName has no such key, so no PostgreSQL reader mistakes it for one of its own.
What an event cannot be followed in (a column of a table the history never showed, a rename of
an unknown index) is skipped or remembered with origin "": replay never fails.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from migralint.linter.schema_objects import Column, Constraint, EnumType, Index, Table, View
from migralint.sql import ir
from migralint.sql.postgres.model import statement_events
from migralint.sql.postgres.nodes import Node, TableName, shared_name

if TYPE_CHECKING:
    from migralint.linter.catalog import Catalog
    from migralint.linter.parse import Statement

_KINDS = {
    ir.ConstraintKind.PRIMARY_KEY: "primary",
    ir.ConstraintKind.UNIQUE: "unique",
    ir.ConstraintKind.FOREIGN_KEY: "foreign",
    ir.ConstraintKind.CHECK: "check",
    ir.ConstraintKind.EXCLUSION: "exclusion",
    ir.ConstraintKind.NOT_NULL: "not_null",
}
# Functions only triggers call: a DROP of one breaks no application query (ban-drop-function).
_TRIGGER_RETURNS = frozenset({"trigger", "event_trigger"})
# What a statement's shape the replay does not follow raises: the catalog then knows less,
# which only makes rules more cautious. Anything else is a bug, reported by the engine.
_NOT_FOLLOWED = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def model_type(column: Column) -> str | None:
    """The type a model column was last given, as ir.Column.type; None when unknown."""
    node = column.type_name
    if isinstance(node, dict) and "ModelType" in node:
        name = node["ModelType"].get("name")
        return name if isinstance(name, str) else None
    return None


def apply_postgres(catalog: Catalog, statement: Statement, origin: str, model: ir.Statement | None = None) -> None:
    """Replay one PostgreSQL statement: its events, as the PostgreSQL front end builds them, or
    those of `model`, its model already built for a rule."""
    if model is not None:
        apply_events(catalog, model.events, origin)
        return
    try:
        events = statement_events(statement.kind, statement.node)
    except _NOT_FOLLOWED:
        return
    apply_events(catalog, events, origin)


def apply_model(catalog: Catalog, statement: ir.Statement, origin: str) -> None:
    """Replay a statement of the model: its events in order, each skipped where the catalog
    cannot follow it."""
    apply_events(catalog, statement.events, origin)


def apply_events(catalog: Catalog, events: Iterable[ir.Event], origin: str) -> None:
    skipped: tuple[TableName, str] | None = None  # an ADD COLUMN IF NOT EXISTS that did nothing
    for event in events:
        if skipped is not None and isinstance(event, ir.AddConstraint) and (_name(event.table), event.columns) == (
            skipped[0], (skipped[1],)
        ):
            continue  # the skipped column's own constraints (PostgreSQL skips them with it)
        skipped = None
        try:
            if isinstance(event, ir.AddColumn) and not _add_column(catalog, event, origin):
                skipped = (_name(event.table), event.column.name)
            else:
                apply_event(catalog, event, origin)
        except _NOT_FOLLOWED:
            pass


def apply_event(catalog: Catalog, event: ir.Event, origin: str) -> None:
    # The commonest events first (the event classes are distinct, so the order changes no
    # answer): with CREATE INDEX eleventh, each one was asked eleven isinstance questions.
    if isinstance(event, ir.CreateTable):
        _create_table(catalog, event, origin)
    elif isinstance(event, ir.AddColumn):
        _add_column(catalog, event, origin)
    elif isinstance(event, ir.AddConstraint):
        _add_constraint(catalog, _table(catalog, event.table), event, origin)
    elif isinstance(event, ir.CreateIndex):
        _create_index(catalog, event, origin)
    elif isinstance(event, ir.DropTable):
        catalog._forget_table(_name(event.table))
    elif isinstance(event, ir.RenameTable):
        old, new = _name(event.table), _name(event.new)
        renamed = catalog.tables.pop(old, None)
        if renamed is not None:
            renamed.name = new
            catalog.tables[new] = renamed
            catalog._retarget(old, new)
    elif isinstance(event, ir.DropColumn):
        _drop_column(catalog, _table(catalog, event.table), event.column)
    elif isinstance(event, ir.RenameColumn):
        _rename_column(catalog, event)
    elif isinstance(event, (ir.AlterColumnType, ir.SetNotNull, ir.SetDefault)):
        _alter_column(catalog, event)
    elif isinstance(event, (ir.DropConstraint, ir.ValidateConstraint, ir.RenameConstraint)):
        _change_constraint(catalog, event)
    elif isinstance(event, ir.OtherTableChange):
        _table(catalog, event.table)  # an ALTER TABLE tells that the table exists
    elif isinstance(event, ir.DropIndex):
        if event.table is not None:
            catalog._drop_index(TableName(event.table.schema, event.name.name))
        else:
            catalog._drop_index(_name(event.name))
    elif isinstance(event, ir.RenameObject):
        _rename_object(catalog, event)
    elif isinstance(event, ir.DropObject):
        _drop_object(catalog, event)
    else:
        _schema_object(catalog, event, origin)


def _create_table(catalog: Catalog, event: ir.CreateTable, origin: str) -> None:
    name = _name(event.table)
    if event.if_not_exists and name in catalog.tables:
        return
    catalog._forget_table(name)
    table = Table(name, partitioned=event.partitioned, origin=origin)
    if event.partition_of is not None:
        table.partition_of = _name(event.partition_of)
        parent = catalog.tables.get(table.partition_of)
        if parent is not None:  # a partition has its parent's columns
            table.columns = {
                n: _column_value(catalog, c.name, c.type_name, c.not_null, c.default, origin) for n, c in parent.columns.items()
            }
    catalog.tables[name] = table
    for column in event.columns:
        table.columns[column.name] = _column(catalog, column, origin)
    for constraint in event.constraints:
        _add_constraint(catalog, table, constraint, origin)


def _add_column(catalog: Catalog, event: ir.AddColumn, origin: str) -> bool:
    """Add the column; False when IF NOT EXISTS found it there already."""
    owner = _table(catalog, event.table)
    if event.if_not_exists and event.column.name in owner.columns:
        return False
    column = _column(catalog, event.column, origin)
    owner.columns[column.name] = column
    return True


def _drop_column(catalog: Catalog, table: Table, column: str) -> None:
    # The database drops the column's indexes and constraints with it.
    table.columns.pop(column, None)
    for name in [n for n, c in table.constraints.items() if column in c.columns]:
        del table.constraints[name]
    for index in [i for i in catalog.indexes_of(table.name) if column in i.columns]:
        catalog._drop_index(index.name)


def _rename_column(catalog: Catalog, event: ir.RenameColumn) -> None:
    owner = catalog.tables.get(_name(event.table))
    moved = owner.columns.pop(event.column, None) if owner is not None else None
    if owner is not None and moved is not None:
        moved = _column_value(catalog, _interned(event.new), moved.type_name, moved.not_null, moved.default, moved.origin)
        owner.columns[moved.name] = moved
        catalog._rename_column_uses(owner.name, event.column, event.new)


def _alter_column(catalog: Catalog, event: ir.AlterColumnType | ir.SetNotNull | ir.SetDefault) -> None:
    table = _table(catalog, event.table)
    column = table.columns.get(event.column)
    if column is None:  # older than the history: remember what this migration says of it
        column = Column(_interned(event.column), None, origin="")
    type_name, not_null, default = column.type_name, column.not_null, column.default
    if isinstance(event, ir.AlterColumnType):
        type_name = _type(catalog, event.raw_type, event.type)
    elif isinstance(event, ir.SetNotNull):
        not_null = event.not_null
    else:
        default = catalog._shared_tree(event.raw) if isinstance(event.raw, dict) else None
    table.columns[column.name] = _column_value(catalog, column.name, type_name, not_null, default, column.origin)


def _add_constraint(catalog: Catalog, table: Table, event: ir.AddConstraint, origin: str) -> None:
    kind = _KINDS[event.kind]
    name = event.name or event.default_name or f"{table.name.name}_{'_'.join(event.columns)}_{kind}"
    if kind in ("primary", "not_null"):
        for column in event.columns:
            found = table.columns.get(column)
            if found is not None and not found.not_null:
                table.columns[column] = _column_value(catalog, found.name, found.type_name, True, found.default, found.origin)
    references = _name(event.references) if event.references is not None else None
    expression = event.raw_expression if isinstance(event.raw_expression, dict) else None
    columns = catalog._shared_names(event.columns)
    constraint = table.constraints[name] = Constraint(
        table.name, name, kind, event.validated, columns, expression, references,
        catalog._shared_names(event.referenced_columns), origin, event.on_delete,
    )
    if references is not None:
        catalog._note_foreign_key(table, constraint)
    if event.makes_index:
        index = Index(_shared(table.name.schema, name), table.name, True, False, True, columns, origin, True)
        catalog._add_index(index)


def _change_constraint(catalog: Catalog, event: ir.DropConstraint | ir.ValidateConstraint | ir.RenameConstraint) -> None:
    if isinstance(event, ir.RenameConstraint):
        owner = catalog.tables.get(_name(event.table))
        renamed = owner.constraints.pop(event.name, None) if owner is not None else None
        if owner is not None and renamed is not None:
            renamed.name = event.new
            owner.constraints[event.new] = renamed
        return
    table = _table(catalog, event.table)
    if isinstance(event, ir.ValidateConstraint):
        constraint = table.constraints.get(event.name)
        if constraint is not None:
            constraint.validated = True
    else:
        table.constraints.pop(event.name, None)
        catalog._drop_index(TableName(table.name.schema, event.name))  # a key's index goes with it


def _create_index(catalog: Catalog, event: ir.CreateIndex, origin: str) -> None:
    indexed = _name(event.table)
    if indexed not in catalog.tables and indexed not in catalog.views:
        catalog.tables[indexed] = Table(indexed, origin="")  # older than the history
    name = _shared(indexed.schema, event.name or event.default_name or "_".join(event.columns))
    if event.if_not_exists and name in catalog.indexes:
        return
    columns = catalog._shared_names(event.columns)
    catalog._add_index(Index(name, indexed, event.unique, event.partial, True, columns, origin))


def _rename_object(catalog: Catalog, event: ir.RenameObject) -> None:
    old, new = _name(event.name), _name(event.new)
    if event.what == "index":
        index = catalog._drop_index(old)
        if index is not None:
            index.name = new
            catalog._add_index(index)
        return
    if event.what not in ("view", "materialized view"):
        return  # no rule asks the schema for a renamed type, function, sequence or schema
    view = catalog.views.pop(old, None)  # ALTER VIEW renames a materialized view too
    if view is not None:
        view.name = new
        catalog.views[new] = view


def _drop_object(catalog: Catalog, event: ir.DropObject) -> None:
    name = _name(event.name)
    if event.what in ("view", "materialized view"):
        catalog.views.pop(name, None)
    elif event.what in ("type", "domain"):
        catalog.enums.pop(name, None)
    elif event.what == "sequence":
        catalog.sequences.pop(name, None)
    elif event.what == "schema":
        catalog.schemas.pop(name.name, None)
    elif event.what == "extension":
        catalog.extensions.pop(name.name, None)


def _schema_object(catalog: Catalog, event: ir.Event, origin: str) -> None:
    if isinstance(event, ir.CreateObject):
        name = _name(event.name)
        if event.what in ("view", "materialized view"):
            materialized = event.what == "materialized view"
            reads = frozenset(_name(t) for t in event.reads)
            catalog.views[name] = View(name, materialized, reads, frozenset(event.columns), origin)
        elif event.what == "sequence":
            catalog.sequences.setdefault(name, origin)
        elif event.what == "extension":
            catalog.extensions.setdefault(name.name, origin)
        elif event.what == "schema" and name.name:  # AUTHORIZATION CURRENT_USER: a name not known here
            catalog.schemas.setdefault(name.name, origin)
    elif isinstance(event, ir.CreateEnum):
        catalog.enums[_name(event.name)] = EnumType(_name(event.name), list(event.values), origin)
    elif isinstance(event, (ir.AddEnumValue, ir.RenameEnumValue)):
        _alter_enum(catalog, event)
    elif isinstance(event, ir.CreateFunction):
        if event.returns in _TRIGGER_RETURNS:
            catalog.trigger_functions.add(_name(event.name))
        else:
            catalog.trigger_functions.discard(_name(event.name))


def _alter_enum(catalog: Catalog, event: ir.AddEnumValue | ir.RenameEnumValue) -> None:
    enum = catalog.enums.get(_name(event.name))
    if enum is None:
        return
    if isinstance(event, ir.RenameEnumValue):
        enum.values = [event.new if v == event.value else v for v in enum.values]
    elif event.value not in enum.values:
        if event.neighbour and event.neighbour in enum.values:
            enum.values.insert(enum.values.index(event.neighbour) + (1 if event.after else 0), event.value)
        else:
            enum.values.append(event.value)


def _table(catalog: Catalog, name: ir.TableName) -> Table:
    """The table, or one older than the history (origin ""), known only because it is altered."""
    key = _name(name)
    table = catalog.tables.get(key)
    if table is None:
        table = catalog.tables[key] = Table(key, origin="")
    return table


def _column(catalog: Catalog, column: ir.Column, origin: str) -> Column:
    default = catalog._shared_tree(column.raw_default) if isinstance(column.raw_default, dict) else None
    # One string per column name: decoded from each statement, every table's "id" was its own.
    name = _interned(column.name)
    return _column_value(catalog, name, _type(catalog, column.raw_type, column.type), column.not_null or column.identity, default, origin)


def _column_value(catalog: Catalog, name: str, type_name: Node | None, not_null: bool, default: Node | None, origin: str) -> Column:
    """The catalog's one Column of this name, type, NOT NULL, default and origin.

    A large migration's tables repeat the same columns ("id" BIGINT NOT NULL in each), and a
    Column of its own for each cost 72 bytes a column, 1 MiB per MB of DDL (docs/robustness.md).
    A Column may thus belong to many tables: the replay never changes one, it puts another in
    its place. The trees are the catalog's shared ones (_shared_tree), kept alive by the Column
    itself, so their ids stay theirs. A model dialect's type (a tree of its own for every
    column) and a front end's own str class get a Column of their own."""
    if type(name) is not str or (type_name is not None and "ModelType" in type_name):
        return Column(name, type_name, not_null, default, origin)
    key = (name, id(type_name), not_null, id(default), origin)
    column = catalog._columns.get(key)
    if column is None:
        column = catalog._columns[key] = Column(name, type_name, not_null, default, origin)
    return column


def _interned(name: str) -> str:
    """One string object for every column of that name; a front end's own str class (SQL
    Server's case-insensitive sql.words.Name) cannot be interned, and is kept as it is."""
    return sys.intern(name) if type(name) is str else name


def _type(catalog: Catalog, raw_type: object, model: str) -> Node:
    """The parser's type where the front end gave it (shared: see Catalog._shared_tree), else the model's."""
    if isinstance(raw_type, dict):
        return catalog._shared_tree(raw_type)
    return {"ModelType": {"name": model}}


def _name(table: ir.TableName) -> TableName:
    return _shared(table.schema, table.name)


def _shared(schema: str, name: str) -> TableName:
    """One TableName for the names seen lately (nodes.shared_name); not for a front end's own
    str class (SQL Server's Name), equal to a name in another case, which the catalog keeps as written."""
    if type(schema) is str and type(name) is str:
        return shared_name(schema, name)
    return TableName(schema, name)
