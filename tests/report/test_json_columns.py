"""The JSON report's findings as columns (json_format.findings_json's Records) give the text of
finding_dict's objects, the one definition of a finding's JSON."""

from __future__ import annotations

import json
import random

from migralint.findings import Finding, Fix, Severity, TableSize
from migralint.report.indented_json import Records, indented_json
from migralint.report.json_format import finding_dict, findings_json

TEXTS = ["", "x", 'takes ACCESS EXCLUSIVE on "User"', "a\nb\\c\t", "é☕\u2028", "\x00\x1b[31m"]
PATHS = ["prisma/migrations/1_init/migration.sql", "a b/é.sql", "bad\udcff/migration.sql", ""]


def findings(rng: random.Random, count: int) -> list[Finding]:
    return [
        Finding(rng.choice(PATHS), rng.randrange(1, 900), rng.randrange(1, 90), rng.randrange(1, 900),
                rng.randrange(1, 90), rng.choice(["require-lock-timeout", "r", "ç"]),
                rng.choice([Severity.ERROR, Severity.WARNING]), rng.choice(TEXTS), rng.choice(TEXTS),
                fix=rng.choice([None, Fix("d", ())]), table=rng.choice([None, "public.User"]), covers=(1,))
        for _ in range(count)
    ]


def test_columns_give_the_objects_of_finding_dict() -> None:
    rng = random.Random(3)
    for count in (0, 1, 5, 300):
        found = findings(rng, count)
        listed = findings_json(found)
        assert isinstance(listed, Records)
        expected = [finding_dict(f) for f in found]
        assert listed.objects() == expected
        assert indented_json({"findings": listed}) == json.dumps({"findings": expected}, indent=2, ensure_ascii=False)


def test_a_table_size_takes_the_objects_of_finding_dict() -> None:
    found = findings(random.Random(4), 20)
    sized = [*found[:10], Finding("a.sql", 1, 1, 1, 2, "r", Severity.ERROR, 'locks "User"',
                                  table="public.User", table_size=TableSize("public.User", 10, 8192))]
    assert findings_json(sized) == [finding_dict(f) for f in sized]
