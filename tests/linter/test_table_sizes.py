"""Lock findings told the size of their table (linter/table_sizes.py), without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.config_file import settings_from_table
from migralint.errors import ConfigError
from migralint.findings import Finding, Severity, TableSize, format_bytes, format_rows
from migralint.linter.table_sizes import lock_rule_names, with_table_sizes
from migralint.migrations.history import AppliedState, TableStats
from migralint.report.table_size import shown_message
from tests.helpers import lint_sql, rule_set

SETTINGS = Settings(select=("ALL",))
RULES = rule_set(SETTINGS)
SQL = (
    "-- ☕ café\n"
    'CREATE INDEX "Booking_note_idx" ON "Booking"("note");\n'
    'ALTER TABLE app.orders ALTER COLUMN total SET NOT NULL;\n'
    'CREATE TABLE "Fresh" ("id" int);\n'
)


def findings() -> list[Finding]:
    return lint_sql(SQL, settings=SETTINGS).findings


def test_lock_rules_are_the_ones_with_a_lock_and_require_lock_timeout() -> None:
    names = lock_rule_names(RULES)
    assert {"require-concurrent-index-creation", "adding-not-nullable-field", "require-lock-timeout"} <= names
    assert "prefer-text-field" not in names and "edited-applied-migration" not in names


def test_sizes_go_right_after_the_table_name() -> None:
    state = AppliedState(table_stats={
        "public.Booking": TableStats(2_400_000, int(1.8 * 1024**3)),
        "app.orders": TableStats(-1, 5 * 1024**2),
    })
    before = findings()
    after = with_table_sizes(before, [state], SETTINGS, RULES)
    messages = {f.rule: shown_message(f) for f in after}
    assert 'takes SHARE on "Booking" (2.4M rows, 1.8 GB): INSERT' in messages["require-concurrent-index-creation"]
    assert '"app.orders" (5.0 MB, rows not counted yet: never analyzed)' in messages["adding-not-nullable-field"]
    assert [(f.path, f.line, f.column, f.rule, f.severity, f.message) for f in after] == [
        (f.path, f.line, f.column, f.rule, f.severity, f.message) for f in before
    ]  # the size is data on the finding; the rule's own message is left as it was
    sizes = {f.rule: f.table_size for f in after}
    assert sizes["require-concurrent-index-creation"] == TableSize("public.Booking", 2_400_000, int(1.8 * 1024**3))
    assert sizes["adding-not-nullable-field"] == TableSize("app.orders", -1, 5 * 1024**2)
    assert all(f.table_size is None for f in after if f.table not in ("public.Booking", "app.orders"))


def test_small_tables_only_warn_and_say_why() -> None:
    state = AppliedState(table_stats={"public.Booking": TableStats(120, 16384)})
    after = with_table_sizes(findings(), [state], SETTINGS, RULES)
    index = next(f for f in after if f.rule == "require-concurrent-index-creation")
    assert index.severity is Severity.WARNING
    assert '"Booking" (120 rows: below small_table_rows, a warning)' in shown_message(index)
    assert index.table_size is not None and index.table_size.small
    untouched = next(f for f in after if f.rule == "adding-not-nullable-field")
    assert untouched.severity is Severity.ERROR and "rows" not in shown_message(untouched)
    strict = with_table_sizes(findings(), [state], Settings(select=("ALL",), small_table_rows=0), RULES)
    assert next(f for f in strict if f.rule == "require-concurrent-index-creation").severity is Severity.ERROR


def test_sizes_are_read_once_for_the_tables_that_are_locked() -> None:
    asked: list[list[str]] = []

    def read(tables: object) -> dict[str, TableStats]:
        asked.append(list(tables))  # type: ignore[call-overload]
        return {"public.Booking": TableStats(50_000, 8 * 1024**2)}

    state = AppliedState()
    after = with_table_sizes(findings(), [state], SETTINGS, RULES, read)
    assert asked == [["app.orders", "public.Booking"]]
    assert state.table_stats == {"public.Booking": TableStats(50_000, 8 * 1024**2)}
    assert any('"Booking" (50K rows, 8.0 MB)' in shown_message(f) for f in after)


@pytest.mark.parametrize("rows, text", [(0, "0 rows"), (1, "1 row"), (999, "999 rows"), (12_345, "12K rows"),
                                        (2_400_000, "2.4M rows"), (3_000_000_000, "3.0B rows")])
def test_format_rows(rows: int, text: str) -> None:
    assert format_rows(rows) == text


@pytest.mark.parametrize("size, text", [(0, "0 bytes"), (8192, "8.0 kB"), (123 * 1024**2, "123 MB"),
                                        (int(1.8 * 1024**3), "1.8 GB"), (5 * 1024**5, "5120 TB")])
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text
    assert TableSize("public.t", 10, size).note().endswith(text)


def test_small_table_rows_in_the_config() -> None:
    source = Path("/project/migralint.toml")
    assert settings_from_table({"small_table_rows": 500}, source).small_table_rows == 500
    assert Settings().small_table_rows == 10_000
    with pytest.raises(ConfigError, match="small_table_rows must be a whole number"):
        settings_from_table({"small_table_rows": -1}, source)
