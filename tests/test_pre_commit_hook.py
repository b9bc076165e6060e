"""The pre-commit hooks, run by pre-commit itself on real git repositories with a real remote.

The project's `.pre-commit-config.yaml` points at a git repository holding this checkout at a
commit, as a user's points at GitHub: pre-commit builds the hook's environment from it and
runs the hook definitions of `.pre-commit-hooks.yaml` as they are. The remote is a bare
repository, so "pushed" means what it means to a user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
MIGRATIONS = Path("prisma") / "migrations"
TABLE = 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT);\n'
UNSAFE = 'CREATE INDEX "User_email_idx" ON "User"("email");\n'
SAFE = 'CREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");\n'
LOCK_FINDING = "error[require-concurrent-index-creation]"
EDITED = "error[edited-applied-migration]"
DELETED = "error[deleted-applied-migration]"


def test_hook_definitions() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"migralint", "migralint-all"}
    staged, everything = hooks["migralint"], hooks["migralint-all"]
    # every commit: pre-commit passes no deleted file, so a filtered hook misses a deletion
    assert staged["entry"].split() == ["migralint", "lint", "--staged"]
    assert staged["always_run"] is True and staged["pass_filenames"] is False and "types" not in staged
    assert everything["entry"].split() == ["migralint", "lint"]
    assert everything["pass_filenames"] is False and everything["always_run"] is False
    assert everything["types"] == ["sql"]
    for hook in hooks.values():
        assert hook["language"] == "python"


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
    return copy, git(copy, env, "rev-parse", "HEAD").stdout.strip()


def git(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, check=True, env=env, capture_output=True, text=True)


def run_hook(project: Path, env: dict[str, str], hook: str) -> tuple[int, str]:
    """`pre-commit run HOOK` on what is staged, as `git commit` runs it."""
    command = [sys.executable, "-m", "pre_commit", "run", hook, "--verbose"]
    completed = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env)
    return completed.returncode, completed.stdout + completed.stderr


def commit(project: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """`git commit` with the hooks installed; SKIP keeps the whole-folder hook out of the way."""
    completed = subprocess.run(["git", "commit", "-q", *args], cwd=project, env={**env, "SKIP": "migralint-all"},
                               capture_output=True, text=True)
    return completed.returncode, completed.stdout + completed.stderr


@pytest.fixture()
def project(tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> Path:
    """A project whose first migration (the User table) is pushed to a bare remote; hooks installed."""
    remote = tmp_path / "remote.git"
    git(tmp_path, env, "init", "-q", "--bare", "-b", "main", str(remote))
    project = tmp_path / "app"
    (project / MIGRATIONS).mkdir(parents=True)
    (project / MIGRATIONS / "migration_lock.toml").write_text('provider = "postgresql"\n')
    hooks = [{"id": "migralint"}, {"id": "migralint-all"}]
    config = {"repos": [{"repo": str(hook_repo[0]), "rev": hook_repo[1], "hooks": hooks}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, env, "init", "-q", "-b", "main")
    git(project, env, "remote", "add", "origin", str(remote))
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project, env=env, check=True,
                   capture_output=True)
    add_migration(project, "20240101000000_user", TABLE)
    git(project, env, "add", ".")
    assert commit(project, env, "-m", "user table")[0] == 0
    git(project, env, "push", "-q", "-u", "origin", "main")
    return project


def add_migration(project: Path, name: str, sql: str, folder: Path = MIGRATIONS) -> Path:
    path = project / folder / name / "migration.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql)
    return path


def staged(project: Path, env: dict[str, str]) -> None:
    git(project, env, "add", "-A")


def test_an_unsafe_migration_is_stopped_and_a_safe_one_passes(project: Path, env: dict[str, str]) -> None:
    migration = add_migration(project, "20240102000000_index", UNSAFE)
    staged(project, env)
    code, output = commit(project, env, "-m", "index")
    assert code != 0, output
    assert f"prisma/migrations/20240102000000_index/migration.sql:1:1: {LOCK_FINDING}" in output
    migration.write_text(SAFE)
    staged(project, env)
    assert commit(project, env, "-m", "index")[0] == 0


def test_amending_an_unpushed_migration_is_allowed_and_a_pushed_one_is_not(
    project: Path, env: dict[str, str]
) -> None:
    migration = add_migration(project, "20240102000000_post", 'CREATE TABLE "Post" ("id" TEXT);\n')
    staged(project, env)
    assert commit(project, env, "-m", "post")[0] == 0
    migration.write_text('CREATE TABLE "Post" ("id" TEXT NOT NULL);\n')  # a second thought before pushing
    staged(project, env)
    code, output = commit(project, env, "--amend", "--no-edit")
    assert code == 0, output

    git(project, env, "push", "-q")
    migration.write_text('CREATE TABLE "Post" ("id" TEXT NOT NULL, "title" TEXT);\n')
    staged(project, env)
    head = git(project, env, "rev-parse", "HEAD").stdout
    code, output = commit(project, env, "--amend", "--no-edit")
    assert code != 0, output
    assert git(project, env, "rev-parse", "HEAD").stdout == head
    assert ("prisma/migrations/20240102000000_post/migration.sql:1:1: error[edited-applied-migration] applied "
            "migration 20240102000000_post has a staged edit (against origin/main): line 1 differs") in output


def test_an_index_on_a_table_an_unpushed_commit_created_is_no_lock_on_data(
    project: Path, env: dict[str, str]
) -> None:
    add_migration(project, "20240102000000_post", 'CREATE TABLE "Post" ("id" TEXT, "title" TEXT);\n')
    staged(project, env)
    assert commit(project, env, "-m", "post")[0] == 0
    # the Post table is not in production yet: it holds no rows, and indexing it blocks nobody
    add_migration(project, "20240103000000_post_title", 'CREATE INDEX "Post_title_idx" ON "Post"("title");\n')
    staged(project, env)
    code, output = commit(project, env, "-m", "post title")
    assert code == 0, output
    # the same index on the pushed User table is a lock on data
    add_migration(project, "20240104000000_user_email", UNSAFE)
    staged(project, env)
    code, output = commit(project, env, "-m", "user email")
    assert code != 0 and f"20240104000000_user_email/migration.sql:1:1: {LOCK_FINDING}" in output, output


def test_a_migration_fixed_by_lint_fix_can_be_committed(project: Path, env: dict[str, str]) -> None:
    migration = add_migration(project, "20240102000000_index", UNSAFE)
    staged(project, env)
    assert commit(project, env, "--no-verify", "-m", "index, hook skipped")[0] == 0
    fixed = subprocess.run([sys.executable, "-m", "migralint", "lint", "--fix", str(MIGRATIONS)], cwd=project,
                           env=env, capture_output=True, text=True)
    assert "CONCURRENTLY" in migration.read_text(), fixed.stderr
    staged(project, env)
    code, output = commit(project, env, "-m", "fixed")
    assert code == 0, output


def test_deleting_a_pushed_migration_is_stopped_and_an_unpushed_one_is_not(
    project: Path, env: dict[str, str]
) -> None:
    draft = add_migration(project, "20240102000000_draft", 'CREATE TABLE "Draft" ("id" TEXT);\n')
    staged(project, env)
    assert commit(project, env, "-m", "draft")[0] == 0
    shutil.rmtree(draft.parent)  # never pushed: dropping it is fine
    staged(project, env)
    code, output = commit(project, env, "-m", "no draft after all")
    assert code == 0, output

    shutil.rmtree(project / MIGRATIONS / "20240101000000_user")  # pushed: production ran it
    staged(project, env)
    code, output = commit(project, env, "-m", "delete")
    assert code != 0, output
    assert (f"prisma/migrations/20240101000000_user/migration.sql:1:1: {DELETED} applied migration "
            "20240101000000_user was deleted (its deletion is staged)") in output


def test_sql_outside_every_migrations_folder_is_no_migration(project: Path, env: dict[str, str]) -> None:
    report = project / "scripts" / "report.sql"
    report.parent.mkdir()
    report.write_text('SELECT count(*) FROM "User";\n')
    staged(project, env)
    assert commit(project, env, "-m", "report")[0] == 0
    git(project, env, "push", "-q")
    report.write_text('CREATE INDEX "User_email_idx" ON "User"("email");\n')  # an edit of a committed .sql
    (project / "README.md").write_text("app\n")
    staged(project, env)
    code, output = run_hook(project, env, "migralint")
    assert code == 0, output
    assert "edited-applied-migration" not in output and "linting" not in output


def test_a_branch_with_no_upstream_compares_with_the_default_branch(
    project: Path, env: dict[str, str], tmp_path: Path
) -> None:
    clone = tmp_path / "clone"  # a fresh clone knows origin/HEAD, as a developer's does
    git(tmp_path, env, "clone", "-q", str(tmp_path / "remote.git"), str(clone))
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=clone, env=env, check=True,
                   capture_output=True)
    git(clone, env, "checkout", "-q", "-b", "feature")  # not pushed: no upstream
    add_migration(clone, "20240102000000_post", 'CREATE TABLE "Post" ("id" TEXT);\n')
    staged(clone, env)
    assert commit(clone, env, "-m", "post")[0] == 0
    add_migration(clone, "20240102000000_post", 'CREATE TABLE "Post" ("id" TEXT NOT NULL);\n')
    staged(clone, env)
    assert commit(clone, env, "--amend", "--no-edit")[0] == 0  # only on this branch: not applied
    add_migration(clone, "20240101000000_user", TABLE.replace("TEXT)", "TEXT NOT NULL)"))
    staged(clone, env)
    code, output = commit(clone, env, "-m", "edit the pushed one")
    assert code != 0 and "has a staged edit (against origin/main)" in output, output


def test_a_monorepo_folder_is_found(project: Path, env: dict[str, str]) -> None:
    folder = Path("packages") / "db" / "prisma" / "migrations"
    (project / folder).mkdir(parents=True)
    (project / folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    add_migration(project, "20240101000000_account", 'CREATE TABLE "Account" ("id" TEXT);\n', folder)
    add_migration(project, "20240102000000_account_id", 'CREATE INDEX "a" ON "Account"("id");\n', folder)
    staged(project, env)
    code, output = commit(project, env, "-m", "db package")
    # both are pending: the Account table is new, and its index locks nobody
    assert code == 0, output
    git(project, env, "push", "-q")
    add_migration(project, "20240103000000_account_index", 'CREATE INDEX "b" ON "Account"("id");\n', folder)
    staged(project, env)
    code, output = commit(project, env, "-m", "index")
    assert code != 0 and f"{folder.as_posix()}/20240103000000_account_index/migration.sql:1:1: {LOCK_FINDING}" in output


def test_the_whole_folder_hook_lints_what_the_config_does_not_mark_applied(
    project: Path, env: dict[str, str]
) -> None:
    add_migration(project, "20240102000000_index", UNSAFE)  # unsafe, committed, and applied
    staged(project, env)
    assert commit(project, env, "--no-verify", "-m", "index")[0] == 0
    add_migration(project, "20240103000000_comment", 'COMMENT ON TABLE "User" IS \'users\';\n')
    staged(project, env)
    code, output = run_hook(project, env, "migralint-all")
    assert code == 1 and f"20240102000000_index/migration.sql:1:1: {LOCK_FINDING}" in output, output
    (project / "migralint.toml").write_text('applied_through = "20240102000000_index"\n')
    staged(project, env)
    code, output = run_hook(project, env, "migralint-all")
    assert code == 0, output


def test_a_commit_touching_no_migration_costs_little(project: Path, env: dict[str, str]) -> None:
    """The hook's own command, as pre-commit runs it, on a commit with and without a migration."""
    for k in range(150):
        add_migration(project, f"20240201{k:06d}_step", f'ALTER TABLE "User" ADD COLUMN "c{k}" TEXT;\n')
    staged(project, env)
    assert commit(project, env, "--no-verify", "-m", "history")[0] == 0
    git(project, env, "push", "-q")
    (project / "README.md").write_text("app\n")
    staged(project, env)
    migralint = _hook_migralint(env)
    command = [str(migralint.parent / "python"), "-X", "importtime", str(migralint), "lint", "--staged"]
    loaded = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert "pglast" not in loaded.stderr and "migralint.cli" not in loaded.stderr and "click" not in loaded.stderr
    quick = _best_of(5, [str(migralint), "lint", "--staged"], project, env)
    add_migration(project, "20250101000000_more", 'ALTER TABLE "User" ADD COLUMN "more" TEXT;\n')
    staged(project, env)
    full = _best_of(1, [str(migralint), "lint", "--staged"], project, env)
    assert quick * 2 < full, (quick, full)  # the linter did not load: a fraction of a real run


