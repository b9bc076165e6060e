"""The style rules (column types, enum value order): off by default, exact positions of the type,
and help that is runnable SQL with the user's names."""

from __future__ import annotations


import pytest

from migralint.config import Settings
from migralint.rules.registry import RULES_BY_NAME
from tests.helpers import lint_sql

STYLE_RULES = (
    "require-enum-value-ordering",
    "ban-char-field",
    "prefer-text-field",
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    "prefer-timestamptz",
    "prefer-jsonb",
)


def _style(sql: str, **kwargs: object) -> list[tuple[str, int, int, int, str]]:
    return [
        (f.rule, f.line, f.column, f.end_column, f.help)
        for f in lint_sql(sql, **kwargs).findings  # type: ignore[arg-type]
        if f.rule in STYLE_RULES
    ]


@pytest.mark.parametrize("name", STYLE_RULES)
def test_off_by_default(name: str) -> None:
    rule = RULES_BY_NAME[name]
    assert rule.default_enabled is False
    assert not [f for f in lint_sql(rule.bad, settings=Settings()).findings if f.rule == name]


def test_finding_spans_the_type_after_non_ascii_text() -> None:
    sql = (
        "-- café ☕\n"
        "CREATE TABLE \"Café\" (\"é\" TEXT DEFAULT '☕', \"at\" TIMESTAMP(3) WITHOUT TIME ZONE NOT NULL);\n"
        "ALTER TABLE \"Café\" ADD COLUMN \"☕\" json, ALTER COLUMN \"é\" TYPE varchar(9) USING \"é\"::varchar(9);\n"
        "/* é */ ALTER TYPE \"Rôle\" ADD VALUE 'é';\n"
    )
    found = {(rule, line, column, end) for rule, line, column, end, _ in _style(sql)}
    assert found == {
        ("prefer-timestamptz", 2, 49, 79),
        ("prefer-jsonb", 3, 35, 39),
        ("prefer-text-field", 3, 63, 73),
        ("require-enum-value-ordering", 4, 27, 40),
    }


def test_create_table_help_shows_the_column_as_written() -> None:
    (finding,) = _style('CREATE TABLE "Event" ("id" TEXT NOT NULL, "at" TIMESTAMP(3) NOT NULL DEFAULT now());')
    assert finding[0] == "prefer-timestamptz"
    assert finding[4].split("\n", 1)[1] == (
        'CREATE TABLE "Event" (\n'
        "    -- the other columns and constraints, as written\n"
        '    "at" timestamptz(3) NOT NULL DEFAULT now()\n'
        ");"
    )


def test_text_field_on_an_existing_table_adds_the_check_not_valid() -> None:
    ((_, _, _, _, help_text),) = _style('ALTER TABLE "User" ADD COLUMN "email" VARCHAR(255) NOT NULL DEFAULT \'\';')
    assert help_text.split("\n")[1:] == [
        "ALTER TABLE \"User\" ADD COLUMN \"email\" text NOT NULL DEFAULT '';",
        'ALTER TABLE "User" ADD CONSTRAINT "User_email_check" CHECK (char_length(email) <= 255) NOT VALID;',
        "-- in a migration of its own (VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):",
        'ALTER TABLE "User" VALIDATE CONSTRAINT "User_email_check";',
    ]


def test_text_field_on_a_new_table_keeps_the_check_inline() -> None:
    sql = 'CREATE TABLE "User" ("id" TEXT);\nALTER TABLE "User" ADD COLUMN "email" VARCHAR(255), ADD COLUMN "n" TEXT;'
    ((_, _, _, _, help_text),) = _style(sql)
    assert help_text.split("\n")[1:] == ['ALTER TABLE "User" ADD COLUMN "email" text CHECK (char_length(email) <= 255);']


def test_enum_order_help_names_the_last_value_when_the_file_knows_it() -> None:
    sql = (
        "CREATE TYPE \"Plan\" AS ENUM ('FREE', 'PRO');\n"
        "ALTER TYPE \"Plan\" ADD VALUE 'TEAM' AFTER 'FREE';\n"
        "ALTER TYPE \"Plan\" ADD VALUE 'ENTERPRISE';\n"
    )
    ((_, line, _, _, help_text),) = _style(sql)
    assert line == 3
    assert help_text.split("\n")[1] == "ALTER TYPE \"Plan\" ADD VALUE 'ENTERPRISE' AFTER 'PRO';"


def test_identity_needs_postgresql_10() -> None:
    sql = 'CREATE TABLE "Post" ("id" SERIAL NOT NULL);'
    assert [f[0] for f in _style(sql, settings=Settings(select=("prefer-identity",), pg_version=9))] == []
    assert [f[0] for f in _style(sql, settings=Settings(select=("prefer-identity",), pg_version=10))] == ["prefer-identity"]
