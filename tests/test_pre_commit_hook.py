"""The pre-commit hook, run by pre-commit itself on a real temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_hook_definition() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "migralint"
    assert hook["language"] == "python"
    assert hook["types"] == ["sql"]
    assert hook["entry"].split()[:2] == ["migralint", "lint"]


def test_hook_stops_a_commit_with_an_unsafe_migration(tmp_path: Path) -> None:
    git = shutil.which("git")
    assert git, "git is needed to test the pre-commit hook"
    project = tmp_path / "app"
    migration = project / "prisma" / "migrations" / "20240101000000_index" / "migration.sql"
    migration.parent.mkdir(parents=True)
    migration.write_text('CREATE INDEX "User_email_idx" ON "User"("email");\n')
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run([git, "init", "-q"], cwd=project, check=True, env=env)
    subprocess.run([git, "add", "."], cwd=project, check=True, env=env)
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "migralint", "--verbose"]
    completed = subprocess.run(pre_commit, cwd=project, capture_output=True, text=True, env=env)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "prisma/migrations/20240101000000_index/migration.sql:1:1: error[require-concurrent-index-creation]" in output

    migration.write_text('CREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");\n')
    subprocess.run([git, "add", "."], cwd=project, check=True, env=env)
    completed = subprocess.run(pre_commit, cwd=project, capture_output=True, text=True, env=env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
