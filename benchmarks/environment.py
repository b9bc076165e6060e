"""What the benchmark runs on: the tools, the corpus, the machine."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from spawn import BenchError

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "prisma"
# A Prisma migration of the usual shape (CreateEnum, CreateTable, CreateIndex, AddForeignKey),
# 631 bytes, about the 75th percentile by size: half the corpus is a single short statement.
PREFERRED_ONE_FILE = "documenso__documenso/20230907041233_add_document_data_table/migration.sql"
# The pre-commit case: a real project's folder of migrations (145 of them when this was written).
PRECOMMIT_PROJECT = "lukevella__rallly"


def find_tool(name: str, explicit: str | None) -> str:
    candidates = [explicit] if explicit else [str(Path(sys.executable).parent / name), shutil.which(name)]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return candidate
    if name == "squawk":
        raise BenchError("squawk not found: install it with `pip install -e '.[bench]'` (squawk-cli from PyPI)")
    raise BenchError(f"{name} not found: install the project with `pip install -e .`")


def tool_version(exe: str) -> str:
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return (out.stdout or out.stderr).strip() or "unknown"


def migralint_rules(exe: str) -> dict[str, bool]:
    """migralint's rules (`migralint rules`), each with whether it is on by default.

    Also the check that migralint starts at all: timing a crash would be worthless.
    """
    try:
        out = subprocess.run([exe, "rules"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BenchError(f"cannot run {exe} rules: {exc}") from exc
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["no message"])[-1]
        raise BenchError(f"migralint does not start (`migralint rules` exits {out.returncode}): {last}")
    return {line.split()[0]: "(off by default)" not in line for line in out.stdout.splitlines() if line.strip()}


def has_result_cache(exe: str) -> bool:
    """Whether this migralint has the result cache of issue 13 (its `lint --help` names
    `--cache-dir`). Without one, a second run costs what the first did and no warm figure is taken."""
    try:
        out = subprocess.run([exe, "lint", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--cache-dir" in out.stdout


def corpus_files(corpus: Path) -> list[Path]:
    if not corpus.is_dir():
        raise BenchError(
            f"corpus not found: {corpus} is not a folder. It should hold Prisma migrations as "
            "<project>/<timestamp>_<name>/migration.sql; pass --corpus PATH."
        )
    files = sorted(p for p in corpus.rglob("*.sql") if p.is_file())
    if not files:
        raise BenchError(f"corpus {corpus} holds no .sql files; pass --corpus PATH")
    return files


def fits_on_command_line(paths: list[str]) -> bool:
    """Whether every path fits in one exec's argument list, with room to spare."""
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        arg_max = 256 * 1024
    env = sum(len(k) + len(v) + 2 + 8 for k, v in os.environ.items())
    needed = sum(len(os.fsencode(p)) + 1 + 8 for p in paths) + env + 4096
    return needed < arg_max // 2 and max(len(p) for p in paths) < 128 * 1024


def pick_one_file(corpus: Path, files: list[Path], explicit: str | None) -> Path:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise BenchError(f"--one-file {explicit}: no such file")
        return path.resolve()
    preferred = corpus / PREFERRED_ONE_FILE
    if preferred.is_file():
        return preferred
    by_size = sorted(files, key=lambda p: (p.stat().st_size, str(p)))
    return by_size[(len(by_size) * 3) // 4]


def pick_precommit_folder(corpus: Path, explicit: str | None) -> Path | None:
    """The migrations folder for the pre-commit case: --precommit-folder, rallly's, else the
    corpus project with the most migrations."""
    if explicit:
        path = Path(explicit)
        if not path.is_dir():
            raise BenchError(f"--precommit-folder {explicit}: not a folder")
        return path.resolve()
    preferred = corpus / PRECOMMIT_PROJECT
    if preferred.is_dir():
        return preferred
    sizes = {p: len(list(p.glob("*/migration.sql"))) for p in corpus.iterdir() if p.is_dir()}
    best = max(sizes, key=lambda p: (sizes[p], p.name), default=None)
    return best if best is not None and sizes[best] >= 2 else None


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine_info() -> dict[str, str]:
    info = {
        "platform": platform.platform(),
        "nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "python": f"{platform.python_version()} ({sys.executable})",
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return info


def repo_commit() -> str | None:
    """The commit migralint is at (read-only `git rev-parse`), with `+changes` for a dirty tree."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if head.returncode != 0 or not head.stdout.strip():
        return None
    return head.stdout.strip() + (" (+ uncommitted changes)" if dirty.stdout.strip() else "")


def display(path: str) -> str:
    """Paths inside the repository's parent folder are shown relative to the repository."""
    try:
        return os.path.relpath(path, REPO) if Path(path).is_relative_to(REPO.parent) else path
    except ValueError:
        return path
