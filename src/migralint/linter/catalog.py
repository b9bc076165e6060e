"""The schema as the migrations so far have built it, replayed without a database.

Every migration before the one being linted is replayed, in the layout's order, statement by
statement; so is the file being linted, up to the statement being checked. Each object
remembers the migration that created it ("" for objects that existed before the history
began, known only because a migration altered them), which is how rules tell a table created by a pending
migration (no rows yet) from one that production has filled. Statements the catalog does not
model are skipped: it never fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from migralint.linter.constraint_names import default_constraint_name
from migralint.linter.schema_objects import Column, Constraint, EnumType, Index, Table, View
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    alter_table_commands,
    string_value,
    unwrap,
    walk,
)
from migralint.linter.parse import Statement
from migralint.sql import ir


_LOCATION = re.compile(r'"location": \d+')
_CONSTRAINT_KINDS = {
    "CONSTR_CHECK": "check",
    "CONSTR_FOREIGN": "foreign",
    "CONSTR_UNIQUE": "unique",
    "CONSTR_PRIMARY": "primary",
    "CONSTR_EXCLUSION": "exclusion",
    "CONSTR_NOTNULL": "not_null",
}
_COLUMN_COMMANDS = frozenset({"AT_AlterColumnType", "AT_SetNotNull", "AT_DropNotNull", "AT_ColumnDefault"})
_DEFAULT_NAME_LABELS = {"check": "check", "foreign": "fkey", "unique": "key", "exclusion": "excl", "not_null": "not_null"}


class Catalog:
    def __init__(self) -> None:
        self.schemas: dict[str, str] = {}  # name -> origin
        self.tables: dict[TableName, Table] = {}
        self.views: dict[TableName, View] = {}
        self.indexes: dict[TableName, Index] = {}  # every index by name; each table lists its own
        self.enums: dict[TableName, EnumType] = {}
        self.sequences: dict[TableName, str] = {}
        self.extensions: dict[str, str] = {}
        # Functions declared RETURNS trigger: only triggers call them, never application code.
        self.trigger_functions: set[TableName] = set()
        self._origin = ""
        # One shared TypeName tree per distinct column type (see _shared_type).
        self._types: dict[str, Node] = {}
        self._handlers = self._handler_table()

    # A snapshot of the catalog is pickled into the result cache (cache.py); the handler table
    # holds bound methods and a lambda, so it is rebuilt on load instead of pickled.
    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_handlers"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._handlers = self._handler_table()

    def _handler_table(self) -> dict[str, Callable[[Node], None]]:
        return {
            "CreateSchemaStmt": self._create_schema,
            "CreateStmt": self._create_table,
            "CreateTableAsStmt": self._create_table_as,
            "ViewStmt": self._create_view,
            "AlterTableStmt": self._alter_table,
            "RenameStmt": self._rename,
            "IndexStmt": self._create_index,
            "DropStmt": self._drop,
            "CreateEnumStmt": self._create_enum,
            "AlterEnumStmt": self._alter_enum,
            "CreateSeqStmt": self._create_sequence,
            "CreateExtensionStmt": self._create_extension,
            "CreateFunctionStmt": self._create_function,
            "TruncateStmt": lambda node: None,
        }

    # -- questions rules ask ----------------------------------------------------------

    def table(self, name: TableName) -> Table | None:
        return self.tables.get(name)

    def column(self, table: TableName, column: str) -> Column | None:
        found = self.tables.get(table)
        return found.columns.get(column) if found else None

    def constraints_of(self, table: TableName) -> Iterator[Constraint]:
        found = self.tables.get(table)
        return iter(list(found.constraints.values()) if found else ())

    def indexes_of(self, table: TableName) -> Iterator[Index]:
        found = self.tables.get(table)
        return iter([self.indexes[i] for i in sorted(found.index_names) if i in self.indexes] if found else ())

    def views_reading(self, table: TableName) -> Iterator[View]:
        return (v for v in self.views.values() if table in v.tables)

    def foreign_keys_to(self, table: TableName) -> Iterator[Constraint]:
        return (
            c
            for owner in self.tables.values()
            if owner.name != table
            for c in owner.constraints.values()
            if c.kind == "foreign" and c.references == table
        )

    def still_using(self, table: TableName, column: str | None = None, *, since: str = "") -> list[str]:
        """What later migrations made that still uses `table` (or its `column`): indexes,
        views, foreign keys from other tables, each with the migration that made it. Objects
        made by migration `since` (the one that created the table or column) are left out."""
        uses = self._uses(table, column)
        return [text for origin, text in uses if origin != since or not since]

    def _uses(self, table: TableName, column: str | None) -> list[tuple[str, str]]:
        uses = []
        for index in self.indexes_of(table):
            if column is None or column in index.columns:
                uses.append((index.origin, f'index "{index.name.name}"{_made_by(index.origin)}'))
        for view in self.views.values():
            if table in view.tables and (column is None or column in view.columns):
                kind = "materialized view" if view.materialized else "view"
                uses.append((view.origin, f'{kind} "{view.name}"{_made_by(view.origin)}'))
        for fk in self.foreign_keys_to(table):
            if column is None or column in (fk.referenced_columns or self._primary_key(table)):
                uses.append((fk.origin, f'foreign key "{fk.name}" on "{fk.table}"{_made_by(fk.origin)}'))
        return uses

    def _primary_key(self, table: TableName) -> tuple[str, ...]:
        return next((c.columns for c in self.constraints_of(table) if c.kind == "primary"), ())

    # -- replay -----------------------------------------------------------------------

    def apply(self, statement: Statement, origin: str) -> None:
        handler = self._handlers.get(statement.kind)
        if handler is None:
            return
        self._origin = origin
        try:
            handler(statement.node)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            # A statement shape the catalog does not understand is skipped, never an error:
            # the catalog may then know less, which only makes rules more cautious.
            pass

    def _create_schema(self, node: Node) -> None:
        name = node.get("schemaname")
        if name and name not in self.schemas:
            self.schemas[name] = self._origin

    def _create_table(self, node: Node) -> None:
        name = TableName.from_range_var(node["relation"])
        if name in self.tables and node.get("if_not_exists"):
            return
        self._forget_table(name)
        table = Table(name, partitioned="partspec" in node, origin=self._origin)
        parents = [TableName.from_range_var(unwrap(p)[1]) for p in node.get("inhRelations", ())]
        if "partbound" in node and parents:
            table.partition_of = parents[0]
            parent = self.tables.get(parents[0])
            if parent:  # a partition has its parent's columns
                table.columns = {n: Column(c.name, c.type_name, c.not_null, c.default, self._origin) for n, c in parent.columns.items()}
        self.tables[name] = table
        for element in node.get("tableElts", ()):
            kind, body = unwrap(element)
            if kind == "ColumnDef":
                self._add_column(table, body)
            elif kind == "Constraint":
                self._add_constraint(table, body)

    def _create_table_as(self, node: Node) -> None:
        relation = node.get("into", {}).get("rel")
        if not relation:
            return
        name = TableName.from_range_var(relation)
        if node.get("objtype") == "OBJECT_MATVIEW":
            self.views[name] = View(name, True, *_read_by(node.get("query")), origin=self._origin)
        else:
            self._forget_table(name)
            self.tables[name] = Table(name, origin=self._origin)

    def _create_view(self, node: Node) -> None:
        name = TableName.from_range_var(node["view"])
        self.views[name] = View(name, False, *_read_by(node.get("query")), origin=self._origin)

    def _add_column(self, table: Table, column_def: Node) -> None:
        name = column_def.get("colname", "")
        column = Column(name, self._shared_type(column_def.get("typeName", {})), origin=self._origin)
        table.columns[name] = column
        for item in column_def.get("constraints", ()):
            constraint = unwrap(item)[1]
            contype = constraint.get("contype")
            if contype in ("CONSTR_NOTNULL", "CONSTR_PRIMARY", "CONSTR_IDENTITY"):
                column.not_null = True
            if contype == "CONSTR_DEFAULT":
                column.default = constraint.get("raw_expr")
            if contype in ("CONSTR_CHECK", "CONSTR_FOREIGN", "CONSTR_UNIQUE", "CONSTR_PRIMARY"):
                self._add_constraint(table, constraint, columns=(name,))

    def _shared_type(self, type_name: Node) -> Node:
        """The column's TypeName, shared with every column of the same type.

        A TypeName tree costs about 4 KiB as Python dicts, and each column kept its own copy,
        differing only in its byte locations: a 20 MB migration of CREATE TABLEs held a gigabyte
        of them (docs/robustness.md). A location in another statement means nothing to the
        readers of the catalog, which only ask whether the parser gave one (column_types.
        written_typmods: an implicit typmod has -1), so locations become 0 and -1 stays -1.
        Shared trees are read, never changed.
        """
        key = _LOCATION.sub('"location": 0', json.dumps(type_name))
        shared = self._types.get(key)
        if shared is None:
            shared = self._types[key] = json.loads(key)
        return shared

    def _add_constraint(self, table: Table, node: Node, columns: tuple[str, ...] = ()) -> None:
        kind = _CONSTRAINT_KINDS.get(node.get("contype", ""))
        if kind is None:
            return
        keys = node.get("keys") or node.get("fk_attrs") or []
        columns = tuple(string_value(k) for k in keys) or columns
        if kind == "check" and not columns:
            columns = tuple(sorted({_column_ref_name(ref) for _, ref in walk(node.get("raw_expr")) if "fields" in ref} - {""}))
        if kind in ("primary", "not_null"):
            for column_name in columns:
                if column_name in table.columns:
                    table.columns[column_name].not_null = True
        name = node.get("conname") or _default_constraint_name(table.name, columns, kind)
        references = TableName.from_range_var(node["pktable"]) if kind == "foreign" and "pktable" in node else None
        referenced = tuple(string_value(k) for k in node.get("pk_attrs", ()))
        validated = not node.get("skip_validation", False)
        table.constraints[name] = Constraint(
            table.name, name, kind, validated, columns, node.get("raw_expr"), references, referenced, self._origin
        )
        if kind in ("primary", "unique") and not node.get("indexname"):
            index = Index(TableName(table.name.schema, name), table.name, True, False, True, columns, self._origin, True)
            self._add_index(index)

    def _alter_table(self, node: Node) -> None:
        if node.get("objtype") not in ("OBJECT_TABLE", None) or "relation" not in node:
            return
        name = TableName.from_range_var(node["relation"])
        table = self.tables.get(name)
        if table is None:  # older than the history: remember what this migration says of it
            table = self.tables[name] = Table(name, origin="")
        for cmd in alter_table_commands(node):
            self._alter_table_command(table, cmd)

    def _alter_table_command(self, table: Table, cmd: Node) -> None:
        subtype = cmd.get("subtype")
        column_name = cmd.get("name", "")
        column = table.columns.get(column_name)
        if column is None and column_name and subtype in _COLUMN_COMMANDS:
            column = table.columns[column_name] = Column(column_name, None, origin="")
        definition = unwrap(cmd["def"])[1] if cmd.get("def") else None
        if subtype == "AT_AddColumn" and definition is not None:
            if not (cmd.get("missing_ok") and definition.get("colname") in table.columns):
                self._add_column(table, definition)
        elif subtype == "AT_DropColumn":
            # PostgreSQL drops the column's indexes and constraints with it.
            table.columns.pop(column_name, None)
            for name in [n for n, c in table.constraints.items() if column_name in c.columns]:
                del table.constraints[name]
            for index in [i for i in self.indexes_of(table.name) if column_name in i.columns]:
                self._drop_index(index.name)
        elif subtype == "AT_AlterColumnType" and column is not None and definition is not None:
            if "typeName" in definition:
                column.type_name = self._shared_type(definition["typeName"])
        elif subtype == "AT_SetNotNull" and column is not None:
            column.not_null = True
        elif subtype == "AT_DropNotNull" and column is not None:
            column.not_null = False
        elif subtype == "AT_ColumnDefault" and column is not None:
            column.default = cmd.get("def")
        elif subtype == "AT_AddConstraint" and definition is not None:
            self._add_constraint(table, definition)
        elif subtype == "AT_ValidateConstraint":
            constraint = table.constraints.get(cmd.get("name", ""))
            if constraint is not None:
                constraint.validated = True
        elif subtype == "AT_DropConstraint":
            table.constraints.pop(cmd.get("name", ""), None)
            self._drop_index(TableName(table.name.schema, cmd.get("name", "")))

    def _rename(self, node: Node) -> None:
        kind = node.get("renameType")
        new = node.get("newname", "")
        if kind == "OBJECT_TABLE":
            old = TableName.from_range_var(node["relation"])
            table = self.tables.pop(old, None)
            if table is not None:
                table.name = TableName(old.schema, new)
                self.tables[table.name] = table
                self._retarget(old, table.name)
        elif kind == "OBJECT_COLUMN":
            table = self.tables.get(TableName.from_range_var(node["relation"]))
            column = table.columns.pop(node.get("subname", ""), None) if table else None
            if table is not None and column is not None:
                old_name, column.name = column.name, new
                table.columns[new] = column
                self._rename_column_uses(table.name, old_name, new)
        elif kind == "OBJECT_INDEX":
            old = TableName.from_range_var(node["relation"])
            index = self._drop_index(old)
            if index is not None:
                index.name = TableName(old.schema, new)
                self._add_index(index)
        elif kind == "OBJECT_TABCONSTRAINT":
            owner = self.tables.get(TableName.from_range_var(node["relation"]))
            constraint = owner.constraints.pop(node.get("subname", ""), None) if owner else None
            if owner is not None and constraint is not None:
                constraint.name = new
                owner.constraints[new] = constraint
        elif kind in ("OBJECT_VIEW", "OBJECT_MATVIEW"):
            old = TableName.from_range_var(node["relation"])
            view = self.views.pop(old, None)
            if view is not None:
                view.name = TableName(old.schema, new)
                self.views[view.name] = view

    def _rename_column_uses(self, table: TableName, old: str, new: str) -> None:
        def renamed(columns: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if c == old else c for c in columns)

        for index in self.indexes_of(table):
            index.columns = renamed(index.columns)
        for constraint in self.constraints_of(table):
            constraint.columns = renamed(constraint.columns)

    def _retarget(self, old: TableName, new: TableName) -> None:
        for index in self.indexes_of(new):
            index.table = new
        for owner in self.tables.values():
            for constraint in owner.constraints.values():
                if constraint.table == old:
                    constraint.table = new
                if constraint.references == old:
                    constraint.references = new

    def _create_index(self, node: Node) -> None:
        table = TableName.from_range_var(node["relation"])
        if table not in self.tables and table not in self.views:
            self.tables[table] = Table(table, origin="")  # older than the history
        columns = tuple(p["IndexElem"].get("name", "") for p in node.get("indexParams", ()) if "IndexElem" in p)
        name = node.get("idxname") or _default_index_name(table, columns)
        index = TableName(table.schema, name)
        if index in self.indexes and node.get("if_not_exists"):
            return
        self._add_index(Index(index, table, bool(node.get("unique")), "whereClause" in node, True, columns, self._origin))

    def _add_index(self, index: Index) -> None:
        self._drop_index(index.name)
        self.indexes[index.name] = index
        owner = self.tables.get(index.table)
        if owner is not None:
            owner.index_names.add(index.name)

    def _drop_index(self, name: TableName) -> Index | None:
        index = self.indexes.pop(name, None)
        if index is not None and (owner := self.tables.get(index.table)) is not None:
            owner.index_names.discard(name)
        return index

    def _drop(self, node: Node) -> None:
        kind = node.get("removeType")
        for obj in node.get("objects", ()):
            item_kind, item = unwrap(obj)
            if item_kind == "String":
                name = TableName("public", string_value(obj))
                simple = string_value(obj)
            elif item_kind == "List":
                name = TableName.from_names(item.get("items", []))
                simple = name.name
            elif item_kind == "TypeName":
                name = TableName.from_names(item.get("names", []))
                simple = name.name
            else:
                continue
            if kind == "OBJECT_TABLE":
                self._forget_table(name)
            elif kind == "OBJECT_INDEX":
                self._drop_index(name)
            elif kind in ("OBJECT_VIEW", "OBJECT_MATVIEW"):
                self.views.pop(name, None)
            elif kind in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
                self.enums.pop(name, None)
            elif kind == "OBJECT_SEQUENCE":
                self.sequences.pop(name, None)
            elif kind == "OBJECT_SCHEMA":
                self.schemas.pop(simple, None)
            elif kind == "OBJECT_EXTENSION":
                self.extensions.pop(simple, None)

    def _forget_table(self, name: TableName) -> None:
        table = self.tables.pop(name, None)
        for index in table.index_names if table else ():
            self.indexes.pop(index, None)

    def _create_enum(self, node: Node) -> None:
        name = TableName.from_names(node.get("typeName", []))
        values = [string_value(v) for v in node.get("vals", ())]
        self.enums[name] = EnumType(name, values, self._origin)

    def _alter_enum(self, node: Node) -> None:
        enum = self.enums.get(TableName.from_names(node.get("typeName", [])))
        if enum is None:
            return
        if node.get("oldVal"):
            enum.values = [node["newVal"] if v == node["oldVal"] else v for v in enum.values]
        elif node.get("newVal") and node["newVal"] not in enum.values:
            neighbour = node.get("newValNeighbor")
            if neighbour in enum.values:
                at = enum.values.index(neighbour) + (1 if node.get("newValIsAfter") else 0)
                enum.values.insert(at, node["newVal"])
            else:
                enum.values.append(node["newVal"])

    def _create_sequence(self, node: Node) -> None:
        self.sequences.setdefault(TableName.from_range_var(node["sequence"]), self._origin)

    def _create_function(self, node: Node) -> None:
        name = TableName.from_names(node.get("funcname", []))
        returns = [string_value(n) for n in node.get("returnType", {}).get("names", [])]
        if returns and returns[-1] in ("trigger", "event_trigger"):
            self.trigger_functions.add(name)
        else:
            self.trigger_functions.discard(name)

    def _create_extension(self, node: Node) -> None:
        self.extensions.setdefault(node.get("extname", ""), self._origin)


def _made_by(origin: str) -> str:
    return f" (from {origin})" if origin else ""


def _column_ref_name(column_ref: Node) -> str:
    fields = [f for f in column_ref.get("fields", ()) if "String" in f]
    return string_value(fields[-1]) if fields else ""


def _read_by(query: Node | None) -> tuple[frozenset[TableName], frozenset[str]]:
    """The tables a view's query reads and the column names it mentions."""
    tables, columns = set(), set()
    for kind, body in walk(query):
        if kind == "RangeVar":
            tables.add(TableName.from_range_var(body))
        elif kind == "ColumnRef":
            columns.add(_column_ref_name(body))
    return frozenset(tables), frozenset(columns)


def _default_constraint_name(table: TableName, columns: tuple[str, ...], kind: str) -> str:
    if kind == "primary":
        return default_constraint_name(table, [], "pkey")
    return default_constraint_name(table, list(columns[:1] if kind == "check" else columns), _DEFAULT_NAME_LABELS[kind])


def _default_index_name(table: TableName, columns: tuple[str, ...]) -> str:
    return default_constraint_name(table, [c for c in columns if c] or ["expr"], "idx")
