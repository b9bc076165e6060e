"""The inputs the benchmark builds for itself: a git repository for the pre-commit case, and
synthetic migrations of growing size for the growth curve."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from spawn import BenchError

GIT_IDENTITY = ["-c", "user.name=migralint bench", "-c", "user.email=bench@invalid", "-c", "commit.gpgsign=false"]
GROWTH_FACTORS = (1, 4, 16)
DDL_GROUPS_1X = 100  # each group: CREATE TABLE, CREATE INDEX, ADD COLUMN, ADD FOREIGN KEY
SEED_ROWS_1X = 5_000  # multi-row INSERTs of 500 rows each


def git(repo: Path, *args: str) -> None:
    done = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=repo, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"git {' '.join(args)} failed in {repo}: {done.stderr.strip()[-300:]}")


class PrecommitRepo:
    """A git repository holding a copy of one real project's migrations folder as
    prisma/migrations, pushed to a bare repository so the branch has an upstream, as a developer's
    clone does. The newest migration is held back: `stage_new_migration` adds it to the index, as
    `git add` before `git commit` would; `stage_no_migration` stages only a README edit instead."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.work = root / "work"
        migrations = sorted(p.parent for p in folder.glob("*/migration.sql"))
        if len(migrations) < 2:
            raise BenchError(f"{folder}: needs at least two migrations for the pre-commit case")
        self.pushed_count = len(migrations) - 1
        self.held_back = migrations[-1]
        target = self.work / "prisma" / "migrations"
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns(self.held_back.name))
        self.new_dir = target / self.held_back.name
        (self.work / "README.md").write_text("bench\n", encoding="utf-8")
        remote = root / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        git(self.work, "init", "-q")
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", "migrations so far")
        git(self.work, "remote", "add", "origin", str(remote))
        git(self.work, "push", "-q", "-u", "origin", "HEAD")

    @property
    def new_file(self) -> Path:
        return self.new_dir / "migration.sql"

    def stage_new_migration(self) -> None:
        shutil.copytree(self.held_back, self.new_dir, dirs_exist_ok=True)
        git(self.work, "add", "-A")

    def edit_new_migration(self, i: int) -> None:
        """The staged migration edited and staged again, as a developer does between two tries."""
        with self.new_file.open("a", encoding="utf-8") as f:
            f.write(f"\n-- edit {i}\n")
        git(self.work, "add", "-A")

    def stage_no_migration(self) -> None:
        git(self.work, "reset", "-q")
        shutil.rmtree(self.new_dir, ignore_errors=True)
        with (self.work / "README.md").open("a", encoding="utf-8") as readme:
            readme.write("one more line\n")
        git(self.work, "add", "README.md")


def ddl_migration(factor: int) -> str:
    """Schema changes in one transaction: DDL_GROUPS_1X * factor groups of four statements, each
    table referring to the one before, so the catalog and the rules have real work to do."""
    lines = ["BEGIN;"]
    for i in range(DDL_GROUPS_1X * factor):
        lines += [
            f'CREATE TABLE "t{i}" ("id" BIGINT NOT NULL, "name" TEXT, "ref" BIGINT, '
            f'CONSTRAINT "t{i}_pkey" PRIMARY KEY ("id"));',
            f'CREATE INDEX "t{i}_name_idx" ON "t{i}"("name");',
            f'ALTER TABLE "t{i}" ADD COLUMN "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;',
        ]
        if i:
            lines.append(f'ALTER TABLE "t{i}" ADD CONSTRAINT "t{i}_ref_fkey" '
                         f'FOREIGN KEY ("ref") REFERENCES "t{i - 1}"("id");')
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def seed_migration(factor: int) -> str:
    """A seed-data migration: one CREATE TABLE, then SEED_ROWS_1X * factor rows in INSERTs of 500."""
    rows = SEED_ROWS_1X * factor
    lines = ['CREATE TABLE "seed" ("id" BIGINT PRIMARY KEY, "name" TEXT NOT NULL, "score" INTEGER);']
    for start in range(0, rows, 500):
        values = ",\n".join(f"({i}, 'name {i}', {i % 97})" for i in range(start, min(rows, start + 500)))
        lines.append(f'INSERT INTO "seed" ("id", "name", "score") VALUES\n{values};')
    return "\n".join(lines) + "\n"


def write_growth_files(folder: Path) -> dict[tuple[str, int], Path]:
    """The growth-curve inputs, keyed by (kind, factor): plain .sql files, each alone in its folder."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for kind, build in (("statements in one transaction", ddl_migration), ("seed data", seed_migration)):
        for factor in GROWTH_FACTORS:
            # Each in a folder of its own: migralint replays a file's earlier siblings as its history.
            name = f"{'ddl' if build is ddl_migration else 'seed'}_{factor}x"
            path = folder / name / f"{name}.sql"
            path.parent.mkdir()
            path.write_text(build(factor), encoding="utf-8")
            files[(kind, factor)] = path
    return files
