"""Where the wall time of a cold lint goes, phase by phase, for one checkout or two side by side.

A whole run's wall time swings 15-30% on a shared machine; a phase timed inside each run shows
a change of a few tens of ms that the whole run's median hides. Each run of `migralint lint` (a fresh cache
folder each time, from an empty working directory) is timed from its start, with marks written
by hooks installed before the command starts:

    fork        the parent forks its first worker (absent when the run stays in one process)
    last part   the last part's end, in whichever worker ran it
    joined      the parent has every worker's results
    report      the report starts, and ends
    exit        the exit handlers run

and the medians of the phases between them are printed: start -> fork, fork -> last part,
last part -> exit (the serial end of the run), joined -> report, the report, and the whole.
With several `--src`, the runs alternate between them (A B, B A, ...), as run.py's pairs do.

    .venv/bin/python benchmarks/timeline.py [--format json|text] [--runs N] [--src DIR ...] [PATH ...]

PATH defaults to every .sql file of ../shared/corpus/prisma, given one by one on the command line
(as run.py does); `--src` is a checkout's `src` folder, run with this interpreter (default: the
installed migralint). The hooks name forked.py's `_child` and `_read_all`, cli/lint.py's `report`
and os.fork: tests/test_benchmark_scripts.py runs this on the demo folder so that a rename fails
there. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from spawn import CHILD_ENV

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "prisma"

# Runs in the measured process before the command: each mark is "TL <name> <ms since start>".
_HOOKS = r"""
import os, sys, time
T0 = float(os.environ["TIMELINE_T0"])
def mark(name):
    os.write(2, f"TL {name} {1000 * (time.time() - T0):.1f}\n".encode())
import atexit
import migralint.forked as forked
real_fork = os.fork
def fork():
    mark("fork")
    return real_fork()
os.fork = fork
real_child = forked._child
def child(work, parts, write_end):
    def timed(part):
        result = work(part)
        mark("part")
        return result
    return real_child(timed, parts, write_end)
forked._child = child
real_read_all = forked._read_all
def read_all(ends):
    sent = real_read_all(ends)
    mark("joined")
    return sent
forked._read_all = read_all
import migralint.cli.lint
lint_module = sys.modules["migralint.cli.lint"]
real_report = lint_module.report
def report(*args, **kwargs):
    mark("report")
    try:
        return real_report(*args, **kwargs)
    finally:
        mark("reported")
lint_module.report = report
atexit.register(mark, "exit")
sys.argv = ["migralint", *sys.argv[1:]]
from migralint.launcher import main
main()
"""

PHASES = ("start -> fork", "fork -> last part", "last part -> exit", "joined -> report", "report", "whole run")


def one_run(src: str | None, args: list[str], cwd: str) -> dict[str, float]:
    """The phases of one run, in ms (a phase whose marks are missing is left out)."""
    env = dict(CHILD_ENV)  # .pyc files as a user has them
    if src is not None:
        env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory(prefix="timeline-cache-") as cache:
        env["MIGRALINT_CACHE_DIR"] = cache
        env["TIMELINE_T0"] = repr(time.time())
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _HOOKS, "lint", *args], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        whole = 1000 * (time.perf_counter() - started)
    if done.returncode not in (0, 1) or "Traceback (most recent call last)" in done.stderr:
        # A hook that no longer fits the code (a renamed function) ends in a traceback and exit 1.
        raise SystemExit(f"timeline: migralint exited {done.returncode}: {done.stderr.strip()[-800:]}")
    marks: dict[str, list[float]] = {}
    for line in done.stderr.splitlines():
        if line.startswith("TL "):
            _, name, at = line.split()
            marks.setdefault(name, []).append(float(at))
    phases = {"whole run": whole}
    if "exit" in marks and "report" in marks and "reported" in marks:
        phases["report"] = marks["reported"][0] - marks["report"][0]
    if "fork" in marks and "part" in marks and "joined" in marks and "exit" in marks:
        fork, last = min(marks["fork"]), max(marks["part"])
        phases["start -> fork"] = fork
        phases["fork -> last part"] = last - fork
        phases["last part -> exit"] = marks["exit"][0] - last
        if "report" in marks:
            phases["joined -> report"] = marks["report"][0] - marks["joined"][0]
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=("json", "text"), default="json")
    parser.add_argument("--runs", type=int, default=5, help="runs of each checkout (default 5)")
    parser.add_argument("--src", action="append", help="a checkout's src folder (repeat to compare)")
    parser.add_argument("paths", nargs="*", help="what to lint (default: every .sql file of the corpus)")
    args = parser.parse_args(argv)
    paths = args.paths or [str(p) for p in sorted(DEFAULT_CORPUS.rglob("*.sql"))]
    if not paths:
        print(f"timeline: no paths given and no corpus at {DEFAULT_CORPUS}", file=sys.stderr)
        return 2
    lint_args = (["--format", "json"] if args.format == "json" else []) + [os.path.abspath(p) for p in paths]
    sources: list[str | None] = [os.path.abspath(s) for s in args.src] if args.src else [None]
    runs: dict[str | None, list[dict[str, float]]] = {src: [] for src in sources}
    with tempfile.TemporaryDirectory(prefix="timeline-cwd-") as cwd:  # empty: no config file is found
        for i in range(args.runs):
            for src in sources if i % 2 == 0 else sources[::-1]:
                runs[src].append(one_run(src, lint_args, cwd))
    width = max(len(str(src or "installed")) for src in sources)
    print(f"{'medians, ms':{width}}  " + "  ".join(f"{phase:>17}" for phase in PHASES))
    for src, measured in runs.items():
        cells = []
        for phase in PHASES:
            values = [run[phase] for run in measured if phase in run]
            cells.append(f"{statistics.median(values):17.0f}" if values else f"{'-':>17}")
        print(f"{str(src or 'installed'):{width}}  " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
