from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter import lazy_parser as pg_parser
from migralint.findings import Finding, Severity
from migralint.sql.postgres.nodes import Node, TableName, string_value
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class RequireEnumValueOrdering(Rule):
    name = "require-enum-value-ordering"
    severity = Severity.WARNING
    default_enabled = False
    nodes = ("AlterEnumStmt",)
    summary = "ALTER TYPE ... ADD VALUE without BEFORE or AFTER puts the new value last, by default rather than by choice."
    why = (
        "An enum sorts in the order of its values, not alphabetically: ORDER BY, <, > and MIN/MAX "
        "on the column follow that order. ADD VALUE without BEFORE or AFTER appends the value, "
        "which is right for some enums (a list of statuses in the order they happen) and wrong for "
        "others, and the statement does not say which was meant. Saying BEFORE or AFTER makes the "
        "order a decision a reviewer can check. The position cannot be changed later without "
        "recreating the type. Flagged on every ADD VALUE, IF NOT EXISTS included; RENAME VALUE is "
        "not concerned."
    )
    bad = "ALTER TYPE \"OrderStatus\" ADD VALUE 'REFUNDED';"
    good = "ALTER TYPE \"OrderStatus\" ADD VALUE 'REFUNDED' AFTER 'DELIVERED';"
    references = ("https://www.postgresql.org/docs/current/sql-altertype.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        if "oldVal" in node or "newValNeighbor" in node or "newVal" not in node:
            return
        enum = TableName.from_names(node.get("typeName", []))
        value = str(node["newVal"])
        written = ctx.parsed.text[statement.start : statement.end]
        known = _values_before(ctx.earlier, enum)
        if known:
            placement = f"AFTER {_literal(known[-1])}"
            note = ""
        else:
            placement = "BEFORE 'existing_value'"
            note = f"-- 'existing_value' stands for a value of \"{enum}\": name the one the new value goes next to\n"
        yield ctx.finding(
            self,
            f"ADD VALUE {_literal(value)} puts it after the last value of \"{enum}\" without saying so, "
            "and the enum's values sort in that order.",
            help=(
                "Say where the value goes in the enum's sort order, BEFORE or AFTER an existing value:\n"
                f"{note}{written} {placement};"
            ),
            span=_add_value_span(written, statement.start),
        )


def _add_value_span(written: str, start: int) -> tuple[int, int] | None:
    """The span of `ADD VALUE ...`, from its ADD to the end of the statement."""
    try:
        tokens = pg_parser.scan(written)
    except pg_parser.ParseError:
        return None
    add = next((t for t in tokens if t.name == "ADD_P"), None)
    return None if add is None else (start + add.start, start + len(written))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _values_before(earlier: tuple[Statement, ...], enum: TableName) -> list[str]:
    """The enum's values in sort order, when the file creates it earlier; else []."""
    values: list[str] = []
    for statement in earlier:
        if statement.kind not in ("CreateEnumStmt", "AlterEnumStmt"):
            continue  # before reading the tree: a large file's trees are parsed again when read
        node: Node = statement.node
        if TableName.from_names(node.get("typeName", [])) != enum:
            continue
        if statement.kind == "CreateEnumStmt":
            values = [string_value(v) for v in node.get("vals", [])]
        elif "oldVal" in node and node["oldVal"] in values:
            values[values.index(node["oldVal"])] = str(node.get("newVal", ""))
        elif "newVal" in node and node["newVal"] not in values:
            neighbor = node.get("newValNeighbor")
            if neighbor in values:
                position = values.index(neighbor) + (1 if node.get("newValIsAfter", False) else 0)
                values.insert(position, str(node["newVal"]))
            else:
                values.append(str(node["newVal"]))
    return values
