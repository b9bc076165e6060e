from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.narrow_integer import NarrowIntegerRule


class PreferBigintOverInt(NarrowIntegerRule):
    name = "prefer-bigint-over-int"
    severity = Severity.WARNING
    default_enabled = False
    summary = "integer and serial columns run out at 2,147,483,647; use bigint."
    why = (
        "An integer (int, int4) or serial column holds at most 2,147,483,647. An id or counter "
        "that gets there makes every INSERT fail, and widening the column then is an ALTER COLUMN "
        "TYPE bigint that rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE, on "
        "the table that grew large enough to need it. bigint costs 4 more bytes per value, often "
        "none at all once rows are aligned. Flagged in CREATE TABLE, ADD COLUMN and ALTER COLUMN "
        "TYPE, on new tables too: this is about the schema's design, not locks. smallint has a "
        "rule of its own, prefer-bigint-over-smallint."
    )
    bad = 'CREATE TABLE "Order" ("id" SERIAL NOT NULL, "quantity" INTEGER NOT NULL, PRIMARY KEY ("id"));'
    good = 'CREATE TABLE "Order" ("id" BIGSERIAL NOT NULL, "quantity" BIGINT NOT NULL, PRIMARY KEY ("id"));'
    references = ("https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-INT",)

    # The 32-bit types as the parser names them (`int` and `integer` are int4), and their 64-bit twins.
    wider = {"int4": "bigint", "serial": "bigserial", "serial4": "bigserial"}
    overflows_at = "2,147,483,647"
