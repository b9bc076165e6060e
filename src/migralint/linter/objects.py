"""Named objects other than tables (views, types, functions, schemas, extensions, sequences):
which ones a DROP names, and which ones a statement brings into existence under a name.

Running code only breaks when a name it uses disappears. A name that this file created
(or renamed something to) did not exist before the migration, so no running code uses it;
an object dropped and created again under the same name in one transaction never
disappears for anybody else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from migralint.linter.constraint_names import object_name
from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    has_constraint,
    is_serial_type,
    quote_ident,
    string_value,
    unwrap,
)

if TYPE_CHECKING:
    from migralint.linter.context import Context
    from migralint.linter.parse import Statement

# DropStmt.removeType -> the family whose CREATE brings the name back.
DROP_FAMILIES = {
    "OBJECT_VIEW": "view",
    "OBJECT_MATVIEW": "materialized view",
    "OBJECT_TYPE": "type",
    "OBJECT_DOMAIN": "type",  # a domain is a type: DROP TYPE drops it, CREATE DOMAIN names one
    "OBJECT_FUNCTION": "function",
    "OBJECT_PROCEDURE": "function",
    "OBJECT_ROUTINE": "function",
    "OBJECT_AGGREGATE": "function",
    "OBJECT_SCHEMA": "schema",
    "OBJECT_EXTENSION": "extension",
    "OBJECT_SEQUENCE": "sequence",
}

# RenameStmt.renameType -> family: the new name is one the file brings into existence.
_RENAME_FAMILIES = {
    "OBJECT_VIEW": "view",
    "OBJECT_MATVIEW": "materialized view",
    "OBJECT_TYPE": "type",
    "OBJECT_DOMAIN": "type",
    "OBJECT_FUNCTION": "function",
    "OBJECT_PROCEDURE": "function",
    "OBJECT_ROUTINE": "function",
    "OBJECT_AGGREGATE": "function",
    "OBJECT_SCHEMA": "schema",
    "OBJECT_SEQUENCE": "sequence",
}

_INPUT_MODES = ("FUNC_PARAM_IN", "FUNC_PARAM_INOUT", "FUNC_PARAM_VARIADIC", "FUNC_PARAM_DEFAULT")


class ObjectName(NamedTuple):
    family: str
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


def _type_key(type_node: Node) -> str:
    """An argument type for comparison: `int4`, `text`, `public.Role[]`."""
    names = [string_value(n) for n in type_node.get("names", [])]
    if len(names) == 2 and names[0] == "pg_catalog":
        names = names[1:]
    return ".".join(names) + "[]" * len(type_node.get("arrayBounds", []))


def _parameter_types(parameters: list[Node]) -> tuple[str, ...]:
    bodies = [unwrap(p)[1] for p in parameters]
    return tuple(_type_key(b.get("argType", {})) for b in bodies if b.get("mode", "FUNC_PARAM_DEFAULT") in _INPUT_MODES)


def dropped_objects(node: Node) -> list[ObjectName]:
    """The objects a DropStmt names, for the families above (empty for anything else)."""
    family = DROP_FAMILIES.get(node.get("removeType", ""))
    if family is None:
        return []
    result = []
    for item in node.get("objects", []):
        kind, body = unwrap(item)
        if kind == "List":
            result.append(ObjectName(family, TableName.from_names(body.get("items", []))))
        elif kind == "TypeName":
            result.append(ObjectName(family, TableName.from_names(body.get("names", []))))
        elif kind == "ObjectWithArgs":
            args = None if body.get("args_unspecified") else tuple(_type_key(t) for t in _type_nodes(body))
            result.append(ObjectName(family, TableName.from_names(body.get("objname", [])), args))
        elif kind == "String":
            result.append(ObjectName(family, TableName("", string_value(item))))
    return result


def _type_nodes(object_with_args: Node) -> list[Node]:
    return [unwrap(t)[1] for t in object_with_args.get("objargs", [])]


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
    return tuple(_created(statement))


def _created(statement: Statement) -> Iterator[Created]:
    kind, node = statement.kind, statement.node
    if kind == "ViewStmt":
        yield Created(ObjectName("view", TableName.from_range_var(node["view"])), not node.get("replace"))
    elif kind == "CreateTableAsStmt" and node.get("objtype") == "OBJECT_MATVIEW":
        relation = node.get("into", {}).get("rel", {})
        yield Created(ObjectName("materialized view", TableName.from_range_var(relation)), not node.get("if_not_exists"))
    elif kind in ("CreateEnumStmt", "CreateRangeStmt"):
        yield Created(ObjectName("type", TableName.from_names(node.get("typeName", []))), True)
    elif kind == "CompositeTypeStmt":
        yield Created(ObjectName("type", TableName.from_range_var(node["typevar"])), True)
    elif kind == "CreateDomainStmt":
        yield Created(ObjectName("type", TableName.from_names(node.get("domainname", []))), True)
    elif kind == "DefineStmt" and node.get("kind") in ("OBJECT_TYPE", "OBJECT_AGGREGATE"):
        family = "type" if node["kind"] == "OBJECT_TYPE" else "function"
        args = None
        if family == "function" and node.get("args"):
            args = _parameter_types(unwrap(node["args"][0])[1].get("items", []))
        yield Created(ObjectName(family, TableName.from_names(node.get("defnames", [])), args), not node.get("replace"))
    elif kind == "CreateFunctionStmt":
        name = TableName.from_names(node.get("funcname", []))
        args = _parameter_types(node.get("parameters", []))
        yield Created(ObjectName("function", name, args), not node.get("replace"))
    elif kind == "CreateSchemaStmt":
        name = node.get("schemaname") or node.get("authrole", {}).get("rolename", "")
        yield Created(ObjectName("schema", TableName("", name)), not node.get("if_not_exists"))
    elif kind == "CreateExtensionStmt":
        yield Created(ObjectName("extension", TableName("", node.get("extname", ""))), not node.get("if_not_exists"))
    elif kind == "CreateSeqStmt":
        yield Created(ObjectName("sequence", TableName.from_range_var(node["sequence"])), not node.get("if_not_exists"))
    elif kind == "CreateStmt":
        yield from _owned_sequences(node)
    elif kind == "RenameStmt":
        yield from _renamed(node)


def _owned_sequences(node: Node) -> Iterator[Created]:
    """serial and identity columns create a sequence named table_column_seq."""
    table = TableName.from_range_var(node["relation"])
    for element in node.get("tableElts", []):
        kind, column = unwrap(element)
        if kind != "ColumnDef":
            continue
        if is_serial_type(column.get("typeName", {})) or has_constraint(column, "CONSTR_IDENTITY"):
            name = object_name(table.name, column.get("colname", ""), "seq")
            yield Created(ObjectName("sequence", TableName(table.schema, name)), not node.get("if_not_exists"))


def _renamed(node: Node) -> Iterator[Created]:
    family = _RENAME_FAMILIES.get(node.get("renameType", ""))
    if family is None:
        return
    new = node.get("newname", "")
    if family == "schema":
        yield Created(ObjectName(family, TableName("", new)), True)
        return
    if "relation" in node:
        old = TableName.from_range_var(node["relation"])
    else:
        kind, body = unwrap(node.get("object", {"List": {}}))
        names = body.get("objname", []) if kind == "ObjectWithArgs" else body.get("items", [])
        old = TableName.from_names(names)
    yield Created(ObjectName(family, TableName(old.schema, new)), True)


def created_earlier(ctx: Context, obj: ObjectName) -> bool:
    """True when an earlier statement of the file surely created `obj` (or renamed something to it)."""
    return any(c.certain and c.object.matches(obj) for s in ctx.earlier for c in created_objects(s))


def recreated_in_transaction(ctx: Context, obj: ObjectName) -> bool:
    """True when a later statement in the current transaction creates `obj` again: the name
    never disappears for other sessions, which wait on the DROP's lock until the commit."""
    later = ctx.statements[ctx.position + 1 :]
    return any(ctx.same_transaction(s) and any(c.object.matches(obj) for c in created_objects(s)) for s in later)


