"""Named objects other than tables in libpg_query's tree (views, types, functions, schemas,
extensions, sequences, databases): the statement model's DropObject, CreateObject and
RenameObject events (PostgreSQL's default names for what a statement creates unnamed are in
names.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.sql import ir
from migralint.sql.postgres.names import object_name
from migralint.sql.postgres.nodes import Node, has_constraint, is_serial_type, string_value, unwrap
from migralint.sql.postgres.nodes import TableName as PgTableName
from migralint.sql.postgres.schema_events import create_view

# DropStmt.removeType -> DropObject.what (OBJECT_TABLE and OBJECT_INDEX have events of their own).
DROPPED = {
    "OBJECT_VIEW": "view",
    "OBJECT_MATVIEW": "materialized view",
    "OBJECT_TYPE": "type",
    "OBJECT_DOMAIN": "domain",
    "OBJECT_FUNCTION": "function",
    "OBJECT_PROCEDURE": "procedure",
    "OBJECT_ROUTINE": "routine",
    "OBJECT_AGGREGATE": "aggregate",
    "OBJECT_SEQUENCE": "sequence",
    "OBJECT_SCHEMA": "schema",
    "OBJECT_EXTENSION": "extension",
    "OBJECT_TRIGGER": "trigger",
}
# RenameStmt.renameType -> RenameObject.what (an index is dropped with DropIndex, renamed here)
_RENAMED = {"OBJECT_INDEX": "index"} | {key: DROPPED[key] for key in (
    "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_TYPE", "OBJECT_DOMAIN", "OBJECT_FUNCTION", "OBJECT_PROCEDURE",
    "OBJECT_ROUTINE", "OBJECT_AGGREGATE", "OBJECT_SCHEMA", "OBJECT_SEQUENCE",
)}
_INPUT_MODES = ("FUNC_PARAM_IN", "FUNC_PARAM_INOUT", "FUNC_PARAM_VARIADIC", "FUNC_PARAM_DEFAULT")


def type_key(type_node: Node) -> str:
    """An argument type for comparison: `int4`, `text`, `public.Role[]`."""
    names = [string_value(n) for n in type_node.get("names", [])]
    if len(names) == 2 and names[0] == "pg_catalog":
        names = names[1:]
    return ".".join(names) + "[]" * len(type_node.get("arrayBounds", []))


def parameter_types(parameters: list[Node]) -> tuple[str, ...]:
    """A CREATE FUNCTION's input argument types, as DROP FUNCTION names them."""
    bodies = [unwrap(p)[1] for p in parameters]
    return tuple(type_key(b.get("argType", {})) for b in bodies if b.get("mode", "FUNC_PARAM_DEFAULT") in _INPUT_MODES)


def _name(names: list[Node]) -> ir.TableName:
    return ir.TableName(*PgTableName.from_names(names))


def _range_var(node: Node) -> ir.TableName:
    return ir.TableName(*PgTableName.from_range_var(node))


def dropped(node: Node) -> list[ir.DropObject]:
    """The objects a DropStmt names, for the families of DROPPED (OBJECT_TRIGGER aside: a
    trigger is named with its table; its event is made with the others)."""
    what = DROPPED.get(node.get("removeType", ""))
    if what is None:
        return []
    cascade = node.get("behavior") == "DROP_CASCADE"
    result = []
    for item in node.get("objects", []):
        kind, body = unwrap(item)
        args: tuple[str, ...] | None = None
        if kind == "List":
            name = _name(body.get("items", []))
        elif kind == "TypeName":
            name = _name(body.get("names", []))
        elif kind == "ObjectWithArgs":
            name = _name(body.get("objname", []))
            if not body.get("args_unspecified"):
                args = tuple(type_key(unwrap(t)[1]) for t in body.get("objargs", []))
        elif kind == "String":
            name = ir.TableName("", string_value(item))
        else:
            continue
        result.append(ir.DropObject(what, name, cascade=cascade, args=args))
    return result


def dropped_database(node: Node) -> ir.DropObject:
    force = any(unwrap(o)[1].get("defname") == "force" for o in node.get("options", []))
    return ir.DropObject("database", ir.TableName("", str(node.get("dbname", ""))), force=force)


