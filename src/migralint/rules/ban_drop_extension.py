from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.drop_object import DropObjectRule


class BanDropExtension(DropObjectRule):
    name = "ban-drop-extension"
    severity = Severity.WARNING
    summary = "DROP EXTENSION breaks the code still running that uses its functions, types or operators."
    why = (
        "An extension brings functions, types and operators (uuid_generate_v4(), the similarity "
        "operators of pg_trgm, the types of PostGIS) that queries and column defaults of running code "
        "use; once it is dropped they fail. With CASCADE PostgreSQL also drops every column, index, view "
        "and function that depends on the extension: columns go with their data. Drop an extension once "
        "nothing uses it, in a later migration. An extension created earlier in the same file is not "
        "flagged."
        " A rollback (down migration) is not checked: it drops what its forward migration created."
    )
    bad = 'DROP EXTENSION "pg_trgm";'
    good = 'CREATE EXTENSION IF NOT EXISTS "pg_trgm";'
    references = ("https://www.postgresql.org/docs/current/sql-dropextension.html",)

    dropped = ("extension",)
    breaks = "still uses the functions, types or operators of {it}"
    cascade_drops = "every column, index, view and function that depends on {it} (columns with their data)"