def risky_drops(ctx: Context, node: Node, *, recreating_restores_dependents: bool = False) -> list[ObjectName]:
    """The objects a DropStmt removes that running code may still use.

    Not risky: a name the file created earlier, and a name the same transaction creates
    again, unless CASCADE dropped dependents that re-creating the object does not restore
    (`recreating_restores_dependents`: views, whose dependent views a migration that
    rebuilds them re-creates too, and whose loss fails loudly). A rollback drops what its
    forward migration created, which this file cannot see, so it is left alone.
    """
    if ctx.rollback:
        return []
    cascade = node.get("behavior") == "DROP_CASCADE"
    return [
        obj
        for obj in dropped_objects(node)
        if not created_earlier(ctx, obj)
        and ((cascade and not recreating_restores_dependents) or not recreated_in_transaction(ctx, obj))
    ]


_TRAILING_CASCADE = re.compile(r"\s+CASCADE\s*\Z", re.IGNORECASE)


def drop_message_and_help(
    ctx: Context, statement: Statement, risky: list[ObjectName], *, what: str, breaks: str, cascade_drops: str
) -> tuple[str, str]:
    """Message and help for a DROP of `risky` objects; `what` is "view", "type"...

    `breaks` finishes "running code that ..." and `cascade_drops` says what CASCADE removes
    too; both may say `{it}`, which becomes "it" or "them".
    """
    names = ", ".join(f'"{obj}"' for obj in risky)
    it = "it" if len(risky) == 1 else "them"
    cascade = statement.node.get("behavior") == "DROP_CASCADE"
    keyword = _keyword(statement)
    sql = ctx.parsed.text[statement.start : statement.end]
    without_cascade = _TRAILING_CASCADE.sub("", sql) + ";"
    dependents_note = f"-- drop the objects that depend on {it} by name first: without CASCADE PostgreSQL refuses while any remain"
    if cascade and all(recreated_in_transaction(ctx, obj) for obj in risky):
        # The name comes back before anybody sees it gone; what CASCADE took with it does not.
        message = (
            f"{keyword} {names} CASCADE also drops {cascade_drops.format(it=it)}; re-creating {it} later in "
            "this transaction does not bring those back."
        )
        help = (
            f"Drop and re-create what depends on {names} by name, so that nothing disappears unnoticed.\n"
            f"{dependents_note}\n{without_cascade}"
        )
        return message, help
    what = what if len(risky) == 1 else what + "s"
    message = f"{keyword} removes {what} {names}: running code that {breaks.format(it=it)} fails."
    if cascade:
        message += f" CASCADE also drops {cascade_drops.format(it=it)}."
    lines = [
        f"Deploy code that no longer uses {names} first, then drop {it} in a later migration"
        + (f", removing what depends on {it} by name instead of CASCADE." if cascade else "."),
        f"-- in a later migration, once no deployed code uses {names}:",
    ]
    if cascade:
        lines.append(dependents_note)
    lines.append(without_cascade if cascade else sql + ";")
    return message, "\n".join(lines)


def _keyword(statement: Statement) -> str:
    """`DROP VIEW`, `DROP MATERIALIZED VIEW`, `DROP FUNCTION`... as the statement spells it."""
    remove = str(statement.node.get("removeType", "OBJECT_"))
    return "DROP " + remove.removeprefix("OBJECT_").replace("MATVIEW", "MATERIALIZED VIEW")
