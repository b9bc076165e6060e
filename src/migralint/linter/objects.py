"""Named objects other than tables (views, types, functions, schemas, extensions, sequences):
which ones a statement brings into existence under a name, for the rules that still read
libpg_query's tree. The statement model says the same with CreateObject and RenameObject
events (sql/postgres/object_names.py builds both, but for a CREATE TABLE's sequences, which
sql/postgres/model.py takes from the columns it reads; tests/sql/test_model_one_reading.py
checks that they agree); rules/drop_object.py reads those.

Running code only breaks when a name it uses disappears. A name that this file created
(or renamed something to) did not exist before the migration, so no running code uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from migralint.sql import ir
from migralint.sql.postgres.nodes import TableName, quote_ident, string_value
from migralint.sql.postgres.object_names import family, named_objects

if TYPE_CHECKING:
    from migralint.linter.catalog import Catalog
    from migralint.linter.context import Context
    from migralint.linter.parse import Statement


class ObjectName(NamedTuple):
    family: str  # object_names.family: a domain is a type, a procedure a function
    name: TableName  # schemas and extensions have no schema: TableName("", name)
    args: tuple[str, ...] | None = None  # a function's input argument types; None: not given

    def matches(self, other: ObjectName) -> bool:
        if self.family != other.family or self.name != other.name:
            return False
        return self.args is None or other.args is None or self.args == other.args

    def sql(self) -> str:
        return quote_ident(self.name.name) if not self.name.schema else self.name.sql()

    def __str__(self) -> str:
        return self.name.name if not self.name.schema else str(self.name)


class Created(NamedTuple):
    object: ObjectName
    certain: bool  # False for OR REPLACE / IF NOT EXISTS: the name may have existed before


_CREATING = frozenset({
    "ViewStmt", "CreateTableAsStmt", "CreateEnumStmt", "CreateRangeStmt", "CompositeTypeStmt", "CreateDomainStmt",
    "DefineStmt", "CreateFunctionStmt", "CreateSchemaStmt", "CreateExtensionStmt", "CreateSeqStmt", "CreateStmt",
    "RenameStmt",
})


def created_objects(statement: Statement) -> tuple[Created, ...]:
    """The names of the families above that `statement` brings into existence.

    Rules ask this of every statement before (or after) the one they check: it is a fact of
    the statement, computed once, so a large file's trees are not parsed again for it."""
    if statement.kind not in _CREATING:
        return ()
    return statement.fact(_created_tuple)


def _created_tuple(statement: Statement) -> tuple[Created, ...]:
    return tuple(created(event) for event in named_objects(statement.kind, statement.node))


def created(event: ir.CreateObject | ir.RenameObject) -> Created:
    """The name an event of the model brings into existence."""
    if isinstance(event, ir.RenameObject):
        return Created(ObjectName(family(event.what), TableName(*event.new)), True)
    return Created(ObjectName(family(event.what), TableName(*event.name), event.args), not event.replaces)


def dropped_name(event: ir.DropObject) -> ObjectName:
    return ObjectName(family(event.what), TableName(*event.name), event.args)


def created_earlier(ctx: Context, obj: ObjectName) -> bool:
    """True when an earlier statement of the file surely created `obj` (or renamed something to it)."""
    return any(c.certain and c.object.matches(obj) for s in ctx.earlier for c in created_objects(s))


def enum_unused(catalog: Catalog, name: ir.TableName) -> bool:
    """An enum type the replayed history knows that no column uses, so no running code can
    still bind a value of it (an enum reaches code through a column)."""
    enum = catalog.enums.get(TableName(*name))
    if enum is None:
        return False
    # Every column of the history is looked at: its type's last name first, without a list of
    # its names (that list for each column cost 0.3 ms a DROP TYPE over the corpus's catalogs).
    for table in catalog.tables.values():
        for column in table.columns.values():
            if column.type_name is None:
                return False  # a column of unknown type might be of it
            names = column.type_name.get("names")
            if names and string_value(names[-1]) == name.name and (len(names) == 1 or string_value(names[-2]) == name.schema):
                return False
    return True
