"""Finding and Settings, declared through migralint/frozen.py, behave as the frozen dataclasses they were.

(The statement model's classes: tests/sql/test_ir_values.py.)
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.findings import Finding, Fix, Severity, TableSize


def _finding(**changes: object) -> Finding:
    base = Finding("m.sql", 1, 1, 1, 5, "ban-drop-table", Severity.ERROR, "drops", help="keep it")
    return dataclasses.replace(base, **changes)


def test_a_finding_compares_by_what_it_reports() -> None:
    plain = _finding()
    assert plain == _finding() and hash(plain) == hash(_finding())
    # What the reports do not show (the fix, the table, the statements covered, the size) is left out.
    decorated = _finding(fix=Fix("drop it", ()), table="public.t", covers=(2, 3), table_size=TableSize("public.t", 10, 8192))
    assert decorated == plain and hash(decorated) == hash(plain)
    assert _finding(line=2) != plain and _finding(severity=Severity.WARNING) != plain
    assert len({plain, decorated, _finding(message="other")}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.line = 3  # type: ignore[misc]


def test_a_finding_pickles_whole_through_its_own_reduce() -> None:
    decorated = _finding(fix=Fix("drop it", ()), table="public.t", covers=(2,), table_size=TableSize("public.t", 10, 8192))
    back = pickle.loads(pickle.dumps(decorated))
    assert back == decorated
    assert (back.fix, back.table, back.covers, back.table_size) == (decorated.fix, "public.t", (2,), decorated.table_size)


def test_settings_defaults_are_made_per_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    one, two = Settings(), Settings()
    assert one.severity == {} and one.severity is not two.severity and one.per_file_ignores == {}
    assert one.root == tmp_path and one.pg_version == 15 and one.select is None and one.cache
    assert Settings(root=Path("/x")).root == Path("/x")


def test_settings_replace_compare_and_travel_to_a_worker() -> None:
    settings = Settings(select=("ban-drop-table",), severity={"ban-drop-table": Severity.WARNING})
    changed = settings.with_overrides(strict=True, pg_version=None)
    assert changed.strict and changed.pg_version == settings.pg_version and changed.select == settings.select
    assert changed != settings and dataclasses.replace(changed, strict=False) == settings
    assert pickle.loads(pickle.dumps(settings)) == settings  # what a spawned worker receives
    assert [f.name for f in dataclasses.fields(Settings)][:3] == ["pg_version", "strict", "select"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.strict = True  # type: ignore[misc]


def test_slot_setters_set_each_named_field_and_refuse_another_order() -> None:
    from migralint.frozen import slot_setters
    from migralint.sql.ir_table_events import AddColumn

    table_of, column_of, if_not_exists_of = slot_setters(AddColumn, "table column if_not_exists")
    made = AddColumn.__new__(AddColumn)
    table_of(made, "t")
    column_of(made, "c")
    if_not_exists_of(made, True)
    assert (made.table, made.column, made.if_not_exists) == ("t", "c", True)
    # The names written beside the unpacking must be the slots, in order: a field moved, added or
    # dropped fails at import instead of setting one field's value in another.
    with pytest.raises(TypeError, match="AddColumn"):
        slot_setters(AddColumn, "column table if_not_exists")
    with pytest.raises(TypeError, match="AddColumn"):
        slot_setters(AddColumn, "table column")
