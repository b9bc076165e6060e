from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import TableName
from migralint.linter.objects import ObjectName, created_earlier
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class RequireConcurrentRefresh(Rule):
    name = "require-concurrent-refresh"
    severity = Severity.WARNING
    lock = Lock.ACCESS_EXCLUSIVE
    # A refresh runs the view's query again: its time does not depend on the rows the view holds now.
    empty_table_is_safe = False
    nodes = ("RefreshMatViewStmt",)
    summary = "REFRESH MATERIALIZED VIEW without CONCURRENTLY makes every read of the view wait."
    why = (
        "A plain REFRESH MATERIALIZED VIEW runs the view's query again and holds an ACCESS EXCLUSIVE lock "
        "on the view while it does: every query that reads the view waits until the refresh, and the "
        "transaction, finish. REFRESH MATERIALIZED VIEW CONCURRENTLY takes EXCLUSIVE instead, so reads go "
        "on while it computes the new rows; it needs a unique index on the view (on plain columns, no "
        "WHERE clause) and a view that was populated before. A view created earlier in the same file is "
        "not flagged, nor WITH NO DATA, which only empties the view."
    )
    bad = 'REFRESH MATERIALIZED VIEW "DailyRevenue";'
    good = 'REFRESH MATERIALIZED VIEW CONCURRENTLY "DailyRevenue";'
    references = ("https://www.postgresql.org/docs/current/sql-refreshmaterializedview.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        if node.get("concurrent") or node.get("skipData"):
            return
        view = TableName.from_range_var(node["relation"])
        if created_earlier(ctx, ObjectName("materialized view", view)):
            return
        yield ctx.finding(
            self,
            f'REFRESH MATERIALIZED VIEW takes ACCESS EXCLUSIVE on "{view}": every query reading it waits until '
            "the view's query has run again and the transaction commits.",
            help=(
                "Refresh it with CONCURRENTLY, which lets reads go on; it needs a unique index on the view "
                "covering every row.\n"
                f"-- once, if the view has no unique index yet: CREATE UNIQUE INDEX ON {view.sql()} (<key columns>);\n"
                f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view.sql()};"
            ),
        )
