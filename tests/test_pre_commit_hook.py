"""The pre-commit hooks, run by pre-commit itself on real temporary git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
MIGRATIONS = Path("prisma") / "migrations"
UNSAFE = 'CREATE INDEX "User_email_idx" ON "User"("email");\n'
SAFE = 'CREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");\n'


def test_hook_definitions() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"migralint", "migralint-all"}
    staged, everything = hooks["migralint"], hooks["migralint-all"]
    assert staged["entry"].split() == ["migralint", "lint", "--staged"]
    assert staged.get("pass_filenames", True) is True
    assert everything["entry"].split() == ["migralint", "lint"]
    assert everything["pass_filenames"] is False and everything["always_run"] is False
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types"] == ["sql"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One pre-commit cache for the module: the hook's environment is built once."""
    assert shutil.which("git"), "git is needed to test the pre-commit hooks"
    return {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-cache")), "NO_COLOR": "1",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """migralint as it is on disk, committed in a repository of its own, and that commit.

    Not `pre-commit try-repo` on this repository: it leaves out files not yet committed,
    and it builds the hook's environment again on every run.
    """
    copy = tmp_path_factory.mktemp("migralint-hook-repo")
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(REPO / "src", copy / "src", ignore=skip)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, copy / name)
    git(copy, env, "init", "-q")
    git(copy, env, "add", "-A")
    git(copy, env, "commit", "-q", "-m", "migralint")
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=copy, env=env, capture_output=True, text=True, check=True)
    return copy, sha.stdout.strip()


def git(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, check=True, env=env, capture_output=True, text=True)


def run_hook(project: Path, env: dict[str, str], hook: str) -> tuple[int, str]:
    """`pre-commit run HOOK` on what is staged, as `git commit` runs it."""
    command = [sys.executable, "-m", "pre_commit", "run", hook, "--verbose"]
    completed = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env)
    return completed.returncode, completed.stdout + completed.stderr


def new_project(tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> Path:
    project = tmp_path / "app"
    (project / MIGRATIONS).mkdir(parents=True)
    (project / MIGRATIONS / "migration_lock.toml").write_text('provider = "postgresql"\n')
    hooks = [{"id": "migralint"}, {"id": "migralint-all"}]
    config = {"repos": [{"repo": str(hook_repo[0]), "rev": hook_repo[1], "hooks": hooks}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, env, "init", "-q")
    git(project, env, "add", ".pre-commit-config.yaml")
    return project


def add_migration(project: Path, name: str, sql: str) -> Path:
    path = project / MIGRATIONS / name / "migration.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql)
    return path


def test_hook_stops_a_commit_with_an_unsafe_migration(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    project = new_project(tmp_path, env, hook_repo)  # no commit yet: everything staged is new
    migration = add_migration(project, "20240101000000_index", UNSAFE)
    git(project, env, "add", ".")
    code, output = run_hook(project, env, "migralint")
    assert code == 1, output
    assert "prisma/migrations/20240101000000_index/migration.sql:1:1: error[require-concurrent-index-creation]" in output

    migration.write_text(SAFE)
    git(project, env, "add", ".")
    code, output = run_hook(project, env, "migralint")
    assert code == 0, output


def test_hook_stops_a_commit_that_edits_a_committed_migration(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    project = new_project(tmp_path, env, hook_repo)
    # committed, so applied: its unsafe index is history, not linted again
    applied = add_migration(project, "20240101000000_index", UNSAFE)
    git(project, env, "add", ".")
    git(project, env, "commit", "-q", "-m", "first migration")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project, env=env, check=True,
                   capture_output=True)
    commit_env = {**env, "SKIP": "migralint-all"}

    add_migration(project, "20240102000000_post", 'CREATE TABLE "Post" ("id" TEXT);\n')
    git(project, env, "add", ".")
    committed = subprocess.run(["git", "commit", "-m", "second"], cwd=project, env=commit_env,
                               capture_output=True, text=True)
    assert committed.returncode == 0, committed.stdout + committed.stderr

    applied.write_text(SAFE)  # "fixing" the applied migration: the databases that ran it never see it
    git(project, env, "add", ".")
    head = git(project, env, "rev-parse", "HEAD").stdout
    stopped = subprocess.run(["git", "commit", "-m", "edit"], cwd=project, env=commit_env,
                             capture_output=True, text=True)
    output = stopped.stdout + stopped.stderr
    assert stopped.returncode != 0, output
    assert git(project, env, "rev-parse", "HEAD").stdout == head
    assert ("prisma/migrations/20240101000000_index/migration.sql:1:1: error[edited-applied-migration] "
            "applied migration 20240101000000_index has a staged edit (against HEAD): line 1 differs") in output

    # the whole-folder hook lints every migration when a commit touches one, the committed ones included
    git(project, env, "checkout", "HEAD", "--", str(applied.relative_to(project)))
    add_migration(project, "20240103000000_comment", 'COMMENT ON TABLE "Post" IS \'posts\';\n')
    git(project, env, "add", ".")
    code, output = run_hook(project, env, "migralint-all")
    assert code == 1, output
    assert "20240101000000_index/migration.sql:1:1: error[require-concurrent-index-creation]" in output
