"""A real project for the answer tests: a git clone with a bare remote, Prisma migrations pushed,
one staged, and the real `migralint` command run as a subprocess through its launcher."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = "from migralint.launcher import main; main()"
INIT = 'CREATE TABLE "User" ("id" INTEGER PRIMARY KEY, "email" TEXT);\n'
INDEX = 'CREATE INDEX "User_email_idx" ON "User"("email");\n'
ADD_COLUMN = 'ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL;\n'
_TRACE = ("migralint: answered from the cache", "migralint: answer stored", "migralint: answer not stored")


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    return env


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=repo, env=git_env(),
                          check=True, capture_output=True, text=True)
    return done.stdout


@dataclass(frozen=True)
class Run:
    stdout: bytes
    stderr: bytes  # without the trace lines
    code: int
    trace: list[str]

    @property
    def answered(self) -> bool:
        return _TRACE[0] in self.trace

    @property
    def stored(self) -> bool:
        return any(line.startswith(_TRACE[1]) for line in self.trace)

    @property
    def output(self) -> tuple[bytes, bytes, int]:
        return self.stdout, self.stderr, self.code


class Project:
    def __init__(self, root: Path, *, config: str | None = 'strict = false\n', staged: bool = True,
                 committed: bool = False, branch: bool = False, worktree: bool = False) -> None:
        """`committed`: the new migration committed, not pushed, and one more staged; `branch`:
        the new migration committed on a branch `feature` only, main checked out without it;
        `worktree`: a second work tree at root/wt (its `.git` is a file) with a migration staged."""
        self.root = root
        self.work = root / "work"
        self.cache = root / "cache"
        self.migrations = self.work / "prisma" / "migrations"
        remote = root / "origin.git"
        root.mkdir(parents=True, exist_ok=True)
        git(root, "init", "-q", "--bare", str(remote))
        self.migrations.mkdir(parents=True)
        (self.migrations / "migration_lock.toml").write_text('provider = "postgresql"\n')
        self.write("20240101000000_init", INIT)
        if config is not None:
            (self.work / "migralint.toml").write_text(config)
        git(self.work, "init", "-q")
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", "init")
        git(self.work, "remote", "add", "origin", str(remote))
        git(self.work, "push", "-q", "-u", "origin", "HEAD")
        self.write("20240102000000_index", INDEX)
        if staged or committed or branch:
            git(self.work, "add", "-A")
        if committed or branch:
            git(self.work, "commit", "-q", "-m", "index")
        if committed:
            self.write("20240103000000_age", ADD_COLUMN)
            git(self.work, "add", "-A")
        if branch:
            git(self.work, "branch", "-q", "feature")
            git(self.work, "reset", "-q", "--hard", "HEAD~1")
        if worktree:
            git(self.work, "worktree", "add", "-q", "-b", "side", str(root / "wt"))
            folder = root / "wt" / "prisma" / "migrations" / "20240103000000_age"
            folder.mkdir()
            (folder / "migration.sql").write_text(ADD_COLUMN)
            git(root / "wt", "add", "-A")
        self.cache.mkdir()

    def write(self, name: str, sql: str) -> Path:
        folder = self.migrations / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "migration.sql").write_text(sql)
        return folder / "migration.sql"

    def env(self, **extra: str) -> dict[str, str]:
        env = git_env()
        env.pop("PYTEST_CURRENT_TEST", None)  # pytest changes it between the phases of a test
        env.update({"MIGRALINT_CACHE_DIR": str(self.cache), "MIGRALINT_DEBUG_ANSWERS": "1",
                    "PYTHONDONTWRITEBYTECODE": "1"})
        env.update(extra)
        return {k: v for k, v in env.items() if v != ""}  # "" removes a variable

    def run(self, *args: str, cwd: Path | None = None, python: tuple[str, ...] = (), **env: str) -> Run:
        done = subprocess.run([sys.executable, *python, "-c", LAUNCHER, *args], cwd=cwd or self.work,
                              env=self.env(**env), capture_output=True, timeout=300, check=False)
        return parse(done.stdout, done.stderr, done.returncode)

    def cold(self, *args: str, cwd: Path | None = None, **env: str) -> Run:
        """The same run with the cache off: what an answer must reproduce."""
        assert args[0] == "lint"
        return self.run("lint", "--no-cache", *args[1:], cwd=cwd, **env)

    def answers(self) -> list[Path]:
        return sorted((self.cache / "answers").glob("*.answer"))

    def remove(self, name: str) -> None:
        shutil.rmtree(self.migrations / name)


def parse(stdout: bytes, stderr: bytes, code: int) -> Run:
    lines = stderr.splitlines(keepends=True)
    trace = [line.decode(errors="replace").strip() for line in lines if line.startswith(tuple(t.encode() for t in _TRACE))]
    rest = b"".join(line for line in lines if not line.startswith(tuple(t.encode() for t in _TRACE)))
    return Run(stdout, rest, code, trace)
