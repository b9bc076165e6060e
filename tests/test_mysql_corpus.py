"""Every MySQL migration of the shared corpus (../shared/corpus/dialects/mysql) lints without an
internal error and is counted, and the MySQL front end reads nearly all of it.

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
from migralint.sql.mysql.parse import parse_file
from tests.helpers import rule_set

MYSQL = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dialects" / "mysql"
needs_corpus = pytest.mark.skipif(not MYSQL.is_dir(), reason="../shared/corpus/dialects/mysql is not beside the repository")


def _projects() -> list[Path]:
    return sorted(p for p in MYSQL.iterdir() if p.is_dir()) if MYSQL.is_dir() else []


@needs_corpus
@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_project_lints_as_mysql_without_internal_error(project: Path) -> None:
    # Prisma folders say their provider and popx file names their dialect; the others need the setting.
    settings = Settings(select=("ALL",), dialect=Dialect.MYSQL)
    files = discover([str(project)], dialect=settings.dialect)
    assert files and all(m.dialect is Dialect.MYSQL for m in files)
    assert len(files) == len(list(project.rglob("*.sql")))  # every file is counted
    result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
    assert not result.internal_errors, result.internal_errors[0].trace
    assert not result.input_errors, result.input_errors
    assert result.files_checked == len(files)


@needs_corpus
def test_prisma_and_popx_folders_need_no_setting() -> None:
    for name in ("umami-software__umami", "ory__kratos"):
        files = discover([str(MYSQL / name)])
        assert files and {m.dialect for m in files} == {Dialect.MYSQL}, name


@needs_corpus
def test_the_front_end_reads_the_corpus() -> None:
    """Measured on the 999 files: no tokenizer failure, and one statement refused, gophish's real
    defect (DROP TABLEs with no ";" between them, in a goose Down section); more is a regression."""
    kinds: Counter[str] = Counter()
    refused = 0
    for path in sorted(MYSQL.rglob("*.sql")):
        parsed = parse_file(path.read_text(encoding="utf-8"))
        assert parsed.syntax_error is None, path
        refused += len(parsed.statement_errors)
        kinds.update(s.kind.value for s in parsed.statements)
    assert refused == 1
    assert kinds["alter table"] >= 850 and kinds["create table"] >= 300 and kinds["create index"] >= 550


@needs_corpus
def test_authelia_down_files_are_rollbacks_with_no_finding() -> None:
    """authelia's V0001.Initial_Schema.down.sql undoes its up file: before the layout knew the name,
    its DROP TABLEs were 35 ban-drop-table findings on a forward migration."""
    project = MYSQL / "authelia__authelia"
    settings = Settings(select=("ALL",), dialect=Dialect.MYSQL)
    files = discover([str(project)], dialect=settings.dialect)
    downs = [m for m in files if m.path.name.endswith(".down.sql")]
    assert downs and all(m.rollback and m.forward is not None and m.forward.exists() for m in downs)
    result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
    found = result.findings
    assert found and not [f for f in found if f.path.endswith(".down.sql")]
