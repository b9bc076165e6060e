"""Every migration of the shared real-world corpus lints without an internal error.

The corpus lives beside the repository (../shared/corpus) and is never copied into it;
without it these tests skip.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from migralint.api import LintRequest, lint
from migralint.config import Settings
from migralint.migrations.discover import discover
from tests.helpers import rule_set

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")


def _projects() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for kind in ("prisma", "other") for p in (CORPUS / kind).iterdir() if p.is_dir())


@needs_corpus
@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_project_lints_without_internal_error(project: Path) -> None:
    settings = Settings(select=("ALL",))
    files = discover([str(project)])
    assert files, f"no migrations found in {project}"
    result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
    assert not result.internal_errors, result.internal_errors[0].trace
    assert not result.input_errors, result.input_errors
    assert result.files_checked == len(files)


@needs_corpus
def test_edited_migrations_lint_without_internal_error() -> None:
    files = discover([str(CORPUS / "edited")])
    settings = Settings(select=("ALL",))
    result = lint(LintRequest(paths=[str(CORPUS / "edited")], settings=settings, rules=rule_set(settings))).result
    assert not result.internal_errors and not result.input_errors
    assert result.files_checked == len(files) > 0


@needs_corpus
def test_whole_prisma_corpus_through_the_command_exits_0_or_1() -> None:
    command = [sys.executable, "-m", "migralint", "lint", "--format", "concise", str(CORPUS / "prisma")]
    completed = subprocess.run(command, capture_output=True, text=True)
    assert completed.returncode in (0, 1), completed.stderr
    assert "internal error" not in completed.stderr


def _created_tables(migrations: list) -> dict[str, list[tuple[int, int, str]]]:  # type: ignore[type-arg]
    """For each migration: (order, line, "schema.table") of every CREATE TABLE, read independently."""
    from migralint.sql.postgres.nodes import TableName
    from migralint.linter.parse import parse_source
    from migralint.source import read_sql

    created: dict[str, list[tuple[int, int, str]]] = {}
    for order, migration in enumerate(migrations):
        parsed = parse_source(read_sql(migration.path))
        for statement in parsed.statements:
            if statement.kind == "CreateStmt":
                table = TableName.from_range_var(statement.node["relation"])
                line = parsed.index.position(statement.start)[0]
                created.setdefault(migration.name, []).append((order, line, f"{table.schema}.{table.name}"))
    return created


@needs_corpus
@pytest.mark.parametrize("project", [p for p in _projects() if p.parent.name == "prisma"], ids=lambda p: p.name)
def test_no_lock_rule_fires_on_a_table_that_holds_no_rows(project: Path) -> None:
    """With only the first migration applied, every later table is empty until its migration runs."""
    from migralint.source import display_path
    from migralint.rules.registry import ALL_RULES

    lock_rules = {r.name for r in ALL_RULES if r.lock is not None} | {"unbatched-backfill"}
    migrations = discover([str(project)])
    settings = Settings(select=tuple(sorted(lock_rules)), applied_through=migrations[0].name)
    result = lint(LintRequest(paths=[str(project)], settings=settings, rules=rule_set(settings))).result
    created = _created_tables(migrations)
    order = {display_path(m.path): (k, m.name) for k, m in enumerate(migrations)}
    for finding in result.findings:
        position, name = order[finding.path]
        empty = {
            table
            for migration, items in created.items()
            for at, line, table in items
            if (1 <= at < position) or (at == position and line < finding.line)
        }
        assert finding.table not in empty, finding
