"""One wording per history fact: `lint --database-url`, `apply` and `status` say the same thing.

The runner's history table yields facts (runner_history.py); the rule that reports each fact puts
it into words, and apply and status print those words. Real PostgreSQL (tests/pg.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.database.test_apply import ADD_EMAIL, INIT, Project
from tests.pg import Database


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database) -> Project:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    return Project(tmp_path, database)


def _lint_finding(project: Project, rule: str) -> dict[str, object]:
    _, out, err = project.run("lint", "--database-url", project.database.url, "--format", "json", "prisma/migrations")
    found = [f for f in json.loads(out)["findings"] if f["rule"] == rule]
    assert len(found) == 1, (out, err)
    return found[0]


def _status_detail(project: Project, name: str) -> str:
    _, status = project.status()
    return next(str(m["detail"]) for m in status["migrations"] if m["name"] == name)


def test_an_edited_applied_migration_is_said_alike_by_lint_apply_and_status(project: Project) -> None:
    path = project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    path.write_text(INIT + 'CREATE TABLE "Extra" ("id" INTEGER);\n', encoding="utf-8")
    project.add("20240201000000_add_email", ADD_EMAIL)
    finding = _lint_finding(project, "edited-applied-migration")
    assert finding["message"] == (
        "applied migration 20240101000000_init was edited: its SHA-256 no longer matches the checksum in "
        "_prisma_migrations, so the databases that ran it ran other SQL than this file holds"
    )
    code, _, err = project.apply()
    assert code == 1
    assert f"  prisma/migrations/20240101000000_init/migration.sql: {finding['message']}\n" in err
    assert f"    help: {finding['help']}\n" in err
    assert _status_detail(project, "20240101000000_init") == finding["message"]


def test_a_failed_migration_is_said_alike_by_lint_apply_and_status(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_broken", 'ALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n')
    assert project.apply()[0] == 1
    finding = _lint_finding(project, "failed-migration")
    message = str(finding["message"])
    # The first error line of Prisma-shaped logs, and the commands of the runner that wrote the row.
    assert message.startswith("migration 20240201000000_broken failed in the database (started ")
    assert message.endswith(
        ': ERROR: relation "Nope" does not exist; `prisma migrate deploy` refuses to apply anything until it is resolved'
    )
    assert "`npx prisma migrate resolve --applied 20240201000000_broken`" in str(finding["help"])
    code, _, err = project.apply()
    assert code == 1
    assert f"  prisma/migrations/20240201000000_broken/migration.sql: {message}\n" in err
    assert "once the database is repaired: `migralint resolve --rolled-back 20240201000000_broken`" in err
    assert _status_detail(project, "20240201000000_broken") == message
