"""Every SQL Server migration of the shared corpus (../shared/corpus/dialects/sqlserver: eureka's
Prisma folder, Openfire's upgrade scripts) lints without an internal error and is counted, and the
SQL Server rules fire where the corpus gives them cause.

The corpus is never copied into the repository; without it these tests skip.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from migralint.api import LintRequest, lint
from migralint.config import Settings
from migralint.migrations.discover import discover
from migralint.sql.dialect import Dialect
from migralint.sql.sqlserver import parse
from tests.helpers import rule_set

SQLSERVER = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dialects" / "sqlserver"
needs_corpus = pytest.mark.skipif(not SQLSERVER.is_dir(), reason="../shared/corpus/dialects/sqlserver is not beside the repository")


def _projects() -> list[Path]:
    return sorted(p for p in SQLSERVER.iterdir() if p.is_dir()) if SQLSERVER.is_dir() else []


@needs_corpus
@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_project_lints_as_sqlserver_without_internal_error(project: Path) -> None:
    # Neither folder says its dialect (eureka keeps no migration_lock.toml): the setting does.
    settings = Settings(select=("ALL",), dialect=Dialect.SQLSERVER)
    files = discover([str(project)], dialect=settings.dialect)
    assert files and all(m.dialect is Dialect.SQLSERVER for m in files)
    assert len(files) == len(list(project.rglob("*.sql")))  # every file is counted
    result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
    assert not result.internal_errors, result.internal_errors[0].trace
    assert not result.input_errors, result.input_errors
    assert result.files_checked == len(files)


@needs_corpus
def test_rules_fire_on_the_corpus() -> None:
    """Measured on the 142 files (docs/dialects/sqlserver.md has the table and the judgements):
    fewer findings is a rule gone quiet, more a new false alarm to look at."""
    settings = Settings(select=("ALL",), dialect=Dialect.SQLSERVER)
    result = lint(LintRequest(paths=[str(SQLSERVER)], settings=settings, rules=rule_set(settings))).result
    counts = Counter(f.rule for f in result.findings)
    assert "internal-error" not in counts
    assert counts == EXPECTED, counts


EXPECTED = Counter({
    "ban-drop-column": 35, "renaming-table": 34, "mssql-blocking-index": 69, "ban-drop-table": 15,
    "adding-required-field": 11, "mssql-alter-column-size-of-data": 9, "renaming-column": 7,
    "adding-not-nullable-field": 4, "ban-drop-not-null": 1, "syntax-error": 1, "migration-name": 1,
})


@needs_corpus
def test_the_front_end_reads_the_corpus() -> None:
    """No file stops; the statements not understood are Prisma's dynamic DROP CONSTRAINT loop (twice)
    and Openfire's `//` comment line, which is also the one syntax error."""
    refused, not_understood = 0, 0
    for path in sorted(SQLSERVER.rglob("*.sql")):
        parsed = parse(path.read_bytes().decode("utf-8-sig"))
        assert parsed.syntax_error is None, path
        refused += len(parsed.statement_errors)
        not_understood += sum(not s.understood for s in parsed.statements)
    assert (refused, not_understood) == (1, 3)
