"""Every CockroachDB migration of the shared corpus (../shared/corpus/dialects/cockroachdb) lints
without an internal error and is counted, and the CockroachDB front end reads all of it.

The corpus is never copied into the repository; without it these tests skip.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from migralint.api import LintRequest, lint
from migralint.config import Settings
from migralint.migrations.discover import discover
from migralint.sql.cockroachdb.front_end import parse
from migralint.sql.dialect import Dialect
from tests.helpers import rule_set

CRDB = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "dialects" / "cockroachdb"
needs_corpus = pytest.mark.skipif(not CRDB.is_dir(), reason="../shared/corpus/dialects/cockroachdb is not beside the repository")


def _projects() -> list[Path]:
    return sorted(p for p in CRDB.iterdir() if p.is_dir()) if CRDB.is_dir() else []


@needs_corpus
@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_project_lints_as_cockroachdb_without_internal_error(project: Path) -> None:
    # Prisma folders say their provider and popx file names their dialect; the others need the setting.
    settings = Settings(select=("ALL",), dialect=Dialect.COCKROACHDB)
    files = discover([str(project)], dialect=settings.dialect)
    assert files and all(m.dialect is Dialect.COCKROACHDB for m in files)
    assert len(files) == len(list(project.rglob("*.sql")))  # every file is counted
    result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
    assert not result.internal_errors, result.internal_errors[0].trace
    assert not result.input_errors, result.input_errors
    assert result.files_checked == len(files)
    # No PostgreSQL lock rule speaks about a CockroachDB file.
    postgres_only = {f.rule for f in result.findings} - _cockroach_rules()
    assert not postgres_only, postgres_only


def _cockroach_rules() -> set[str]:
    from migralint.rules.registry import RULES_BY_NAME

    return {name for name, rule in RULES_BY_NAME.items() if Dialect.COCKROACHDB in rule.dialects} | {"syntax-error"}


@needs_corpus
def test_prisma_and_popx_folders_need_no_setting() -> None:
    for name, count in (("AndrewSouthpaw__crdb-prisma-migration-repro-2022-12-12", 2), ("ory__kratos", 869)):
        files = discover([str(CRDB / name)])
        assert len(files) == count and {m.dialect for m in files} == {Dialect.COCKROACHDB}, name


@needs_corpus
def test_the_front_end_reads_the_whole_corpus() -> None:
    """Measured on the 887 files: 732 statements, each understood (the 16 in CockroachDB's own
    syntax through their rewrite), no syntax error; less is a regression."""
    kinds: Counter[str] = Counter()
    statements = 0
    for path in sorted(CRDB.rglob("*.sql")):
        parsed = parse(path.read_bytes().decode("utf-8-sig", "replace"))
        assert parsed.syntax_error is None and not parsed.statement_errors, path
        assert all(s.understood for s in parsed.statements), path
        statements += len(parsed.statements)
        kinds.update(s.kind.value for s in parsed.statements)
    assert statements == 732
    assert kinds["alter table"] == 417 and kinds["create index"] == 69 and kinds["drop index"] == 52


@needs_corpus
def test_the_cockroach_rules_fire_on_the_corpus() -> None:
    settings = Settings(select=("ALL",), dialect=Dialect.COCKROACHDB)
    found: Counter[str] = Counter()
    for project in _projects():
        result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
        found.update(f.rule for f in result.findings)
    assert found["cockroach-alter-primary-key"] == 2  # flipt's two ALTER PRIMARY KEY statements
    assert found["cockroach-schema-changes-in-transaction"] >= 10
