"""PostgreSQL's own regression SQL lints with no internal error.

A sample is vendored in postgres_regress/ (PostgreSQL License, see COPYRIGHT there): files of
odd syntax, among them the two that made migralint crash (create_aggregate.sql and
polymorphism.sql: `CREATE AGGREGATE cnt(*)` then a DROP). All 217 files of libpg_query's copy
were linted once by hand with no internal error (see the commit that added this test).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.migrations.layouts import RunnerMode
from tests.helpers import lint_sql

SAMPLE = sorted((Path(__file__).parent / "postgres_regress").glob("*.sql"))


def test_the_sample_is_there() -> None:
    assert {p.name for p in SAMPLE} >= {"create_aggregate.sql", "polymorphism.sql"}


@pytest.mark.parametrize("runner", [RunnerMode.AUTOCOMMIT, RunnerMode.TRANSACTION])
@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.stem)
def test_postgres_regression_sql_lints_without_internal_error(path: Path, runner: RunnerMode) -> None:
    sql = path.read_text(encoding="utf-8")
    report = lint_sql(sql, runner=runner, settings=Settings(select=("ALL",)))
    assert not report.errors, report.errors[0].trace
    assert report.findings, "every rule on: regression SQL drops and locks plenty"
