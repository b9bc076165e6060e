from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.drop_object import DropObjectRule


class BanDropView(DropObjectRule):
    name = "ban-drop-view"
    severity = Severity.WARNING
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

    dropped = ("view", "materialized view")
    breaks = "still queries {it}"
    cascade_drops = "every view and rule built on {it}"
    recreating_restores_dependents = True

