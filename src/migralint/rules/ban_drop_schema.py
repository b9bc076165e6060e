from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.drop_object import DropObjectRule


class BanDropSchema(DropObjectRule):
    name = "ban-drop-schema"
    severity = Severity.WARNING
    summary = "DROP SCHEMA breaks the code still running that uses it, and with CASCADE deletes everything in it."
    why = (
        "Code still running queries the objects in a schema by their qualified names; once the schema "
        "is gone those queries fail. Without CASCADE PostgreSQL refuses to drop a schema that is not "
        "empty; with CASCADE it drops every table, view, function and type in it, and every row of those "
        "tables. Drop a schema once nothing uses it, in a later migration. A schema created earlier in the "
        "same file is not flagged."
        " A rollback (down migration) is not checked: it drops what its forward migration created."
    )
    bad = 'DROP SCHEMA "reporting" CASCADE;'
    good = 'CREATE SCHEMA "staging";\nDROP SCHEMA "staging";'
    references = ("https://www.postgresql.org/docs/current/sql-dropschema.html",)

    dropped = ("schema",)
    breaks = "still uses the tables, views or functions in {it}"
    cascade_drops = "every table, view, function and type in {it}, with all their rows"

