"""What the corpus tests of each database share: where ../shared/corpus/dialects/<dialect> is,
its projects, a skip when it is absent, and a project linted as that dialect with every file
counted and no internal error.

The corpus is never copied into the repository; without it the tests that use it skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.api import LintRequest, lint
from migralint.config import Settings
from migralint.findings import LintResult
from migralint.migrations.discover import discover
from migralint.sql.dialect import Dialect
from tests.helpers import rule_set

DIALECTS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dialects"


def corpus(dialect: Dialect) -> Path:
    return DIALECTS / dialect.value


def needs_corpus(dialect: Dialect) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not corpus(dialect).is_dir(),
                              reason=f"../shared/corpus/dialects/{dialect.value} is not beside the repository")


def projects(dialect: Dialect) -> list[Path]:
    root = corpus(dialect)
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def lint_counted(project: Path, dialect: Dialect) -> LintResult:
    """`project` linted with every rule on as `dialect` (Prisma folders and popx names say it; the
    setting says it for the others): every .sql file found and checked, no internal error."""
    settings = Settings(select=("ALL",), dialect=dialect)
    files = discover([str(project)], dialect=settings.dialect)
    assert files and all(m.dialect is dialect for m in files)
    assert len(files) == len(list(project.rglob("*.sql")))  # every file is counted
    result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
    assert not result.internal_errors, result.internal_errors[0].trace
    assert not result.input_errors, result.input_errors
    assert result.files_checked == len(files)
    return result
