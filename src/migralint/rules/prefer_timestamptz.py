from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.column_types import (
    declared_types,
    type_span,
    type_text,
    with_type,
    written_typmods,
)
from migralint.findings import Finding, Severity
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class PreferTimestamptz(Rule):
    name = "prefer-timestamptz"
    severity = Severity.WARNING
    default_enabled = False
    nodes = ("CreateStmt", "AlterTableStmt")
    summary = "timestamp without time zone drops the UTC offset of what it stores; use timestamptz."
    why = (
        "A timestamp (without time zone) column keeps the date and clock time it is given and "
        "throws the offset away: '2024-03-10 09:00+02' and '2024-03-10 09:00-06' are stored as the "
        "same value although they are eight hours apart, and which instant a value means depends on "
        "the time zone of whoever wrote it. timestamptz (timestamp with time zone) stores the "
        "instant, in UTC, and shows it in each session's TimeZone; it takes the same 8 bytes. "
        "Flagged in CREATE TABLE, ADD COLUMN and ALTER COLUMN TYPE, on new tables too: this is about "
        "the schema's design, not locks."
    )
    bad = 'CREATE TABLE "Event" ("id" TEXT NOT NULL, "startsAt" TIMESTAMP(3) NOT NULL);'
    good = 'CREATE TABLE "Event" ("id" TEXT NOT NULL, "startsAt" TIMESTAMPTZ(3) NOT NULL);'
    options = (
        "squawk calls this rule `prefer-timestamp-tz` (and accepts `prefer-timestamptz`); migralint "
        "knows it as `prefer-timestamptz` only."
    )
    references = (
        "https://www.postgresql.org/docs/current/datatype-datetime.html",
        "https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_timestamp_.28without_time_zone.29",
    )

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        for declared in declared_types(statement):
            if declared.builtin != "timestamp":
                continue
            precision = written_typmods(declared.type_node)
            better = "timestamptz" + (f"({precision[0]})" if precision else "")
            better += "[]" * len(declared.type_node.get("arrayBounds", []))
            yield ctx.finding(
                self,
                f'Column "{declared.column}" of "{declared.table}" is {type_text(ctx, declared)}: it '
                "drops the UTC offset, so the instant a value means depends on who wrote it.",
                help=f"Use {better}, which stores the instant:\n{with_type(ctx, declared, better)}",
                span=type_span(ctx, declared),
            )
