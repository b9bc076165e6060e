"""The schema as the migrations so far have built it, replayed without a database.

Every migration before the one being linted is replayed, in the layout's order, statement by
statement; so is the file being linted, up to the statement being checked. Each object
remembers the migration that created it ("" for objects that existed before the history
began, known only because a migration altered them), which is how rules tell a table created by a pending
migration (no rows yet) from one that production has filled. Statements the catalog does not
model are skipped: it never fails.

What each statement changes comes from the statement model (`sql.ir` events, built by each
dialect's front end) and is replayed by linter/model_replay.py, for PostgreSQL as for the other
dialects, PostgreSQL's DROP statements included (their DropObject events name schemas and
extensions `TableName("", name)` and an unqualified object in "public", as the catalog keys them).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from itertools import islice
from typing import Any

from migralint.linter.schema_objects import Column, Constraint, EnumType, Index, Table, View
from migralint.sql.postgres.nodes import Node, TableName

_LOCATION = re.compile(r'"location": \d+')
_REPR_LOCATION = re.compile(r"'location': \d+")
# The Catalog's dicts that grow with the schema, in the parts of a snapshot (snapshot_parts).
_PARTED = ("tables", "views", "indexes", "enums", "sequences")
_PART_ITEMS = 1000


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
        # One shared tree per distinct column type or default (see _shared_tree).
        self._types: dict[object, Node] = {}
        # One tuple per distinct list of column names (see _shared_names).
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}
        # One Column per distinct column (see model_replay._column_value), keyed by the ids of
        # its shared trees: never written to a snapshot, where those ids mean nothing.
        self._columns: dict[tuple[object, ...], Column] = {}
        # Each foreign key under the table it references (and each table a rename retargeted it
        # to), with the table that owns it: see foreign_keys_to. None until first asked; never
        # written to a snapshot, whose parts are pickled apart (its objects are not these).
        self._foreign: dict[TableName, list[tuple[Table, Constraint]]] | None = None

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
        """The foreign keys of other tables that reference `table`, in the order of the tables
        and of their constraints. Asked for every history note: looking at every constraint of
        the history for each was about 1% of a cold run over the Prisma corpus. Only the keys
        noted under `table` are looked at, each still where it was noted (its table in the
        catalog under its name, it in its table under its name) and still referencing `table`."""
        if self._foreign is None:
            self._foreign = {}
            for owner in self.tables.values():
                for constraint in owner.constraints.values():
                    self._note_foreign_key(owner, constraint)
        live: list[tuple[Table, Constraint]] = []
        for owner, c in self._foreign.get(table, ()):
            if (
                self.tables.get(owner.name) is owner and owner.constraints.get(c.name) is c
                and c.references == table and c.kind == "foreign" and owner.name != table
                and all(c is not seen for _, seen in live)  # noted again after two renames
            ):
                live.append((owner, c))
        if len(live) > 1:
            names = list(self.tables)
            live.sort(key=lambda pair: (names.index(pair[0].name), list(pair[0].constraints).index(pair[1].name)))
        return iter([c for _, c in live])

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

    # -- the result cache's snapshot (cache.py) ------------------------------------------

    def snapshot_parts(self) -> Iterator[object]:
        """The catalog cut into parts the cache pickles each on its own: first the catalog
        without its large dicts, then their items a thousand at a time. One pickle of a large
        catalog remembered every object it wrote until its end (docs/robustness.md)."""
        head = Catalog.__new__(Catalog)
        head.__dict__.update(self.__dict__)
        for attribute in _PARTED:
            setattr(head, attribute, {})
        head._columns = {}
        head._foreign = None
        yield head
        for attribute in _PARTED:
            items = iter(getattr(self, attribute).items())
            while part := list(islice(items, _PART_ITEMS)):
                yield attribute, part

    @classmethod
    def from_snapshot_parts(cls, head: Catalog, parts: Iterator[object]) -> Catalog | None:
        """The catalog `snapshot_parts` cut; None when a part is not one it makes. Each part was
        pickled on its own, with its own copy of each column type and default: they are shared
        again (see _shared_tree), one lookup for each tree a part holds."""
        head._columns = {}  # a snapshot of cache format 3 has none
        head._foreign = None  # found again when first asked, from the objects just loaded
        for part in parts:
            if not (isinstance(part, tuple) and len(part) == 2 and part[0] in _PARTED and isinstance(part[1], list)):
                return None
            attribute, items = part
            getattr(head, attribute).update(items)
            if attribute == "tables":
                shared: dict[int, Node] = {}
                for _, table in items:
                    for column in table.columns.values():
                        column.type_name = head._shared_again(column.type_name, shared)
                        column.default = head._shared_again(column.default, shared)
        return head

    def _shared_again(self, tree: Node | None, shared: dict[int, Node]) -> Node | None:
        if tree is None:
            return None
        found = shared.get(id(tree))
        if found is None:
            found = shared[id(tree)] = self._shared_tree(tree)
        return found

    # -- what the replay (model_replay.py) changes it through ---------------------------

    def _shared_tree(self, tree: Node) -> Node:
        """The column's TypeName or DEFAULT expression, shared with every column of the same.

        A TypeName tree costs about 4 KiB as Python dicts, and each column kept its own copy,
        differing only in its byte locations: a 20 MB migration of CREATE TABLEs held a gigabyte
        of them (docs/robustness.md); its DEFAULT CURRENT_TIMESTAMPs another 370 bytes a table.
        A location in another statement means nothing to the readers of the catalog, which only
        ask whether the parser gave one (column_types.written_typmods: an implicit typmod has
        -1) or whether a column has a default at all (model_view.ModelView.column), so locations
        become 0 and -1 stays -1. Shared trees are read, never changed.
        """
        # Most column types are plain TypeNames, keyed by their parts (_plain_type_key): a
        # fifth of the cost of their text. Any other tree's key is its repr with its locations 0:
        # made in C at half the cost of json.dumps, and as exact (one text per tree). Where a
        # string in the tree holds a single quote, repr writes it between double quotes, and a
        # "'location': 1" in it would read as a location: such a tree is keyed by its JSON text
        # instead, which escapes every quote inside a string. The shared tree is always decoded
        # from that JSON text.
        key: object = _constant_key(tree) if len(tree) == 1 else _plain_type_key(tree)
        json_text: str | None = None
        if key is None:
            text = repr(tree)
            if '"' in text:
                json_text = _json_text(tree)
                if json_text is None:  # not libpg_query's JSON (another front end's tree): kept as it is
                    return tree
                key = json_text
            else:
                key = _REPR_LOCATION.sub("'location': 0", text)
        shared = self._types.get(key)
        if shared is None:
            # A copy of the tree with its locations 0, as its JSON text would decode: writing
            # and decoding the text cost each new type or default 2.8 times as much (7.4 us
            # against 2.7, timeit), 28 million instructions of the corpus's cold lint (callgrind,
            # 2026-12-07). A tree holding anything else (another front end's values) goes
            # through the JSON text, which decides as before.
            found = _zeroed(tree) if json_text is None else None
            if found is None:
                if json_text is None:
                    json_text = _json_text(tree)
                    if json_text is None:
                        return tree
                found = json.loads(json_text)
            shared = self._types[key] = found
        return shared

    def _shared_names(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """`names` (a constraint's or an index's columns), one tuple and one string each for
        every object that names the same columns: decoded from each statement's tree, every
        column name was a string of its own, 50 bytes or more, in each table of a large file."""
        if not all(type(n) is str for n in names):
            return names  # a front end's own str class (SQL Server's Name) may compare equal in another case
        shared = self._names.get(names)
        if shared is None:
            shared = self._names[names] = tuple(sys.intern(n) for n in names)
        return shared

    def _rename_column_uses(self, table: TableName, old: str, new: str) -> None:
        def renamed(columns: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if c == old else c for c in columns)

        for index in self.indexes_of(table):
            index.columns = self._shared_names(renamed(index.columns))
        for constraint in self.constraints_of(table):
            constraint.columns = self._shared_names(renamed(constraint.columns))

    def _retarget(self, old: TableName, new: TableName) -> None:
        for index in self.indexes_of(new):
            index.table = new
        for owner in self.tables.values():
            for constraint in owner.constraints.values():
                if constraint.table == old:
                    constraint.table = new
                if constraint.references == old:
                    constraint.references = new
                    self._note_foreign_key(owner, constraint)

    def _note_foreign_key(self, owner: Table, constraint: Constraint) -> None:
        """Note a foreign key of `owner` that the catalog holds now (see foreign_keys_to)."""
        if self._foreign is not None and constraint.kind == "foreign" and constraint.references is not None:
            self._foreign.setdefault(constraint.references, []).append((owner, constraint))

    def _add_index(self, index: Index) -> None:
        self._drop_index(index.name)
        self.indexes[index.name] = index
        owner = self.tables.get(index.table)
        if owner is not None:
            if index.name not in owner.index_names:
                owner.index_names += (index.name,)

    def _drop_index(self, name: TableName) -> Index | None:
        index = self.indexes.pop(name, None)
        if index is not None and (owner := self.tables.get(index.table)) is not None:
            owner.index_names = tuple(n for n in owner.index_names if n != name)
        return index

    def _forget_table(self, name: TableName) -> None:
        table = self.tables.pop(name, None)
        for index in table.index_names if table else ():
            self.indexes.pop(index, None)

def _json_text(tree: Node) -> str | None:
    """The tree as JSON with its locations 0 (-1 stays -1); None when it is not JSON."""
    try:
        return _LOCATION.sub('"location": 0', json.dumps(tree))
    except (TypeError, ValueError):
        return None


class _NotPlain(Exception):
    """A value in a tree that its JSON text would not give back as it is."""


def _zeroed(tree: Node) -> Node | None:
    """json.loads(_json_text(tree)) where the tree holds only what JSON gives back unchanged
    (dicts of str keys, lists, str, int, bool, None): a copy with every "location" of a
    non-negative int 0. None for any other tree."""
    try:
        copied: Node = _zeroed_value(tree)
    except (_NotPlain, RecursionError):
        return None
    return copied


def _zeroed_value(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        copied: dict[str, object] = {}
        for key, item in value.items():
            if type(key) is not str or '"' in key:
                # json.dumps writes a number key as its text; _LOCATION reads a key ending in
                # a quote and "location" as a location (libpg_query's keys hold neither)
                raise _NotPlain
            if key == "location" and type(item) is int and item >= 0:
                copied[key] = 0
            else:
                copied[key] = _zeroed_value(item)
        return copied
    if kind is list:
        return [_zeroed_value(item) for item in value]
    if kind is str or kind is int or kind is bool or value is None:
        return value
    raise _NotPlain  # a float, a tuple, another front end's object: through the JSON text


# The fields of a plain TypeName (`text`, `pg_catalog.int4`, `varchar(255)`, `timestamp(3)`).
_PLAIN_TYPE = frozenset({"names", "typemod", "location"})
_PLAIN_TYPE_MODS = frozenset({"names", "typmods", "typemod", "location"})
_CONSTANT = frozenset({"ival", "location"})  # A_Const of an integer typmod


def _plain_type_key(tree: Node) -> tuple[object, ...] | None:
    """A key for a TypeName of names, integer typmods and typemod alone, as exact as its text
    with the locations 0: two trees have the same key when they differ in their locations only
    (each one 0 or more). None for any other tree."""
    keys = tree.keys()
    if keys != _PLAIN_TYPE and keys != _PLAIN_TYPE_MODS:
        return None
    names, typemod, location = tree["names"], tree["typemod"], tree["location"]
    if type(names) is not list or type(typemod) is not int or type(location) is not int or location < 0:
        return None
    parts: list[object] = []
    for name in names:
        string = name.get("String") if type(name) is dict and len(name) == 1 else None
        if type(string) is not dict or len(string) != 1 or type(text := string.get("sval")) is not str:
            return None
        parts.append(text)
    parts.append(typemod)  # an int: never taken for a name
    typmods = tree.get("typmods")
    if typmods is not None and (type(typmods) is not list or not typmods):
        return None  # an empty list is not the same tree as none: libpg_query writes neither
    for typmod in typmods or ():
        constant = typmod.get("A_Const") if type(typmod) is dict and len(typmod) == 1 else None
        if type(constant) is not dict or constant.keys() != _CONSTANT:
            return None
        value, at = constant["ival"], constant["location"]
        if type(value) is not dict or type(at) is not int or at < 0:
            return None
        if not value:  # libpg_query leaves out a 0
            parts.append(None)
        elif len(value) == 1 and type(number := value.get("ival")) is int:
            parts.append((number,))
        else:
            return None
    return tuple(parts)


_CONSTANTS = frozenset({"A_Const", "SQLValueFunction"})


def _constant_key(tree: Node) -> tuple[object, ...] | None:
    """A key for the commonest defaults, a constant or CURRENT_TIMESTAMP and the like: nodes of
    plain values (and of one-level dicts of them, `{"ival": {"ival": 0}}`) beside their location.
    As exact as their text with the locations 0 (-1 kept): each value with its type, in the
    order written; "\0" first, which no type name holds (_plain_type_key's keys). The repr of
    such a tree cost more than the whole rest of replaying its column. None for any other tree."""
    ((kind, body),) = tree.items()
    if kind not in _CONSTANTS or type(body) is not dict:
        return None
    parts: list[object] = ["\0", kind]
    for name, value in body.items():
        kind_of_value = type(value)
        if name == "location":
            if kind_of_value is not int:
                return None
            parts.append("location" if value >= 0 else ("location", value))
        elif kind_of_value is str or kind_of_value is int or kind_of_value is bool:
            parts.append((name, kind_of_value, value))
        elif kind_of_value is dict:
            inner: list[object] = [name]
            for inner_name, inner_value in value.items():
                kind_of_inner = type(inner_value)
                if inner_name == "location" or (kind_of_inner is not str and kind_of_inner is not int and kind_of_inner is not bool):
                    return None
                inner.append((inner_name, kind_of_inner, inner_value))
            parts.append(tuple(inner))
        else:
            return None
    return tuple(parts)


def _made_by(origin: str) -> str:
    return f" (from {origin})" if origin else ""
