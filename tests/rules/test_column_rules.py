"""The column rules' helpers (type changes, volatility), exact positions, runnable help, and
squawk's own test cases for the four rules squawk shares with migralint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pglast import parser

from migralint.config import Settings
from migralint.migrations.layouts import RunnerMode
from migralint.linter.type_changes import is_plain_using, type_change
from migralint.linter.volatility import volatile_function, volatile_function_trusting
from tests.helpers import lint_sql

COLUMN_RULES = ("adding-required-field", "adding-not-nullable-field", "adding-field-with-default", "changing-column-type")
SQUAWK_CASES = Path(__file__).resolve().parents[2].parent / "shared" / "squawk-cases" / "cases.json"
# Cases where migralint decides otherwise on purpose, with the reason.
SQUAWK_DIFFERENCES = {
    # A stored generated column rewrites the table, but that is adding-stored-generated-column's
    # business: flagging it here too would report one problem twice.
    "adding_field_with_default::generated_stored_err": "ok",
}


def _type(sql_type: str) -> dict[str, Any]:
    tree = json.loads(parser.parse_sql_json(f"CREATE TABLE t (c {sql_type})"))
    return tree["stmts"][0]["stmt"]["CreateStmt"]["tableElts"][0]["ColumnDef"]["typeName"]  # type: ignore[no-any-return]


# Each verdict was checked on PostgreSQL 15 by comparing relfilenodes before and after.
@pytest.mark.parametrize(
    ("old", "new", "rewrite_free"),
    [
        ("varchar(10)", "varchar(20)", True),
        ("character varying(10)", "text", True),
        ("varchar(10)", "varchar", True),
        ("text", "varchar", True),
        ("text", "varchar(100)", False),
        ("varchar(20)", "varchar(10)", False),
        ("numeric(10,2)", "decimal(12,2)", True),
        ("numeric(10,2)", "numeric", True),
        ("numeric(10,2)", "numeric(12,3)", False),
        ("numeric", "numeric(12,2)", False),
        ("cidr", "inet", True),
        ("varbit(5)", "bit varying(10)", True),
        ("timestamp(3)", "timestamp(6)", True),
        ("timestamptz(3)", "timestamptz", True),
        ("timestamp", "timestamp(3)", False),
        ("timestamp", "timestamptz", False),
        ("int", "bigint", False),
        ("int4", "integer", True),
        ("varchar(10)[]", "varchar(20)[]", False),
        ("char(5)", "text", False),
    ],
)
def test_type_change(old: str, new: str, rewrite_free: bool) -> None:
    assert type_change(_type(old), _type(new)).rewrite_free is rewrite_free


def test_plain_using() -> None:
    def using(sql: str) -> dict[str, Any]:
        tree = json.loads(parser.parse_sql_json(f"ALTER TABLE t ALTER COLUMN c TYPE text USING {sql}"))
        command = tree["stmts"][0]["stmt"]["AlterTableStmt"]["cmds"][0]["AlterTableCmd"]
        return command["def"]["ColumnDef"]["raw_default"]  # type: ignore[no-any-return]

    assert is_plain_using(using('"c"::text'), "c", _type("text"))
    assert is_plain_using(using("c"), "c", _type("text"))
    assert not is_plain_using(using("lower(c)"), "c", _type("text"))
    assert not is_plain_using(using("c::varchar"), "c", _type("text"))


@pytest.mark.parametrize(
    ("expression", "volatile"),
    [
        ("now()", None),
        ("CURRENT_TIMESTAMP", None),
        ("'{}'::jsonb", None),
        ("ARRAY[]::text[]", None),
        ("(now() AT TIME ZONE 'utc')", None),
        ("-1", None),
        ("lower(upper('a'))", None),
        ("gen_random_uuid()", "gen_random_uuid"),
        ("md5(random()::text)", "random"),
        ("nextval('s'::regclass)", "nextval"),
        ("pg_catalog.clock_timestamp()", "clock_timestamp"),
        ("public.my_default()", "public.my_default"),
    ],
)
def test_volatile_function(expression: str, volatile: str | None) -> None:
    tree = json.loads(parser.parse_sql_json(f"SELECT {expression}"))
    target = tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
    assert volatile_function(target) == volatile


def test_positions_after_non_ascii_text() -> None:
    sql = (
        "-- café ☕\n"
        "ALTER TABLE \"User\" ADD COLUMN \"motto\" TEXT DEFAULT 'é☕', ADD COLUMN \"emoji\" TEXT NOT NULL;\n"
        "ALTER TABLE \"User\" ADD COLUMN \"note\" TEXT DEFAULT '☕', ADD COLUMN \"k\" UUID DEFAULT gen_random_uuid();\n"
        "ALTER TABLE \"User\" ALTER COLUMN \"x\" SET DEFAULT 'é', ALTER COLUMN \"x\" SET NOT NULL;\n"
        "ALTER TABLE \"User\" ALTER COLUMN \"y\" SET DEFAULT '☕', ALTER COLUMN \"y\" TYPE bigint;\n"
    )
    found = {(f.rule, f.line, f.column, f.end_column) for f in lint_sql(sql).findings if f.rule in COLUMN_RULES}
    assert found == {
        ("adding-required-field", 2, 58, 90),
        ("adding-field-with-default", 3, 56, 101),
        ("adding-not-nullable-field", 4, 54, 83),
        ("changing-column-type", 5, 54, 82),
    }


def _squawk_cases() -> list[dict[str, Any]]:
    if not SQUAWK_CASES.is_file():
        return []
    cases = json.loads(SQUAWK_CASES.read_text(encoding="utf-8"))
    return [c for c in cases if c["rule"] in COLUMN_RULES]


@pytest.mark.skipif(not SQUAWK_CASES.is_file(), reason="../shared/squawk-cases is not beside the repository")
@pytest.mark.parametrize("case", _squawk_cases(), ids=lambda c: c["id"])
def test_squawk_case(case: dict[str, Any]) -> None:
    settings = Settings(select=("ALL",))
    if case["pg_version"]:
        settings = Settings(select=("ALL",), pg_version=int(case["pg_version"]))
    runner = RunnerMode.TRANSACTION if case["assume_in_transaction"] else RunnerMode.AUTOCOMMIT
    found = any(f.rule == case["rule"] for f in lint_sql(case["sql"], runner=runner, settings=settings).findings)
    expected = SQUAWK_DIFFERENCES.get(case["id"], case["expect"])
    assert ("violation" if found else "ok") == expected


@pytest.mark.parametrize(
    ("expression", "asked", "volatile"),
    [
        ("CURRENT_TIMESTAMP", False, None),
        ("42", False, None),
        ("now()", False, None),
        ("gen_random_uuid()", False, "gen_random_uuid"),
        ("my_stable()", True, None),  # trusted: created STABLE earlier in the file
        ("my_other()", True, "my_other"),
        ("upper(my_stable())", True, None),
    ],
)
def test_the_trusted_functions_are_gathered_only_for_a_function_known_neither_way(
    expression: str, asked: bool, volatile: str | None
) -> None:
    tree = json.loads(parser.parse_sql_json(f"SELECT {expression}"))
    target = tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
    gathered: list[bool] = []

    def trusted() -> frozenset[str]:
        gathered.append(True)
        return frozenset({"my_stable"})

    assert volatile_function_trusting(target, trusted) == volatile
    assert bool(gathered) is asked
