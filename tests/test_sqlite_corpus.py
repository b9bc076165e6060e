"""Every SQLite migration of the shared corpus (../shared/corpus/dialects/sqlite) lints without an
internal error and is counted, and the SQLite rules fire where the files were read and judged
(docs/dialects/sqlite.md).

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
from tests.helpers import rule_set

SQLITE = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dialects" / "sqlite"
needs_corpus = pytest.mark.skipif(not SQLITE.is_dir(), reason="../shared/corpus/dialects/sqlite is not beside the repository")


def _projects() -> list[Path]:
    return sorted(p for p in SQLITE.iterdir() if p.is_dir()) if SQLITE.is_dir() else []


def _lint(project: Path) -> tuple[int, list[object], Counter[str]]:
    settings = Settings(select=("ALL",), dialect=Dialect.SQLITE)
    files = discover([str(project)], dialect=settings.dialect)
    assert files and all(m.dialect is Dialect.SQLITE for m in files)
    assert len(files) == len(list(project.rglob("*.sql")))  # every file is counted
    result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
    assert not result.internal_errors, result.internal_errors[0].trace
    assert not result.input_errors, result.input_errors
    assert result.files_checked == len(files)
    return len(files), list(result.findings), Counter(f.rule for f in result.findings)


@needs_corpus
@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_project_lints_as_sqlite_without_internal_error(project: Path) -> None:
    _lint(project)


@needs_corpus
def test_prisma_and_popx_folders_need_no_setting() -> None:
    for name in ("teableio__teable", "ory__kratos"):
        files = discover([str(SQLITE / name)])
        assert files and {m.dialect for m in files} == {Dialect.SQLITE}, name


@needs_corpus
def test_the_rules_fire_where_the_files_were_judged() -> None:
    """Findings read in their files (docs/dialects/sqlite.md): homarr's drizzle files turn foreign
    keys off inside the migrator's transaction and rebuild "user", whose children cascade."""
    _, findings, counts = _lint(SQLITE / "homarr-labs__homarr")
    cascades = [f for f in findings if f.rule == "sqlite-rebuild-cascades"]  # type: ignore[attr-defined]
    assert any(f.path.endswith("0012_ambiguous_black_panther.sql") and '"account"' in f.message for f in cascades)  # type: ignore[attr-defined]
    assert counts["sqlite-foreign-keys-pragma-in-transaction"] >= 4
    # Prisma's own rebuilds turn foreign keys off outside a transaction: none cascades.
    _, _, teable = _lint(SQLITE / "teableio__teable")
    assert teable["sqlite-rebuild-cascades"] == 0 and teable["sqlite-foreign-keys-pragma-in-transaction"] == 0
    assert teable["sqlite-rebuild-drops-columns"] >= 1
