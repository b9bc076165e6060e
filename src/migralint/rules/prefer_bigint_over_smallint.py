from __future__ import annotations

from migralint.findings import Severity
from migralint.rules.narrow_integer import NarrowIntegerRule


class PreferBigintOverSmallint(NarrowIntegerRule):
    name = "prefer-bigint-over-smallint"
    severity = Severity.WARNING
    default_enabled = False
    summary = "smallint and smallserial columns run out at 32,767; use bigint."
    why = (
        "A smallint (int2) or smallserial column holds at most 32,767. A counter or id that gets "
        "there makes every write of a larger value fail, and widening the column then is an ALTER "
        "COLUMN TYPE that rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE. The "
        "6 bytes per value it saves are often lost to row alignment anyway. Flagged in CREATE "
        "TABLE, ADD COLUMN and ALTER COLUMN TYPE, on new tables too: this is about the schema's "
        "design, not locks."
    )
    bad = 'CREATE TABLE "Product" ("id" BIGSERIAL NOT NULL, "stock" SMALLINT NOT NULL);'
    good = 'CREATE TABLE "Product" ("id" BIGSERIAL NOT NULL, "stock" BIGINT NOT NULL);'
    references = ("https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-INT",)

    # The 16-bit types as the parser names them (`smallint` is int2), and their 64-bit twins.
    wider = {"int2": "bigint", "smallserial": "bigserial", "serial2": "bigserial"}
    overflows_at = "32,767"
