"""Where a statement uses a string constant as a value of an enum type.

PostgreSQL turns 'x' into an enum value when the context gives it that type: a cast
('x'::"Role"), a comparison or assignment with a column of that type, a column DEFAULT. The
catalog tells column types; where it cannot tell, a constant is a possible use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from migralint.sql.postgres.nodes import (
    Node,
    TableName,
    alter_table_commands,
    string_value,
    unwrap,
)

if TYPE_CHECKING:
    from migralint.linter.catalog import Catalog
    from migralint.linter.parse import Statement

# What a context says about the type of the expression in it.
_ENUM, _OTHER, _UNKNOWN = "enum", "other", None
_PASS_THROUGH = ("A_ArrayExpr", "CoalesceExpr", "MinMaxExpr", "List")
_COMPARISONS = frozenset({"=", "<>", "!=", "<", "<=", ">", ">="})
_ARRAY_FUNCTIONS = frozenset({"array_append", "array_prepend", "array_remove", "array_replace", "array_position",
                              "array_positions", "array_cat"})


class LiteralUse(NamedTuple):
    location: int  # libpg_query's byte location of the constant
    certain: bool  # the context gives it the enum type; False: the context's type is unknown


def enum_literal_uses(statement: Statement, value: str, enum: TableName, catalog: Catalog) -> list[LiteralUse]:
    """The constants `value` in `statement` that PostgreSQL may read as a value of `enum`."""
    finder = _Finder(value, enum, catalog, statement.node)
    finder.statement(statement.kind, statement.node)
    return finder.uses


class _Finder:
    def __init__(self, value: str, enum: TableName, catalog: Catalog, node: Node) -> None:
        self.value, self.enum, self.catalog = value, enum, catalog
        self.uses: list[LiteralUse] = []
        self.scope: dict[str, TableName] = {}  # alias or table name -> table
        self._collect_scope(node)

    # -- statements whose targets give constants a type ---------------------------------

    def statement(self, kind: str, node: Node) -> None:
        relation = TableName.from_range_var(node["relation"]) if isinstance(node.get("relation"), dict) else None
        if kind == "UpdateStmt" and relation is not None:
            for target in node.get("targetList", []):
                body = unwrap(target)[1]
                self.visit(body.get("val"), self._column_kind(relation, str(body.get("name", ""))))
            self.visit({k: v for k, v in node.items() if k != "targetList"}, _UNKNOWN)
        elif kind == "InsertStmt" and relation is not None:
            self._insert(node, relation)
        elif kind == "AlterTableStmt" and relation is not None:
            self._alter_table(node, relation)
        elif kind == "CreateStmt":
            for element in node.get("tableElts", []):
                element_kind, body = unwrap(element)
                if element_kind == "ColumnDef":
                    self._column_def(body)
                else:
                    self.visit(element, _UNKNOWN)
        else:
            self.visit(node, _UNKNOWN)

    def _insert(self, node: Node, relation: TableName) -> None:
        names = [str(unwrap(c)[1].get("name", "")) for c in node.get("cols", [])]
        if not names:
            known = self.catalog.table(relation)
            names = list(known.columns) if known is not None else []
        kinds = [self._column_kind(relation, name) for name in names]
        select = unwrap(node["selectStmt"])[1] if node.get("selectStmt") else {}
        rows = [unwrap(row)[1].get("items", []) for row in select.get("valuesLists", [])]
        rows += [[unwrap(t)[1].get("val") for t in select.get("targetList", [])]] if select.get("targetList") else []
        for row in rows:
            for number, item in enumerate(row):
                self.visit(item, kinds[number] if number < len(kinds) else _UNKNOWN)
        rest = {k: v for k, v in select.items() if k not in ("valuesLists", "targetList")}
        self.visit([rest, {k: v for k, v in node.items() if k != "selectStmt"}], _UNKNOWN)

    def _alter_table(self, node: Node, relation: TableName) -> None:
        changed: dict[str, str | None] = {}  # columns whose type an earlier subcommand changed
        for cmd in alter_table_commands(node):
            subtype, name = cmd.get("subtype"), str(cmd.get("name", ""))
            definition = unwrap(cmd["def"]) if cmd.get("def") else ("", {})
            if subtype == "AT_ColumnDefault":
                kind = changed[name] if name in changed else self._column_kind(relation, name)
                self.visit(cmd.get("def"), kind)
            elif subtype == "AT_AlterColumnType" and definition[0] == "ColumnDef":
                changed[name] = self._type_kind(definition[1].get("typeName"))
                self.visit(definition[1].get("raw_default"), changed[name])
            elif subtype == "AT_AddColumn" and definition[0] == "ColumnDef":
                self._column_def(definition[1])
            else:
                self.visit(cmd, _UNKNOWN)

    def _column_def(self, column_def: Node) -> None:
        kind = self._type_kind(column_def.get("typeName"))
        for item in column_def.get("constraints", []):
            constraint = unwrap(item)[1]
            self.visit(constraint.get("raw_expr"), kind if constraint.get("contype") == "CONSTR_DEFAULT" else _UNKNOWN)

    # -- expressions ------------------------------------------------------------------

    def visit(self, item: Any, expected: str | None) -> None:
        if isinstance(item, list):
            for element in item:
                self.visit(element, expected)
            return
        if not isinstance(item, dict):
            return
        if len(item) != 1 or not next(iter(item))[:1].isupper():
            for value in item.values():
                self.visit(value, _UNKNOWN)
            return
        kind, body = unwrap(item)
        if not isinstance(body, dict):
            return
        if kind == "A_Const":
            if body.get("sval", {}).get("sval") == self.value and expected != _OTHER:
                self.uses.append(LiteralUse(int(body.get("location", -1)), expected == _ENUM))
        elif kind == "TypeCast":
            self.visit(body.get("arg"), self._type_kind(body.get("typeName")))
        elif kind in _PASS_THROUGH:
            self.visit(body.get("elements", body.get("args", body.get("items"))), expected)
        elif kind == "CaseExpr":
            for when in body.get("args", []):
                self.visit(unwrap(when)[1].get("expr"), _UNKNOWN)
                self.visit(unwrap(when)[1].get("result"), expected)
            self.visit([body.get("arg"), body.get("defresult")], expected)
        elif kind == "A_Expr":
            self._comparison(body)
        elif kind == "FuncCall":
            # Arguments take the function's parameter types; only array functions take enum values.
            name = string_value(body["funcname"][-1]) if body.get("funcname") else ""
            self.visit(body.get("args"), _UNKNOWN if name in _ARRAY_FUNCTIONS else _OTHER)
            self.visit([v for k, v in body.items() if k != "args"], _UNKNOWN)
        else:
            self.visit(list(body.values()), _UNKNOWN)

    def _comparison(self, body: Node) -> None:
        operator = string_value(body["name"][-1]) if body.get("name") else ""
        left, right = body.get("lexpr"), body.get("rexpr")
        if body.get("kind") not in ("AEXPR_OP", "AEXPR_IN", "AEXPR_OP_ANY", "AEXPR_OP_ALL", "AEXPR_DISTINCT",
                                    "AEXPR_NOT_DISTINCT", "AEXPR_NULLIF") or operator not in _COMPARISONS:
            # || + - LIKE and the like: their operands are text or numbers, not enum values.
            self.visit([left, right], _OTHER)
            return
        self.visit(right, self._expression_kind(left))
        self.visit(left, self._expression_kind(right))

    def _expression_kind(self, expression: Node | None) -> str | None:
        """The type a comparison's other side gets from this side: a column's or a cast's."""
        if not isinstance(expression, dict):
            return _UNKNOWN
        kind, body = unwrap(expression)
        if kind == "TypeCast":
            return self._type_kind(body.get("typeName"))
        if kind != "ColumnRef":
            return _UNKNOWN
        fields = [string_value(f) for f in body.get("fields", []) if "String" in f]
        if not fields:
            return _UNKNOWN
        if len(fields) >= 2:
            table = self.scope.get(fields[-2])
            return self._column_kind(table, fields[-1]) if table is not None else _UNKNOWN
        having = [t for t in set(self.scope.values()) if self.catalog.column(t, fields[0]) is not None]
        return self._column_kind(having[0], fields[0]) if len(having) == 1 else _UNKNOWN

    # -- types ------------------------------------------------------------------------

    def _column_kind(self, table: TableName, column: str) -> str | None:
        found = self.catalog.column(table, column)
        return self._type_kind(found.type_name) if found is not None else _UNKNOWN

    def _type_kind(self, type_name: Node | None) -> str | None:
        names = (type_name or {}).get("names", [])
        if not names:
            return _UNKNOWN
        return _ENUM if TableName.from_names(names) == self.enum else _OTHER

    def _collect_scope(self, node: Any) -> None:
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                range_var = item.get("RangeVar") if len(item) == 1 else None
                if isinstance(range_var, dict):
                    table = TableName.from_range_var(range_var)
                    self.scope[range_var.get("alias", {}).get("aliasname") or table.name] = table
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        relation = node.get("relation") if isinstance(node, dict) else None
        if isinstance(relation, dict) and "relname" in relation:
            table = TableName.from_range_var(relation)
            self.scope[relation.get("alias", {}).get("aliasname") or table.name] = table
