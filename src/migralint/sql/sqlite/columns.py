"""Names, column definitions and foreign keys as SQLite resolves them, from sqlglot's nodes.

SQLite compares table and column names without regard to ASCII case, quoted or not
(sqlite.org/lang_keywords.html; "main" is the connection's own database), and keeps them as
written (`sqlite_schema` stores the CREATE as typed). So a name is a `Name`: it shows as the
author wrote it, and `"User"` and `user` are one table, as they are to the database.
"""

from __future__ import annotations

import re

from sqlglot import exp

from migralint.sql import ir

# Where a column's type name stops: the first constraint (sqlite.org/lang_createtable.html).
_TYPE = re.compile(
    r"\s*((?:(?!(?:CONSTRAINT|PRIMARY|NOT|NULL|UNIQUE|CHECK|DEFAULT|COLLATE|REFERENCES|GENERATED|AS)\b)[A-Za-z_]\w*\s*)+"
    r"(?:\(\s*[-+]?\w+\s*(?:,\s*[-+]?\w+\s*)?\))?)",
    re.I,
)
_ON_DELETE = re.compile(r"\bON\s+DELETE\s+(SET\s+NULL|SET\s+DEFAULT|CASCADE|RESTRICT|NO\s+ACTION)\b", re.I)


class Name(str):
    """A name as written, equal (and hashed alike) to every spelling that differs only in case.

    A str, so that the catalog, the rules and the reports take it unchanged; a plain str compares
    equal to it when it is in lower case (the front end's own comparisons use lower case)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.lower() == other.lower()

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.lower())


def identifier(node: object) -> Name:
    if isinstance(node, exp.Identifier):
        return Name(node.this)
    if isinstance(node, exp.Expression):
        return Name(node.name)
    return Name(node or "")


def table_name(node: exp.Expression | None) -> ir.TableName:
    if isinstance(node, exp.Schema):
        node = node.this
    if not isinstance(node, exp.Table):
        return ir.TableName("", identifier(node))
    schema = Name(node.db)
    return ir.TableName("" if schema in ("", "main") else schema, Name(node.name))


def columns_of(schema: exp.Expression | None, sql: str) -> tuple[ir.Column, ...]:
    """A CREATE TABLE's columns, in order. A column may have no type at all in SQLite."""
    if not isinstance(schema, exp.Schema):
        return ()
    found: list[ir.Column] = []
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            found.append(column_of(item, sql))
        elif isinstance(item, exp.Identifier):
            found.append(ir.Column(identifier(item), ""))
    return tuple(found)


def type_as_written(definition: exp.ColumnDef, sql: str) -> str:
    """The declared type as the author wrote it, lower case ("boolean", "varchar(255)"): sqlglot
    would write its own names (BOOLEAN becomes INTEGER), and the type name decides SQLite's
    behaviour (only "INTEGER PRIMARY KEY" is the rowid)."""
    kind = definition.args.get("kind")
    if not isinstance(kind, exp.DataType):
        return ""
    end = definition.this.meta.get("end") if isinstance(definition.this, exp.Identifier) else None
    if isinstance(end, int) and 0 <= end < len(sql):
        match = _TYPE.match(sql, end + 1)
        if match and match.group(1):
            return " ".join(match.group(1).lower().split()).replace(" (", "(").replace("( ", "(").replace(" )", ")")
    return kind.sql(dialect="sqlite").lower()


def column_of(definition: exp.ColumnDef, sql: str) -> ir.Column:
    type_text = type_as_written(definition, sql)
    not_null = False
    default = ir.Default.NONE
    stored = False
    primary_key = False
    for constraint in definition.args.get("constraints") or ():
        what = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else constraint
        if isinstance(what, exp.NotNullColumnConstraint):
            not_null = not what.args.get("allow_null")
        elif isinstance(what, exp.DefaultColumnConstraint):
            default = _default_kind(what.this)
        elif isinstance(what, exp.PrimaryKeyColumnConstraint):
            primary_key = True
        elif isinstance(what, exp.AutoIncrementColumnConstraint):
            default = ir.Default.SEQUENCE
        elif isinstance(what, exp.ComputedColumnConstraint):
            stored = bool(what.args.get("persisted"))
            # A generated column is never written by an INSERT: it always has its value.
            default = ir.Default.VOLATILE
    if primary_key and type_text == "integer":
        # INTEGER PRIMARY KEY is the rowid: SQLite numbers it when no value is given
        # (sqlite.org/lang_createtable.html#rowid).
        default = ir.Default.SEQUENCE
    return ir.Column(Name(definition.name), type_text, not_null, default, stored)


def _default_kind(value: exp.Expression | None) -> ir.Default:
    while isinstance(value, exp.Paren):
        value = value.this
    if value is None or isinstance(value, exp.Null):
        return ir.Default.NONE
    if isinstance(value, exp.Func) or value.find(exp.Func) is not None:
        return ir.Default.VOLATILE  # CURRENT_TIMESTAMP, random(): evaluated for each row
    return ir.Default.CONSTANT


def foreign_keys(create: exp.Create, table: ir.TableName) -> list[ir.AddConstraint]:
    """The foreign keys a CREATE TABLE declares, column and table constraints alike."""
    schema = create.this
    found: list[ir.AddConstraint] = []
    if not isinstance(schema, exp.Schema):
        return found
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            found.extend(column_foreign_keys(item, table))
        else:
            named = item if isinstance(item, exp.Constraint) else None
            inner = [item] if named is None else list(named.expressions)
            for key in inner:
                if isinstance(key, exp.ForeignKey) and isinstance(key.args.get("reference"), exp.Reference):
                    columns = tuple(identifier(c) for c in key.expressions)
                    name = named.name if named is not None else None
                    found.append(_foreign_key(table, name, columns, key.args["reference"]))
    return found


def column_foreign_keys(definition: exp.ColumnDef, table: ir.TableName) -> list[ir.AddConstraint]:
    """`c INTEGER REFERENCES p(id) ON DELETE CASCADE`, in a CREATE TABLE or an ADD COLUMN."""
    found = []
    for constraint in definition.args.get("constraints") or ():
        ref = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else None
        if isinstance(ref, exp.Reference):
            found.append(_foreign_key(table, None, (Name(definition.name),), ref))
    return found


def _foreign_key(table: ir.TableName, name: str | None, columns: tuple[str, ...], ref: exp.Reference) -> ir.AddConstraint:
    options = " ".join(str(o) for o in ref.args.get("options") or ())
    match = _ON_DELETE.search(options)
    on_delete = " ".join(match.group(1).lower().split()) if match else ""
    return ir.AddConstraint(table, ir.ConstraintKind.FOREIGN_KEY, name, columns, references=table_name(ref.this), on_delete=on_delete)