def named_objects(kind: str, node: Node) -> Iterator[ir.CreateObject | ir.RenameObject]:
    """The views, types, functions, schemas, extensions and sequences a statement brings into
    existence under a name (CREATE TABLE's serial and identity columns make a sequence each)."""
    if kind == "ViewStmt" and "view" in node:
        yield create_view("view", node["view"], node.get("query"), replaces=bool(node.get("replace")))
    elif kind == "CreateTableAsStmt" and node.get("objtype") == "OBJECT_MATVIEW":
        relation = node.get("into", {}).get("rel", {})
        yield create_view("materialized view", relation, node.get("query"), replaces=bool(node.get("if_not_exists")))
    elif kind in ("CreateEnumStmt", "CreateRangeStmt"):
        yield ir.CreateObject("type", _name(node.get("typeName", [])))
    elif kind == "CompositeTypeStmt":
        yield ir.CreateObject("type", _range_var(node["typevar"]))
    elif kind == "CreateDomainStmt":
        yield ir.CreateObject("domain", _name(node.get("domainname", [])))
    elif kind == "DefineStmt" and node.get("kind") in ("OBJECT_TYPE", "OBJECT_AGGREGATE"):
        args = None
        if node["kind"] == "OBJECT_AGGREGATE" and node.get("args"):
            args = parameter_types(unwrap(node["args"][0])[1].get("items", []))
        what = "type" if node["kind"] == "OBJECT_TYPE" else "aggregate"
        yield ir.CreateObject(what, _name(node.get("defnames", [])), args, replaces=bool(node.get("replace")))
    elif kind == "CreateFunctionStmt":
        what = "procedure" if node.get("is_procedure") else "function"
        args = parameter_types(node.get("parameters", []))
        yield ir.CreateObject(what, _name(node.get("funcname", [])), args, replaces=bool(node.get("replace")))
    elif kind == "CreateSchemaStmt":
        name = node.get("schemaname") or node.get("authrole", {}).get("rolename", "")
        yield ir.CreateObject("schema", ir.TableName("", name), replaces=bool(node.get("if_not_exists")))
    elif kind == "CreateExtensionStmt":
        yield ir.CreateObject("extension", ir.TableName("", node.get("extname", "")),
                              replaces=bool(node.get("if_not_exists")))
    elif kind == "CreateSeqStmt":
        yield ir.CreateObject("sequence", _range_var(node["sequence"]), replaces=bool(node.get("if_not_exists")))
    elif kind == "CreateStmt" and "relation" in node:
        yield from _owned_sequences(node)
    elif kind == "RenameStmt":
        yield from _renamed(node)


def _owned_sequences(node: Node) -> Iterator[ir.CreateObject]:
    """serial and identity columns create a sequence named table_column_seq."""
    table = _range_var(node["relation"])
    for element in node.get("tableElts", []):
        kind, column = unwrap(element)
        if kind != "ColumnDef":
            continue
        if is_serial_type(column.get("typeName", {})) or has_constraint(column, "CONSTR_IDENTITY"):
            name = object_name(table.name, column.get("colname", ""), "seq")
            yield ir.CreateObject("sequence", ir.TableName(table.schema, name), replaces=bool(node.get("if_not_exists")))


def _renamed(node: Node) -> Iterator[ir.RenameObject]:
    what = _RENAMED.get(node.get("renameType", ""))
    if what is None:
        return
    new = str(node.get("newname", ""))
    if what == "schema":
        yield ir.RenameObject(what, ir.TableName("", str(node.get("subname", ""))), ir.TableName("", new))
        return
    if "relation" in node:
        old = _range_var(node["relation"])
    else:
        kind, body = unwrap(node.get("object", {"List": {}}))
        names = body.get("objname", []) if kind == "ObjectWithArgs" else body.get("items", [])
        old = _name(names)
    yield ir.RenameObject(what, old, ir.TableName(old.schema, new))



# The families whose names clash: DROP TYPE drops a domain, DROP FUNCTION an aggregate...
_FAMILIES = {"domain": "type", "procedure": "function", "routine": "function", "aggregate": "function"}


def family(what: str) -> str:
    """The family whose names `what` shares: CREATE DOMAIN names a type, DROP ROUTINE a function."""
    return _FAMILIES.get(what, what)
