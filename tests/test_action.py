"""The composite GitHub Action's lint step, run as the shell script it is, on a real git
repository with a base and a head commit: annotations point at the lines the head adds."""

from __future__ import annotations

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


def _run_step(repo: Path, inputs: dict[str, str]) -> subprocess.CompletedProcess[str]:
    step = _lint_step()
    defaults = {name: str(spec.get("default", "")) for name, spec in _action()["inputs"].items()}
    values = {**defaults, **inputs}
    env = {**os.environ, **{k: _resolve(str(v), values) for k, v in step["env"].items()}}
    env.update(GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(repo), NO_COLOR="1", GITHUB_STEP_SUMMARY="")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True)


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


def test_annotations_point_at_the_added_lines(pull_request: tuple[Path, str]) -> None:
    repo, base = pull_request
    completed = _run_step(repo, {"base": base})
    assert completed.returncode == 1, completed.stderr
    annotations = [line for line in completed.stdout.splitlines() if line.startswith("::")]
    assert annotations, completed.stdout
    assert all(
        a.startswith("::error file=prisma/migrations/20240201000000_email_index/migration.sql,line=3,col=1,")
        for a in annotations
    ), annotations
    assert "20240101000000_init" not in completed.stdout


def test_sarif_upload_writes_the_report_and_keeps_annotations(pull_request: tuple[Path, str]) -> None:
    repo, base = pull_request
    completed = _run_step(repo, {"base": base, "upload-sarif": "true"})
    assert completed.returncode == 1
    assert (repo / "migralint.sarif").is_file()
    assert "::error file=prisma/migrations/20240201000000_email_index/migration.sql,line=3" in completed.stdout


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
    assert _action()["inputs"]["base"]["default"] == "${{ github.event.pull_request.base.sha }}"
