from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.rules.base import Rule
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class BanDropDatabase(Rule):
    name = "ban-drop-database"
    severity = Severity.ERROR
    kinds = (ir.Kind.DROP_OTHER,)  # reads the model; PostgreSQL only: FORCE and the wording are its own
    summary = "DROP DATABASE deletes a whole database, and has no place in a migration."
    why = (
        "DROP DATABASE deletes every table of the database and every row in them, for good. It cannot "
        "run inside a transaction block and fails while anybody is connected to the database, unless "
        "WITH (FORCE) disconnects them, so in a migration it either breaks the deploy or takes the "
        "application's data with it. Databases are created and dropped by hand or by provisioning "
        "tools, never by a migration that runs in every environment."
    )
    bad = 'DROP DATABASE "analytics";'
    good = 'DROP TABLE IF EXISTS "analytics_tmp";'
    references = ("https://www.postgresql.org/docs/current/sql-dropdatabase.html",)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        for event in statement.events:
            if isinstance(event, ir.DropObject) and event.what == "database":
                yield self._finding(ctx, event)

    def _finding(self, ctx: ModelContext, event: ir.DropObject) -> Finding:
        dbname = event.name.name
        database = ctx.sql.quote(dbname)
        consequence = (
            "WITH (FORCE) disconnects every session using it first"
            if event.force
            else "it also fails while any session is connected to it"
        )
        return ctx.finding(
            self,
            f'DROP DATABASE deletes the database "{dbname}" with every table and row in it; {consequence}.',
            help=(
                "Take the statement out of the migration and drop the database by hand, once nothing uses it "
                "and a backup exists.\n"
                f"-- by hand, outside the migrations (pg_dump it first if its data may matter):\n"
                f"-- DROP DATABASE {database};"
            ),
        )
