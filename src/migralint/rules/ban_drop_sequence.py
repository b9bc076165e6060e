from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.drop_object import DropObjectRule


class BanDropSequence(DropObjectRule):
    name = "ban-drop-sequence"
    severity = Severity.WARNING
    summary = "DROP SEQUENCE breaks the code still running that draws numbers from the sequence."
    why = (
        "Code still running, and column defaults (nextval(...)), draw numbers from the sequence by name; "
        "once it is gone those inserts fail. With CASCADE PostgreSQL also drops every column default that "
        "uses it, and inserts that relied on the default then fail on NOT NULL or store NULL. Drop a "
        "sequence once nothing uses it, in a later migration. Not flagged: a sequence created earlier in "
        "the same file (also the one a serial or identity column of a table created there owns), and one "
        "dropped and created again in the same transaction without CASCADE."
        " A rollback (down migration) is not checked: it drops what its forward migration created."
    )
    bad = 'DROP SEQUENCE "invoice_number_seq";'
    good = 'CREATE SEQUENCE "tmp_import_seq";\nDROP SEQUENCE "tmp_import_seq";'
    references = ("https://www.postgresql.org/docs/current/sql-dropsequence.html",)

    dropped = ("sequence",)
    breaks = "still calls nextval on {it}"
    cascade_drops = "every column DEFAULT that uses {it}, so inserts that relied on the default fail or write NULL"

