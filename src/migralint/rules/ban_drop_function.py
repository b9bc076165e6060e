from __future__ import annotations

from typing import TYPE_CHECKING

from migralint.findings import Severity
from migralint.rules.drop_object import DropObjectRule

from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext


class BanDropFunction(DropObjectRule):
    name = "ban-drop-function"
    severity = Severity.WARNING
    summary = "DROP FUNCTION breaks the code still running that calls the function."
    why = (
        "While a migration runs, the previous release of the application, scheduled jobs and other "
        "services still call the function by name; from the moment it is gone each call fails. With "
        "CASCADE, PostgreSQL also drops every trigger, column default, constraint, index and view that "
        "uses it, silently. Drop a function once no deployed code calls it, in a later migration. Not "
        "flagged: a function created earlier in the same file, and one dropped and created again in the "
        "same transaction (the usual way to change its signature) unless CASCADE took triggers, defaults "
        "or indexes with it, which re-creating the function does not restore. DROP PROCEDURE, ROUTINE and "
        "AGGREGATE are flagged the same way."
        " A rollback (down migration) is not checked: it drops what its forward migration created."
        " A function the history declared RETURNS trigger is not flagged (without CASCADE): only"
        " triggers call it, and PostgreSQL refuses to drop one that a trigger still uses."
    )
    bad = 'DROP FUNCTION "set_updated_at"();'
    good = (
        "-- Replaced in one transaction: callers see the old function or the new one.\n"
        'BEGIN;\nDROP FUNCTION IF EXISTS "set_updated_at"();\n'
        'CREATE FUNCTION "set_updated_at"() RETURNS trigger LANGUAGE plpgsql AS $$ '
        'BEGIN NEW."updatedAt" = now(); RETURN NEW; END $$;\nCOMMIT;'
    )
    references = ("https://www.postgresql.org/docs/current/sql-dropfunction.html",)

    dropped = ("function", "procedure", "routine", "aggregate")
    breaks = "still calls {it} (queries, triggers, jobs)"
    cascade_drops = "every trigger, column default, constraint, index and view that uses {it}"

    def still_needed(self, ctx: ModelContext, event: ir.DropObject) -> bool:
        # A function declared RETURNS trigger is called by triggers only, never by application
        # code; and PostgreSQL refuses to drop one a trigger still uses (without CASCADE).
        return not ctx.trigger_function(event.name) or event.cascade
