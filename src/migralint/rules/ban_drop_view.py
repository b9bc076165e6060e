from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.linter.finding import Finding, Severity
from migralint.linter.objects import drop_message_and_help, risky_drops
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_REMOVE_TYPES = ("OBJECT_VIEW", "OBJECT_MATVIEW")


class BanDropView(Rule):
    name = "ban-drop-view"
    severity = Severity.WARNING
    nodes = ("DropStmt",)
    summary = "DROP VIEW breaks the code still running that queries the view."
    why = (
        "While a migration runs, the previous release of the application is still serving requests, "
        "and reports, dashboards and other services query views by name: from the moment the view is "
        "gone, each of those queries fails. Drop a view in two releases: first deploy code that no "
        "longer uses it, then drop it in a later migration. With CASCADE, every view built on it goes "
        "too. DROP MATERIALIZED VIEW is flagged the same way. Not flagged: a view created earlier in the "
        "same file, and a view dropped and created again under the same name in the same transaction "
        "(other sessions see the old view or the new one, never none), even with CASCADE: a migration that "
        "rebuilds a view rebuilds the views on it too, and one it forgets fails at once, not silently."
        " A rollback (down migration) is not checked: it drops what its forward migration created."
    )
    bad = 'DROP VIEW "UserStats";'
    good = (
        "-- Replaced in one transaction: other sessions see the old view or the new one.\n"
        'BEGIN;\nDROP VIEW "UserStats";\nCREATE VIEW "UserStats" AS SELECT "id", "email" FROM "User";\nCOMMIT;'
    )
    references = ("https://www.postgresql.org/docs/current/sql-dropview.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        if statement.node.get("removeType") not in _REMOVE_TYPES:
            return
        risky = risky_drops(ctx, statement.node, recreating_restores_dependents=True)
        if not risky:
            return
        message, help = drop_message_and_help(
            ctx,
            statement,
            risky,
            what="view" if statement.node["removeType"] == "OBJECT_VIEW" else "materialized view",
            breaks="still queries {it}",
            cascade_drops="every view and rule built on {it}",
        )
        yield ctx.finding(self, message, help=help)
