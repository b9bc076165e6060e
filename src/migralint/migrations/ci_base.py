"""The commit a CI run compares with, from the CI's own variables (`lint --ci-base`).

GitHub Actions (the event payload at GITHUB_EVENT_PATH, documented at
https://docs.github.com/en/webhooks/webhook-events-and-payloads): a pull request's
`pull_request.base.sha`; a merge queue's `merge_group.base_sha`; a push's `before`, except
when the push creates the branch (`before` is all zeros), where the base is where the branch
leaves the default branch (`repository.default_branch`). GitLab CI (predefined variables,
https://docs.gitlab.com/ci/variables/predefined_variables/): a merge request pipeline's
CI_MERGE_REQUEST_DIFF_BASE_SHA; a branch pipeline's CI_COMMIT_BEFORE_SHA, or for a new branch
the merge base with CI_DEFAULT_BRANCH. A `before` that the clone lacks (a force-push) falls
back to that merge base too.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from migralint.errors import UserError

_PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


class CiBase(NamedTuple):
    commit: str | None  # None: this run has nothing to compare with; everything is pending
    why: str  # for the note on stderr: "the pull request's base", ...


def ci_base(env: Mapping[str, str], cwd: Path) -> CiBase:
    if env.get("GITHUB_EVENT_NAME"):
        return _github(env, cwd)
    if env.get("GITLAB_CI") == "true":
        return _gitlab(env, cwd)
    raise UserError("--ci-base reads the base commit from GitHub Actions or GitLab CI variables, and neither "
                    "is set; pass --since REF instead")


def _github(env: Mapping[str, str], cwd: Path) -> CiBase:
    event = env["GITHUB_EVENT_NAME"]
    payload = _payload(env.get("GITHUB_EVENT_PATH", ""))
    default = str(_get(payload, "repository", "default_branch") or "")
    if event in _PULL_REQUEST_EVENTS:
        sha = _get(payload, "pull_request", "base", "sha")
        if isinstance(sha, str) and sha:
            return CiBase(sha, "the pull request's base")
    elif event == "merge_group":
        sha = _get(payload, "merge_group", "base_sha")
        if isinstance(sha, str) and sha:
            return CiBase(sha, "the merge queue's base")
    elif event == "push":
        before = _get(payload, "before")
        if isinstance(before, str) and before.strip("0") and _is_commit(before, cwd):
            return CiBase(before, "the commit before the push")
        return _fork_point(default, cwd, "a new branch" if not (isinstance(before, str) and before.strip("0"))
                           else "the commit before the push is not in the clone")
    return CiBase(None, f"a {event} run has no base commit")


def _gitlab(env: Mapping[str, str], cwd: Path) -> CiBase:
    diff_base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA", "")
    if diff_base:
        return CiBase(diff_base, "the merge request's diff base")
    before = env.get("CI_COMMIT_BEFORE_SHA", "")
    if before.strip("0") and _is_commit(before, cwd):
        return CiBase(before, "the commit before the push")
    return _fork_point(env.get("CI_DEFAULT_BRANCH", ""), cwd, "a new branch or pipeline")


def _fork_point(default: str, cwd: Path, why: str) -> CiBase:
    """Where HEAD left the default branch, as the clone knows it (origin/<default>, else <default>)."""
    if default:
        for ref in (f"origin/{default}", default):
            done = _git(["merge-base", ref, "HEAD"], cwd)
            if done is not None:
                return CiBase(done, f"{why}: where it leaves {ref}")
    return CiBase(None, f"{why}, and the default branch is not in the clone (fetch it, or fetch-depth: 0)")


def _payload(path: str) -> Any:
    if not path:
        return {}
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"--ci-base: cannot read the GitHub event payload {path}: {exc}") from None


def _get(payload: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(payload, dict):
            return None
        payload = payload.get(key)
    return payload


def _is_commit(sha: str, cwd: Path) -> bool:
    return not sha.startswith("-") and _git(["rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}"], cwd) is not None


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
