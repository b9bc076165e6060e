"""Starting a tool as a fresh process and measuring its wall time, CPU time and peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

EXPECTED_EXIT_CODES = (0, 1)  # both tools exit 1 when they find something


class BenchError(Exception):
    """A problem with the set-up (no corpus, no tool): one message, exit code 2."""


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    max_rss_kb: int
    returncode: int
    stderr_tail: str


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [r.wall for r in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def min(self) -> float:
        return min(self.walls)

    @property
    def cpu_median(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_rss_kb(self) -> int:
        return max(r.max_rss_kb for r in self.runs)


def paired_ratio(a: Series, b: Series) -> float:
    """The median of the per-pair ratios a/b: runs i of a and b ran back to back, so a burst of
    load from another process on the shared machine lands on both halves of a pair."""
    return statistics.median(x.wall / y.wall for x, y in zip(a.runs, b.runs) if y.wall > 0)


# Each tool is started by this small helper, not by the benchmark itself: on Linux a child's max
# RSS starts from the resident size of the process that forked it (exec records the old memory's
# high-water mark), so a child of this script would be charged for this script's own memory (tens
# of MiB once a JSON report is loaded). The helper is a bare `python -S -I` with about 3 MiB of
# private memory; it forks, execs the tool, and reports the tool's wall time, CPU time and max RSS
# from os.wait4. The report states what it charges to a do-nothing `true`.
SPAWNER = r"""
import os, sys, time
out, *argv = sys.argv[1:]
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.dup2(fd, 1)
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


# A user's Python keeps compiled bytecode (pip writes it on install); a development shell with
# PYTHONDONTWRITEBYTECODE set would make every run compile migralint's sources again.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_child(cmd: list[str], cwd: str, stdout: str = os.devnull, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` once as a fresh process, its standard output to the file `stdout`."""
    with tempfile.TemporaryFile() as err:
        done = subprocess.run([sys.executable, "-S", "-I", "-c", SPAWNER, stdout, *cmd], cwd=cwd,
                              env={**CHILD_ENV, **(env or {})}, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=err, check=False)
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", errors="replace")
    try:
        wall, cpu, rss, returncode = done.stdout.split()
    except ValueError:
        raise BenchError(f"could not run {cmd[0]}: {tail.strip() or 'no report from the helper'}") from None
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS
    rss_kb = int(rss) // 1024 if sys.platform == "darwin" else int(rss)
    return Run(float(wall), float(cpu), rss_kb, int(returncode), tail)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Bench:
    """Runs children and collects the unexpected: an exit code other than 0 or 1 is an anomaly,
    listed in the report, and the run goes on."""

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.anomalies: list[str] = []

    def run(self, label: str, cmd: list[str], stdout: str = os.devnull, cwd: str | None = None,
            env: dict[str, str] | None = None) -> Run:
        result = run_child(cmd, cwd or self.cwd, stdout, env)
        if result.returncode not in EXPECTED_EXIT_CODES:
            note = f"{label}: exit code {result.returncode}"
            if result.stderr_tail.strip():
                note += ": " + result.stderr_tail.strip().splitlines()[-1][:300]
            if note not in self.anomalies:
                self.anomalies.append(note)
                progress(f"warning: {note}")
        return result
