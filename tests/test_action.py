"""The composite GitHub Action's lint step, run as the shell script it is, on a real git
repository with a base and a head commit: annotations point at the lines the head adds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


def _action() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "action.yml").read_text())


def _lint_step() -> dict:  # type: ignore[type-arg]
    return next(step for step in _action()["runs"]["steps"] if step.get("name") == "Lint migrations")


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _resolve(value: str, inputs: dict[str, str]) -> str:
    """What GitHub does with ${{ inputs.x }} in the step's env."""
    return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], value)


def _run_step(
    repo: Path, inputs: dict[str, str], event: tuple[str, dict[str, object]] | None = None, **ci: str
) -> subprocess.CompletedProcess[str]:
    """The step's script as the runner runs it; `event` is GITHUB_EVENT_NAME and its payload."""
    step = _lint_step()
    defaults = {name: str(spec.get("default", "")) for name, spec in _action()["inputs"].items()}
    values = {**defaults, **inputs}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB_", "CI_"))}
    env.update({k: _resolve(str(v), values) for k, v in step["env"].items()})
    env.update(GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(repo), NO_COLOR="1", GITHUB_STEP_SUMMARY="")
    if event is not None:
        payload = repo.parent / "event.json"
        payload.write_text(json.dumps(event[1]))
        env.update(GITHUB_EVENT_NAME=event[0], GITHUB_EVENT_PATH=str(payload))
    env.update(ci)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True)


def _pull_request_event(base: str) -> tuple[str, dict[str, object]]:
    return "pull_request", {"pull_request": {"base": {"sha": base}}, "repository": {"default_branch": "main"}}


def _annotated_files(stdout: str) -> set[str]:
    return {re.sub(r",.*", "", line.split("file=", 1)[1]) for line in stdout.splitlines() if line.startswith("::")}


@pytest.fixture()
def pull_request(tmp_path: Path) -> tuple[Path, str]:
    assert shutil.which("git"), "git is needed to test the action"
    repo = tmp_path / "app"
    migrations = repo / "prisma" / "migrations"
    (migrations / "20240101000000_init").mkdir(parents=True)
    (migrations / "migration_lock.toml").write_text('provider = "postgresql"\n')
    (migrations / "20240101000000_init" / "migration.sql").write_text(
        'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT);\n'
        "-- applied long ago, and unsafe: not this pull request's business\n"
        'CREATE INDEX "User_id_idx" ON "User"("id");\n'
    )
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    (migrations / "20240201000000_email_index").mkdir()
    (migrations / "20240201000000_email_index" / "migration.sql").write_text(
        "-- Index the e-mail column ☕\n"
        "SET lock_timeout = '5s';\n"
        'CREATE INDEX "User_email_idx" ON "User"("email");\n'
    )
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "head")
    return repo, base


NEW_FILE = "prisma/migrations/20240201000000_email_index/migration.sql"


def test_annotations_point_at_the_added_lines(pull_request: tuple[Path, str]) -> None:
    repo, base = pull_request
    completed = _run_step(repo, {}, _pull_request_event(base))
    assert completed.returncode == 1, completed.stderr
    annotations = [line for line in completed.stdout.splitlines() if line.startswith("::")]
    assert annotations, completed.stdout
    assert all(a.startswith(f"::error file={NEW_FILE},line=3,col=1,") for a in annotations), annotations
    assert "20240101000000_init" not in completed.stdout
    assert f"migralint: comparing with {base[:12]}, the pull request's base" in completed.stderr


def test_a_push_compares_with_the_commit_before_it(pull_request: tuple[Path, str]) -> None:
    repo, base = pull_request
    completed = _run_step(repo, {}, ("push", {"before": base, "repository": {"default_branch": "main"}}))
    assert completed.returncode == 1, completed.stderr
    assert _annotated_files(completed.stdout) == {NEW_FILE}


def test_a_push_that_creates_a_branch_compares_with_where_it_leaves_the_default_branch(
    pull_request: tuple[Path, str], tmp_path: Path
) -> None:
    repo, base = pull_request
    remote = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    _git(repo, "remote", "add", "origin", str(remote))
    _git(repo, "push", "-q", "origin", f"{base}:refs/heads/main")
    _git(repo, "fetch", "-q", "origin")
    new_branch = {"before": "0" * 40, "repository": {"default_branch": "main"}}
    completed = _run_step(repo, {}, ("push", new_branch))
    assert completed.returncode == 1, completed.stderr
    assert _annotated_files(completed.stdout) == {NEW_FILE}
    assert f"comparing with {base[:12]}, a new branch: where it leaves origin/main" in completed.stderr
    # a force-push: the commit before it is gone from the clone
    gone = {"before": "1234567890" * 4, "repository": {"default_branch": "main"}}
    completed = _run_step(repo, {}, ("push", gone))
    assert _annotated_files(completed.stdout) == {NEW_FILE}, completed.stderr


