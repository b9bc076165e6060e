"""The repository questions `lint --staged` asks git: where HEAD meets its upstream comes with the
first question (rev-parse's `A...B`), and says the same as `git merge-base` in every shape of history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migralint.migrations.git_repository import GitRepository
from tests.migrations.test_git_history import FOLDER, commit_all, git, lint, pushed, repo, write  # noqa: F401  (fixtures)


def meeting(repo: Path) -> tuple[GitRepository, str | None]:
    """The repository as `--staged` reads it, and where HEAD meets the upstream as it finds it."""
    found = GitRepository.containing(repo / FOLDER, "--staged", upstream=True)
    return found, found.merge_base(found.upstream) if found.upstream else None


def merge_base(repo: Path) -> str:
    return git(repo, "merge-base", "@{upstream}", "HEAD")


def test_in_step_ahead_and_behind_the_upstream(repo: Path, pushed: Path, tmp_path: Path) -> None:
    found, base = meeting(repo)
    assert (found.upstream, found.upstream_base, base) == ("origin/main", merge_base(repo), merge_base(repo))
    write(repo / FOLDER / "20240103000000_mine" / "migration.sql", "SELECT 1;\n")
    commit_all(repo)  # ahead: the base is the pushed commit, not HEAD
    found, base = meeting(repo)
    assert base == found.upstream_base == merge_base(repo) != git(repo, "rev-parse", "HEAD")
    other = tmp_path / "other"  # and behind: the upstream gained a commit this clone lacks
    git(tmp_path, "clone", "-q", str(pushed), str(other))
    write(other / FOLDER / "20240104000000_theirs" / "migration.sql", "SELECT 2;\n")
    commit_all(other)
    git(other, "push", "-q")
    git(repo, "fetch", "-q")
    found, base = meeting(repo)
    assert base == found.upstream_base == merge_base(repo) != git(repo, "rev-parse", "@{upstream}")


def test_an_upstream_with_no_history_in_common_falls_back_to_merge_base(repo: Path, pushed: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "fresh")
    commit_all(repo, "unrelated")
    git(repo, "branch", "-q", "--set-upstream-to", "origin/main")
    found, base = meeting(repo)
    assert (found.upstream, found.upstream_base, base) == ("origin/main", None, None)


def test_no_upstream_and_a_head_with_no_commit(repo: Path, pushed: Path, tmp_path: Path) -> None:
    git(repo, "branch", "-q", "--unset-upstream")
    found, _ = meeting(repo)
    assert (found.upstream, found.upstream_base) == (None, None)
    fresh = tmp_path / "fresh"  # a clone of the remote on a new branch with no commit yet, tracking main
    git(tmp_path, "clone", "-q", str(pushed), str(fresh))
    git(fresh, "checkout", "-q", "--orphan", "new")
    git(fresh, "config", "branch.new.remote", "origin")
    git(fresh, "config", "branch.new.merge", "refs/heads/main")
    found = GitRepository.containing(fresh / FOLDER, "--staged", upstream=True)
    assert found.upstream_base is None and found.top == fresh.resolve()


def test_the_staged_lint_runs_no_merge_base(repo: Path, pushed: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    shim = tmp_path / "shim"
    shim.mkdir()
    log = shim / "calls"
    real = git(repo, "--exec-path")  # git's own folder holds a `git` too; any real git does
    (shim / "git").write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}/git" "$@"\n')
    (shim / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    write(repo / FOLDER / "20240103000000_mine" / "migration.sql", "SELECT 1;\n")
    git(repo, "add", "-A")
    code, out, err = lint("--staged", "--no-cache")
    assert code == 0, (out, err)
    calls = log.read_text().splitlines()
    assert not any(" merge-base " in f" {call} " for call in calls), calls
    assert any("@{upstream}...HEAD" in call for call in calls), calls
