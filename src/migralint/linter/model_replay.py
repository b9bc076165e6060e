"""Replaying a statement of the model (`sql.ir`) into the catalog: what Catalog.apply does for
libpg_query's tree, from the neutral events, for the dialects that have only the model.

The catalog's own objects are used (Table, Column, Index, Constraint), so the questions rules
ask of it (where a table comes from, what still uses a column) get one answer whatever the
dialect. A model column's type is kept in `Column.type_name` as {"ModelType": {"name": type}}:
libpg_query's TypeName has no such key, so no PostgreSQL reader mistakes it for one of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.sql.postgres.nodes import TableName
from migralint.linter.schema_objects import Column, Constraint, Index, Table
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.catalog import Catalog

_KINDS = {
    ir.ConstraintKind.PRIMARY_KEY: "primary",
    ir.ConstraintKind.UNIQUE: "unique",
    ir.ConstraintKind.FOREIGN_KEY: "foreign",
    ir.ConstraintKind.CHECK: "check",
    ir.ConstraintKind.EXCLUSION: "exclusion",
}


def model_type(column: Column) -> str | None:
    """The type a model column was last given, as ir.Column.type; None when unknown."""
    node = column.type_name
    if isinstance(node, dict) and "ModelType" in node:
        name = node["ModelType"].get("name")
        return name if isinstance(name, str) else None
    return None


def apply_model(catalog: Catalog, statement: ir.Statement, origin: str) -> None:
    """Replay a statement of the model (a dialect with only the model: MySQL) as Catalog.apply
    replays libpg_query's: its events in order, each skipped where the catalog cannot follow it.

    Here, not a Catalog method, so that the catalog does not import this module back."""
    catalog._origin = origin
    for event in statement.events:
        try:
            apply_event(catalog, event, origin)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            pass


def apply_event(catalog: Catalog, event: ir.Event, origin: str) -> None:
    if isinstance(event, ir.CreateTable):
        name = _name(event.table)
        catalog._forget_table(name)
        table = catalog.tables[name] = Table(name, origin=origin)
        for column in event.columns:
            table.columns[column.name] = _column(column, origin)
    elif isinstance(event, ir.DropTable):
        catalog._forget_table(_name(event.table))
    elif isinstance(event, ir.RenameTable):
        old, new = _name(event.table), _name(event.new)
        renamed = catalog.tables.pop(old, None)
        if renamed is not None:
            renamed.name = new
            catalog.tables[new] = renamed
            catalog._retarget(old, new)
    elif isinstance(event, ir.AddColumn):
        _table(catalog, event.table).columns[event.column.name] = _column(event.column, origin)
    elif isinstance(event, ir.DropColumn):
        _table(catalog, event.table).columns.pop(event.column, None)
    elif isinstance(event, ir.RenameColumn):
        owner = _table(catalog, event.table)
        moved = owner.columns.pop(event.column, None)
        if moved is not None:
            moved.name = event.new
            owner.columns[event.new] = moved
            catalog._rename_column_uses(owner.name, event.column, event.new)
    elif isinstance(event, (ir.AlterColumnType, ir.SetNotNull)):
        _alter_column(catalog, event, origin)
    elif isinstance(event, ir.AddConstraint):
        _add_constraint(catalog, event, origin)
    elif isinstance(event, ir.DropConstraint):
        _table(catalog, event.table).constraints.pop(event.name, None)
    elif isinstance(event, ir.CreateIndex):
        indexed = _name(event.table)
        _table(catalog, event.table)
        index_name = TableName(indexed.schema, event.name or "_".join(event.columns))
        catalog._add_index(Index(index_name, indexed, event.unique, False, True, event.columns, origin))
    elif isinstance(event, ir.DropIndex):
        if event.table is not None:
            catalog._drop_index(TableName(event.table.schema, event.name.name))
        else:
            catalog._drop_index(_name(event.name))


def _alter_column(catalog: Catalog, event: ir.AlterColumnType | ir.SetNotNull, origin: str) -> None:
    table = _table(catalog, event.table)
    column = table.columns.get(event.column)
    if column is None:
        column = table.columns[event.column] = Column(event.column, None, origin="")
    if isinstance(event, ir.AlterColumnType):
        column.type_name = {"ModelType": {"name": event.type}}
    else:
        column.not_null = event.not_null


def _add_constraint(catalog: Catalog, event: ir.AddConstraint, origin: str) -> None:
    table = _table(catalog, event.table)
    kind = _KINDS[event.kind]
    name = event.name or f"{table.name.name}_{'_'.join(event.columns)}_{kind}"
    references = _name(event.references) if event.references is not None else None
    table.constraints[name] = Constraint(
        table.name, name, kind, event.validated, event.columns, None, references, (), origin, event.on_delete
    )
    if kind == "primary":
        for column in event.columns:
            if column in table.columns:
                table.columns[column].not_null = True


def _table(catalog: Catalog, name: ir.TableName) -> Table:
    """The table, or one older than the history (origin ""), known only because it is altered."""
    key = _name(name)
    table = catalog.tables.get(key)
    if table is None:
        table = catalog.tables[key] = Table(key, origin="")
    return table


def _column(column: ir.Column, origin: str) -> Column:
    return Column(column.name, {"ModelType": {"name": column.type}}, column.not_null, None, origin)


def _name(table: ir.TableName) -> TableName:
    return TableName(table.schema, table.name)