def _best_of(times: int, command: list[str], cwd: Path, env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        best = min(best, time.perf_counter() - start)
        assert done.returncode == 0, done.stdout + done.stderr
    return best


def _hook_migralint(env: dict[str, str]) -> Path:
    """The migralint command pre-commit installed for the hook (its own virtual environment)."""
    found = sorted(Path(env["PRE_COMMIT_HOME"]).glob("repo*/py_env-*/bin/migralint"))
    assert found, "pre-commit has not built the hook's environment yet"
    return found[0]


def test_rebasing_judges_against_the_branch_upstream(project: Path, env: dict[str, str]) -> None:
    """During a rebase HEAD is detached: the upstream is the rebased branch's, not the default branch."""
    git(project, env, "checkout", "-q", "-b", "feature")
    migration = add_migration(project, "20240102000000_post", 'CREATE TABLE "Post" ("id" TEXT);\n')
    staged(project, env)
    assert commit(project, env, "-m", "post")[0] == 0
    (project / "README.md").write_text("app\n")
    staged(project, env)
    assert commit(project, env, "-m", "readme")[0] == 0
    rebase_env = {**env, "GIT_SEQUENCE_EDITOR": "sed -i -e '1s/^pick/edit/'", "SKIP": "migralint-all"}
    git(project, rebase_env, "rebase", "-q", "-i", "origin/main")  # stops at the unpushed migration's commit
    migration.write_text('CREATE TABLE "Post" ("id" TEXT NOT NULL);\n')
    staged(project, env)
    code, output = commit(project, env, "--amend", "--no-edit")
    assert code == 0, output  # not pushed: rewriting it is fine
    git(project, rebase_env, "rebase", "--continue")
    git(project, env, "push", "-q", "-u", "origin", "feature")  # pushed to its own branch, not to main
    git(project, rebase_env, "rebase", "-q", "-i", "HEAD~2")
    migration.write_text('CREATE TABLE "Post" ("id" TEXT NOT NULL, "title" TEXT);\n')
    staged(project, env)
    code, output = commit(project, env, "--amend", "--no-edit")
    assert code != 0 and "has a staged edit (against origin/feature)" in output, output
    git(project, env, "rebase", "--abort")
