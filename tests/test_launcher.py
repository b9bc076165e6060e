"""The `migralint` command's quick answer to the pre-commit hook, on real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migralint.launcher import _staged_decision


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "README.md").write_text("app\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_only_lint_staged_with_no_path_is_answered_early(repo: Path) -> None:
    assert _staged_decision(["lint", "--staged"])[0]
    assert _staged_decision(["lint", "--staged", "--format", "concise", "--strict"])[0]
    assert not _staged_decision(["lint", "--staged", "prisma/migrations"])[0]  # the user chose a path
    assert not _staged_decision(["lint", "--staged", "--config", "other.toml"])[0]  # another migrations_dir?
    assert not _staged_decision(["lint", "--since", "main"])[0]
    assert not _staged_decision(["lint"])[0]
    assert not _staged_decision(["rules"])[0]


def test_a_staged_migration_or_its_deletion_goes_to_the_linter(repo: Path) -> None:
    migration = repo / "packages" / "db" / "prisma" / "migrations" / "1_init" / "migration.sql"
    migration.parent.mkdir(parents=True)
    migration.write_text("SELECT 1;\n")
    git(repo, "add", "-A")
    assert not _staged_decision(["lint", "--staged"])[0]
    git(repo, "commit", "-qm", "init")
    assert _staged_decision(["lint", "--staged"])[0]
    git(repo, "rm", "-q", str(migration.relative_to(repo)))
    assert not _staged_decision(["lint", "--staged"])[0]


def test_sql_outside_migrations_folders_needs_a_config_that_names_a_folder(repo: Path) -> None:
    (repo / "sql").mkdir()
    (repo / "sql" / "001_init.sql").write_text("SELECT 1;\n")
    git(repo, "add", "-A")
    assert _staged_decision(["lint", "--staged"])[0]
    (repo / "migralint.toml").write_text('migrations_dir = "sql"\n')
    assert not _staged_decision(["lint", "--staged"])[0]


def test_outside_a_repository_the_linter_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.chdir(tmp_path)
    assert not _staged_decision(["lint", "--staged"])[0]
    done = subprocess.run([sys.executable, "-c", "from migralint.launcher import main; main()", "lint", "--staged"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("migralint: error: "), done.stderr


def test_a_commit_with_a_migration_runs_few_git_processes(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Each git process costs the hook 5 to 10 ms on every commit: the launcher hands what is staged
    # to the lint, and the base is found with one merge-base when the branch has an upstream.
    remote = tmp_path_factory.mktemp("remote")
    git(remote, "init", "-q", "--bare")
    folder = repo / "prisma" / "migrations"
    (folder / "1_init").mkdir(parents=True)
    (folder / "1_init" / "migration.sql").write_text('CREATE TABLE "A" (id bigint PRIMARY KEY);\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "init")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "HEAD")
    (folder / "2_next").mkdir()
    (folder / "2_next" / "migration.sql").write_text('ALTER TABLE "A" ADD COLUMN "b" TEXT;\n')
    git(repo, "add", "-A")
    shim = tmp_path_factory.mktemp("shim")
    log = shim / "calls"
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    (shim / "git").write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    (shim / "git").chmod(0o755)
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}", "MIGRALINT_CACHE_DIR": str(shim / "cache")}
    done = subprocess.run([sys.executable, "-c", "from migralint.launcher import main; main()", "lint", "--staged"],
                          cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert sum("diff --cached" in call for call in calls) == 1, calls
    assert len(calls) <= 7, calls


_EXITING = """
import atexit, sys
from migralint.launcher import main


class Freed:
    def __del__(self) -> None:
        print("freed in the teardown", file=sys.stderr)


kept = Freed()  # a module global: freed only by the interpreter's teardown
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
sys.argv = ["migralint", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("threads", [False, True])
def test_the_command_ends_without_the_interpreters_teardown_and_with_its_exit(tmp_path: Path, threads: bool) -> None:
    """Python's teardown frees every object of the run one at a time; the command skips it (the
    report is written, the exit handlers run, the exit code is Python's), unless another thread
    still runs, which Python's exit handles as before."""
    folder = tmp_path / "prisma" / "migrations"
    for k in range(8):
        path = folder / f"{k:04d}_m" / "migration.sql"
        path.parent.mkdir(parents=True)
        path.write_text(f'CREATE TABLE "T{k}" ("id" INT);\nCREATE INDEX "i{k}" ON "T{k}"("id");\n')
    script = _EXITING
    if threads:
        # A thread that is still there at the end (a daemon, so that Python's exit does not wait for it).
        script = script.replace("main()\n", "import threading\n"
                                "threading.Thread(target=threading.Event().wait, daemon=True).start()\nmain()\n")
    args = [sys.executable, "-c", script, "lint", "--no-cache", "--format", "json", str(folder)]
    done = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    command = subprocess.run([str(Path(sys.executable).parent / "migralint"), *args[3:]], capture_output=True,
                             text=True, cwd=tmp_path)
    assert done.returncode == command.returncode == 0  # warnings only
    assert done.stdout == command.stdout and len(json.loads(done.stdout)["findings"]) >= 8  # each name, at least
    assert done.stderr.endswith("exit handler ran\n" + ("freed in the teardown\n" if threads else ""))
    assert done.stderr.removesuffix("freed in the teardown\n").removesuffix("exit handler ran\n") == command.stderr