def test_an_event_without_a_base_lints_everything(pull_request: tuple[Path, str]) -> None:
    repo, _ = pull_request
    completed = _run_step(repo, {"format": "json"}, ("workflow_dispatch", {}))
    assert completed.returncode == 1
    assert json.loads((repo / "migralint.json").read_text())["files_checked"] == 2  # the base's migration too
    assert "no base commit (a workflow_dispatch run has no base commit)" in completed.stderr


def test_gitlab_merge_request_variables(pull_request: tuple[Path, str]) -> None:
    repo, base = pull_request
    completed = _run_step(repo, {}, None, GITHUB_ACTIONS="", GITLAB_CI="true",
                          CI_MERGE_REQUEST_DIFF_BASE_SHA=base)
    assert completed.returncode == 1, completed.stderr
    assert "the merge request's diff base" in completed.stderr
    report = json.loads((repo / "gl-code-quality-report.json").read_text())
    assert {issue["location"]["path"] for issue in report} == {NEW_FILE}
    # a branch pipeline: the commit before the push
    completed = _run_step(repo, {}, None, GITHUB_ACTIONS="", GITLAB_CI="true", CI_COMMIT_BEFORE_SHA=base)
    assert "the commit before the push" in completed.stderr
    assert "20240101000000_init" not in completed.stdout


def test_sarif_upload_writes_the_report_and_keeps_annotations(pull_request: tuple[Path, str]) -> None:
    repo, base = pull_request
    completed = _run_step(repo, {"upload-sarif": "true"}, _pull_request_event(base))
    assert completed.returncode == 1
    assert (repo / "migralint.sarif").is_file()
    assert f"::error file={NEW_FILE},line=3" in completed.stdout
    # annotations off: each finding shows once, as a code scanning alert
    (repo / "migralint.sarif").unlink()
    completed = _run_step(repo, {"upload-sarif": "true", "annotations": "false"}, _pull_request_event(base))
    assert completed.returncode == 1 and "::" not in completed.stdout
    assert json.loads((repo / "migralint.sarif").read_text())["runs"][0]["results"]


@pytest.mark.parametrize(("fmt", "name"), [("sarif", "migralint.sarif"), ("gitlab", "gl-code-quality-report.json"),
                                           ("junit", "migralint-junit.xml"), ("json", "migralint.json"),
                                           ("markdown", "migralint.md")])
def test_each_format_has_its_own_default_file(pull_request: tuple[Path, str], fmt: str, name: str) -> None:
    repo, base = pull_request
    completed = _run_step(repo, {"format": fmt}, _pull_request_event(base))
    assert completed.returncode == 1, completed.stderr
    assert "20240201000000_email_index" in (repo / name).read_text()


def test_paths_with_spaces(pull_request: tuple[Path, str]) -> None:
    repo, _ = pull_request
    (repo / "prisma").rename(repo / "my app")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "spaces")
    base = _git(repo, "rev-parse", "HEAD")
    added = repo / "my app" / "migrations" / "20240301000000_id_index" / "migration.sql"
    added.parent.mkdir()
    added.write_text('CREATE INDEX "User_id_idx" ON "User"("id");\n')
    (repo / "other db" / "migrations").mkdir(parents=True)
    (repo / "other db" / "migrations" / "1_index.sql").write_text('CREATE INDEX "i" ON "T"("c");\n')
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "head")
    paths = "my app/migrations\n  other db/migrations/1_index.sql  \n"
    completed = _run_step(repo, {"paths": paths}, _pull_request_event(base))
    assert completed.returncode == 1, completed.stderr
    assert _annotated_files(completed.stdout) == {
        "my app/migrations/20240301000000_id_index/migration.sql", "other db/migrations/1_index.sql"}


def test_a_clean_pull_request_passes(pull_request: tuple[Path, str]) -> None:
    repo, _ = pull_request
    head = _git(repo, "rev-parse", "HEAD")
    completed = _run_step(repo, {"base": head, "strict": "true"})
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "::" not in completed.stdout


def test_the_action_installs_migralint_and_uploads_sarif_only_when_asked() -> None:
    steps = _action()["runs"]["steps"]
    install = next(step for step in steps if step.get("name") == "Install migralint")
    assert 'pip install --quiet "migralint==$INPUT_VERSION"' in install["run"]
    upload = next(step for step in steps if step.get("name") == "Upload SARIF")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert _action()["inputs"]["base"]["default"] == ""  # from the event, in the step
