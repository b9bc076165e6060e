"""`lint --fix` on real files: only safe fixes, only on migrations not yet applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pglast import parser

from migralint.cli import main
from migralint.linter.fixing import _apply
from migralint.migrations.layouts import RunnerMode
from tests.helpers import lint_sql

FIXTURES = Path(__file__).parent / "rules" / "fixtures"


def _write(root: Path, name: str, sql: str) -> Path:
    path = root / name / "migration.sql"
    path.parent.mkdir(parents=True)
    path.write_text(sql, encoding="utf-8")
    return path


def test_fix_adds_concurrently_only_where_it_can_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "prisma" / "migrations"
    alone = _write(root, "1_alone", '-- ☕\nCREATE INDEX "User_email_idx" ON "User"("email");\n')
    drop = _write(root, "2_drop", 'DROP INDEX "Old_idx";\n')
    together = _write(root, "3_together", 'SET lock_timeout = \'1s\';\nCREATE INDEX "User_name_idx" ON "User"("name");\n')
    result = CliRunner().invoke(main, ["lint", "--fix", "--format", "concise", "--select",
                                       "require-concurrent-index-creation,require-concurrent-index-deletion",
                                       "prisma/migrations"])
    assert alone.read_text() == '-- ☕\nCREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");\n'
    assert drop.read_text() == 'DROP INDEX CONCURRENTLY "Old_idx";\n'
    # Two statements are one transaction in Prisma: CONCURRENTLY would fail there, so no fix.
    assert "CONCURRENTLY" not in together.read_text()
    assert "fixed 2 finding(s)" in result.stderr
    assert result.stdout.count("require-concurrent-index-creation") == 1 and "3_together" in result.stdout
    assert result.exit_code == 1


def test_fix_never_edits_an_applied_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "prisma" / "migrations"
    applied = _write(root, "1_applied", 'CREATE INDEX "a" ON "User"("x");\n')
    pending = _write(root, "2_pending", 'CREATE INDEX "b" ON "User"("y");\n')
    result = CliRunner().invoke(main, ["lint", "--fix", "--assume-applied-through", "1_applied", "prisma/migrations"])
    assert "CONCURRENTLY" not in applied.read_text()
    assert "CONCURRENTLY" in pending.read_text()
    # the applied migration is replayed, not linted: nothing of it to fix
    assert result.stderr == "migralint: fixed 1 finding(s) in prisma/migrations/2_pending/migration.sql\n"


def test_fix_is_refused_for_standard_input() -> None:
    result = CliRunner().invoke(main, ["lint", "--fix", "-"], input="SELECT 1;")
    assert result.exit_code == 2 and "--fix edits files" in result.stderr


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.sql")), ids=lambda p: p.stem)
def test_every_fix_in_the_fixtures_parses_and_removes_its_finding(path: Path) -> None:
    sql = path.read_text(encoding="utf-8")
    for finding in lint_sql(sql, runner=RunnerMode.AUTOCOMMIT).findings:
        if finding.fix is None:
            continue
        fixed, count = _apply(sql, list(finding.fix.edits))
        assert count == len(finding.fix.edits)
        parser.parse_sql_json(fixed)
        after = lint_sql(fixed, runner=RunnerMode.AUTOCOMMIT).findings
        assert not [f for f in after if f.rule == finding.rule and f.line == finding.line], finding


def test_the_fixtures_exercise_fixes() -> None:
    fixes = [
        f
        for path in FIXTURES.glob("*.sql")
        for f in lint_sql(path.read_text(encoding="utf-8"), runner=RunnerMode.AUTOCOMMIT).findings
        if f.fix is not None
    ]
    assert {f.rule for f in fixes} >= {"require-concurrent-index-creation", "require-concurrent-index-deletion"}
