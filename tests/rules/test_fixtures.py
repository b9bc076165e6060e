"""Runs every fixture in tests/rules/fixtures.

A fixture is real migration SQL. A trailing `-- expect: RULE[, RULE]` marks a line on which a
finding of that rule must start; every other line must be free of findings of the rule the
fixture is named after (and of any rule an expect comment names). A first-line
`-- fixture: runner=single-query pg_version=10` sets how the file is run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.migrations.layouts import RunnerMode
from migralint.rules.registry import RULES_BY_NAME
from migralint.sql.dialect import Dialect
from tests.helpers import lint_sql

FIXTURES = Path(__file__).parent / "fixtures"
_EXPECT = re.compile(r"--\s*expect:\s*([a-z0-9, -]+?)\s*$")
_SETTINGS = re.compile(r"^--\s*fixture:(.*)$", re.M)


def _fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.sql"))


def _rule_of(path: Path) -> str:
    return path.stem.split("--")[0]


def _options(sql: str) -> tuple[RunnerMode, Settings]:  # the PostgreSQL fixtures' runner and settings
    runner, settings, _ = fixture_options(sql)
    return runner, settings


def fixture_options(sql: str) -> tuple[RunnerMode, Settings, Dialect]:
    """The runner, settings and dialect a fixture's first line asks for."""
    runner = RunnerMode.AUTOCOMMIT
    dialect = Dialect.POSTGRESQL
    settings: dict[str, object] = {"select": ("ALL",)}
    match = _SETTINGS.search(sql)
    for item in (match.group(1).split() if match else []):
        key, _, value = item.partition("=")
        if key == "runner":
            runner = RunnerMode(value)
        elif key == "pg_version":
            settings["pg_version"] = int(value)
        elif key == "runner_sets_lock_timeout":
            settings["runner_sets_lock_timeout"] = value == "true"
        elif key == "dialect":
            dialect = Dialect(value)
        elif key in ("mysql_version", "mariadb_version"):
            settings[key] = tuple(int(part) for part in value.split("."))
        else:
            raise ValueError(f"unknown fixture option {key}")
    return runner, Settings(**settings), dialect  # type: ignore[arg-type]


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    rule = _rule_of(path)
    assert rule in RULES_BY_NAME, f"fixture {path.name} names no rule"
    sql = path.read_text(encoding="utf-8")
    expected: set[tuple[int, str]] = set()
    for number, line in enumerate(sql.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            expected.update((number, name.strip()) for name in match.group(1).split(","))
    checked = {rule} | {name for _, name in expected}
    runner, settings, dialect = fixture_options(sql)
    report = lint_sql(sql, runner=runner, settings=settings, path=path.name, dialect=dialect)
    found = {(f.line, f.rule) for f in report.findings if f.rule in checked}
    assert found == expected, "\n".join(
        f"{path.name}:{f.line}:{f.column}: {f.rule} {f.message}" for f in report.findings
    )
    assert expected, f"fixture {path.name} expects no finding at all"


def test_every_rule_has_a_fixture() -> None:
    from migralint.rules.base import HistoryRule

    covered = {_rule_of(p) for p in _fixture_files()}
    # internal-error has no SQL that triggers it: tests/fuzz and tests/test_robustness.py test it.
    statement_rules = {
        name for name, rule in RULES_BY_NAME.items() if not issubclass(rule, HistoryRule) and rule.example_language == "sql"
    }
    missing = sorted(statement_rules - covered)
    assert not missing, f"rules without a fixture: {missing}"
