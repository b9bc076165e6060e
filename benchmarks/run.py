"""Side-by-side benchmark of `migralint lint` against `squawk` on the Prisma corpus.

Usage (from the repository root):

    .venv/bin/python benchmarks/run.py [--corpus PATH] [--repeat N] [--write docs/benchmarks.md]

In one run, on the same files, it measures for each tool:

1. cold wall time over the whole corpus: one fresh process per run, given every file's
   path, stdout to /dev/null; median and min of --repeat runs (the two tools alternate);
2. one-file time (the pre-commit case): one typical migration, a fresh process per run,
   median of --one-file-repeat runs;
3. peak memory: the largest max RSS of the whole-corpus child processes (os.wait4, taken by
   a small helper process that forks and execs each tool; see SPAWNER);
4. findings on the corpus: migralint's `--format json` and squawk's `--reporter json`,
   totals and per rule;
5. the ratio migralint / squawk of the cold wall time, against the 2x target.

Both tools run with their default settings from an empty temporary folder, so neither
picks up a config file. Standard library only; Linux or macOS (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "prisma"
# A Prisma migration of the usual shape (CreateEnum, CreateTable, CreateIndex, AddForeignKey),
# 631 bytes, about the 75th percentile by size: half the corpus is a single short statement.
PREFERRED_ONE_FILE = "documenso__documenso/20230907041233_add_document_data_table/migration.sql"
TARGET_RATIO = 2.0
TARGET_ONE_FILE_MS = 150.0
EXPECTED_EXIT_CODES = (0, 1)  # both tools exit 1 when they find something

Results = dict[str, Any]


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


@dataclass
class Findings:
    total: int
    by_rule: Counter[str]
    by_severity: Counter[str]
    files_with_findings: int
    files_checked: int | None  # migralint reports it; squawk's JSON does not


# ---------------------------------------------------------------- running a child process


# Each tool is started by this small helper, not by the benchmark itself: on Linux a child's max
# RSS starts from the resident size of the process that forked it (exec records the old memory's
# high-water mark), so a child of this script would be charged for this script's own memory (tens
# of MiB once a JSON report is loaded). The helper is a bare `python -S -I` with about 3 MiB of
# private memory; it forks, execs the tool, and reports the tool's wall time, CPU time and max RSS
# from os.wait4. `rss_floor_kb` in measure() is what it charges to a do-nothing `true`.
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


def run_child(cmd: list[str], cwd: str, stdout: str = os.devnull) -> Run:
    """Run `cmd` once as a fresh process, its standard output to the file `stdout`."""
    with tempfile.TemporaryFile() as err:
        done = subprocess.run([sys.executable, "-S", "-I", "-c", SPAWNER, stdout, *cmd], cwd=cwd, env=CHILD_ENV,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, check=False)
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", errors="replace")
    try:
        wall, cpu, rss, returncode = done.stdout.split()
    except ValueError:
        raise BenchError(f"could not run {cmd[0]}: {tail.strip() or 'no report from the helper'}") from None
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS
    rss_kb = int(rss) // 1024 if sys.platform == "darwin" else int(rss)
    return Run(float(wall), float(cpu), rss_kb, int(returncode), tail)


class Bench:
    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.anomalies: list[str] = []

    def run(self, label: str, cmd: list[str], stdout: str = os.devnull) -> Run:
        result = run_child(cmd, self.cwd, stdout)
        if result.returncode not in EXPECTED_EXIT_CODES:
            note = f"{label}: exit code {result.returncode}"
            if result.stderr_tail.strip():
                note += ": " + result.stderr_tail.strip().splitlines()[-1][:300]
            if note not in self.anomalies:
                self.anomalies.append(note)
                progress(f"warning: {note}")
        return result


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- set-up


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
    """The commit migralint is at (read-only `git rev-parse`), if this is a git checkout."""
    try:
        out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


# ---------------------------------------------------------------- findings


def migralint_findings(path: Path) -> Findings:
    document = json.loads(path.read_text(encoding="utf-8"))
    findings = document["findings"]
    return Findings(
        total=len(findings),
        by_rule=Counter(f["rule"] for f in findings),
        by_severity=Counter(f.get("severity", "?") for f in findings),
        files_with_findings=len({f["path"] for f in findings}),
        files_checked=document.get("files_checked"),
    )


def squawk_findings(path: Path) -> Findings:
    # squawk --reporter json: a list of {"file", "line", "column", "level", "message", "help",
    # "rule_name", "column_end", "line_end"}
    text = path.read_text(encoding="utf-8").strip()
    violations = json.loads(text) if text else []
    if not isinstance(violations, list):
        raise TypeError("not a list")
    return Findings(
        total=len(violations),
        by_rule=Counter(v["rule_name"] for v in violations),
        by_severity=Counter(str(v.get("level", "?")).lower() for v in violations),
        files_with_findings=len({v.get("file") for v in violations}),
        files_checked=None,
    )


def read_findings(bench: Bench, label: str, parse: Callable[[Path], Findings], path: Path) -> Findings | None:
    """The findings in a tool's JSON report, or None (and an anomaly) when it is not what we expect."""
    try:
        return parse(path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        bench.anomalies.append(f"{label}: not the expected JSON ({type(exc).__name__}: {exc}); no findings counted")
        return None


# ---------------------------------------------------------------- the benchmark


def measure(args: argparse.Namespace) -> Results:
    corpus = Path(args.corpus).resolve() if args.corpus else DEFAULT_CORPUS.resolve()
    files = corpus_files(corpus)
    migralint = find_tool("migralint", args.migralint)
    squawk = find_tool("squawk", args.squawk)
    one_file = pick_one_file(corpus, files, args.one_file)

    paths = [str(p) for p in files]
    if fits_on_command_line(paths):
        targets, how = paths, f"all {len(paths)} file paths as arguments"
    else:  # both tools expand the same recursive glob themselves
        targets, how = [f"{corpus}/**/*.sql"], f"the glob {corpus}/**/*.sql (too many paths for one command line)"

    ml_corpus = [migralint, "lint", "--format", "concise", *targets]
    ml_text = [migralint, "lint", *targets]
    ml_json = [migralint, "lint", "--format", "json", *targets]
    sq_corpus = [squawk, *targets]
    sq_json = [squawk, "--reporter", "json", *targets]
    ml_one = [migralint, "lint", "--format", "concise", str(one_file)]
    sq_one = [squawk, str(one_file)]

    results: Results = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "migralint_version": tool_version(migralint),
        "squawk_version": tool_version(squawk),
        "migralint_rules": migralint_rules(migralint),
        "commit": repo_commit(),
        "corpus": str(corpus),
        "files": len(files),
        "corpus_bytes": sum(p.stat().st_size for p in files),
        "projects": len({p.relative_to(corpus).parts[0] for p in files}),
        "how": how,
        "repeat": args.repeat,
        "one_file": str(one_file),
        "one_file_bytes": one_file.stat().st_size,
        "one_file_repeat": args.one_file_repeat,
    }

    with tempfile.TemporaryDirectory(prefix="migralint-bench-") as cwd:
        bench = Bench(cwd)
        true = shutil.which("true") or "/bin/true"
        results["rss_floor_kb"] = bench.run("true", [true]).max_rss_kb if Path(true).exists() else None
        progress(f"corpus: {corpus} ({len(files)} files); warming up the page cache")
        bench.run("migralint (warm-up)", ml_corpus)
        bench.run("squawk (warm-up)", sq_corpus)

        ml, sq = Series(), Series()
        for i in range(args.repeat):
            progress(f"whole corpus, run {i + 1}/{args.repeat}")
            order = [("migralint", ml_corpus, ml), ("squawk", sq_corpus, sq)]
            for label, cmd, series in order if i % 2 == 0 else reversed(order):
                series.runs.append(bench.run(label, cmd))

        progress("whole corpus, migralint default text format")
        ml_text_run = bench.run("migralint --format text", ml_text)

        progress("whole corpus, JSON output for the findings")
        ml_json_path, sq_json_path = Path(cwd) / "migralint.json", Path(cwd) / "squawk.json"
        ml_json_run = bench.run("migralint --format json", ml_json, str(ml_json_path))
        sq_json_run = bench.run("squawk --reporter json", sq_json, str(sq_json_path))
        ml_findings = read_findings(bench, "migralint --format json", migralint_findings, ml_json_path)
        sq_findings = read_findings(bench, "squawk --reporter json", squawk_findings, sq_json_path)

        progress(f"one file ({one_file.name} in {one_file.parent.name}), {args.one_file_repeat} runs each")
        bench.run("migralint one file (warm-up)", ml_one)
        bench.run("squawk one file (warm-up)", sq_one)
        ml_one_series, sq_one_series = Series(), Series()
        for i in range(args.one_file_repeat):
            pairs = [(ml_one, ml_one_series), (sq_one, sq_one_series)]
            for cmd, series in pairs if i % 2 == 0 else reversed(pairs):
                series.runs.append(bench.run("one file", cmd))

    if ml_findings and ml_findings.files_checked is not None and ml_findings.files_checked != len(files):
        bench.anomalies.append(f"migralint checked {ml_findings.files_checked} files, the corpus has {len(files)}")
    results.update(
        ml=ml, sq=sq, ml_text=ml_text_run, ml_json=ml_json_run, sq_json=sq_json_run,
        ml_findings=ml_findings, sq_findings=sq_findings,
        ml_one=ml_one_series, sq_one=sq_one_series, anomalies=bench.anomalies,
    )
    progress("replaying the history in-process")
    results["replay"] = replay_section(corpus)
    return results


def replay_section(corpus: Path) -> str | None:
    """The catalog replay's share of a lint, when migralint is importable here (see replay.py)."""
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from replay import markdown, replay_figures
    except ImportError:
        return None
    return markdown(replay_figures(corpus))


# ---------------------------------------------------------------- reporting


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def mib(kb: int) -> str:
    return f"{kb / 1024:,.1f} MiB"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def display(path: str) -> str:
    """Paths inside the repository's parent folder are shown relative to the repository."""
    try:
        return os.path.relpath(path, REPO) if Path(path).is_relative_to(REPO.parent) else path
    except ValueError:
        return path


def figures_table(r: Results) -> list[list[str]]:
    ml, sq, mlo, sqo = r["ml"], r["sq"], r["ml_one"], r["sq_one"]
    mf, sf = r["ml_findings"], r["sq_findings"]
    n, k = r["repeat"], r["one_file_repeat"]
    return [
        ["", "migralint", "squawk", "migralint / squawk"],
        [f"whole corpus, wall, median of {n}", ms(ml.median), ms(sq.median), ratio(ml.median, sq.median)],
        [f"whole corpus, wall, min of {n}", ms(ml.min), ms(sq.min), ratio(ml.min, sq.min)],
        [f"whole corpus, CPU (user+sys), median of {n}", ms(ml.cpu_median), ms(sq.cpu_median),
         ratio(ml.cpu_median, sq.cpu_median)],
        ["whole corpus, files per second (median wall)", f"{r['files'] / ml.median:,.0f}",
         f"{r['files'] / sq.median:,.0f}", ""],
        ["whole corpus, peak memory (max RSS)", mib(ml.peak_rss_kb), mib(sq.peak_rss_kb),
         ratio(ml.peak_rss_kb, sq.peak_rss_kb)],
        ["whole corpus, default text format, wall (1 run)", ms(r["ml_text"].wall), "-", ""],
        ["whole corpus, JSON output, wall (1 run)", ms(r["ml_json"].wall), ms(r["sq_json"].wall),
         ratio(r["ml_json"].wall, r["sq_json"].wall)],
        [f"one file, wall, median of {k}", ms(mlo.median), ms(sqo.median), ratio(mlo.median, sqo.median)],
        ["one file, peak memory (max RSS)", mib(mlo.peak_rss_kb), mib(sqo.peak_rss_kb), ""],
        ["findings on the corpus", count(mf, "total"), count(sf, "total"), ""],
        ["files with findings", count(mf, "files_with_findings"), count(sf, "files_with_findings"), ""],
        ["findings by severity", severities(mf), severities(sf), ""],
    ]


def count(f: Findings | None, attr: str) -> str:
    return "n/a" if f is None else f"{getattr(f, attr):,}"


def severities(f: Findings | None) -> str:
    if f is None:
        return "n/a"
    return ", ".join(f"{n:,} {name}" for name, n in sorted(f.by_severity.items())) or "none"


def rules_table(r: Results) -> list[list[str]]:
    mf, sf = r["ml_findings"], r["sq_findings"]
    ml_rules = mf.by_rule if mf else Counter()
    sq_rules = sf.by_rule if sf else Counter()

    known = r["migralint_rules"]  # name -> on by default

    def cell(rules: Counter[str], rule: str) -> str:
        return f"{rules[rule]:,}" if rule in rules else "-"

    def ml_cell(rule: str) -> str:
        if rule in ml_rules or rule not in known:
            return cell(ml_rules, rule)
        return "0" if known[rule] else "off by default"

    rows = [["rule", "migralint", "squawk"]]
    names = sorted(set(ml_rules) | set(sq_rules) | set(known))
    rows += [[f"`{rule}`", ml_cell(rule), cell(sq_rules, rule)] for rule in names]
    rows.append(["**total**", f"**{count(mf, 'total')}**", f"**{count(sf, 'total')}**"])
    return rows


def targets(r: Results) -> list[tuple[str, bool, str]]:
    wall_ratio = r["ml"].median / r["sq"].median
    one_ms = r["ml_one"].median * 1000
    return [
        (f"whole-corpus wall time within {TARGET_RATIO:g}x of squawk", wall_ratio <= TARGET_RATIO,
         f"{wall_ratio:.2f}x (median against median)"),
        (f"one file under {TARGET_ONE_FILE_MS:g} ms", one_ms < TARGET_ONE_FILE_MS, f"{one_ms:.0f} ms (median)"),
    ]


def markdown_table(rows: list[list[str]]) -> str:
    head, *body = rows
    align = ["---"] + ["--:"] * (len(head) - 1)
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        for row in rows
    )


def summary(r: Results) -> str:
    m = r["machine"]
    lines = [
        f"migralint vs squawk, {r['date']}",
        f"machine: {m.get('cpu', '?')}, nproc {m['nproc']}, {m.get('memory', '?')}; {m['platform']}",
        f"python {m['python']}; {r['migralint_version']}; {r['squawk_version']}",
        f"corpus: {r['corpus']}: {r['files']:,} files ({r['corpus_bytes'] / 1024:,.0f} KiB) "
        f"from {r['projects']} projects, passed as {r['how']}",
        f"one file: {r['one_file']} ({r['one_file_bytes']} bytes)",
        "",
        text_table(figures_table(r)),
        "",
    ]
    for name, ok, detail in targets(r):
        lines.append(f"{'PASS' if ok else 'MISS'}  {name}: {detail}")
    lines += ["", "findings per rule:", text_table([[c.strip("`*") for c in row] for row in rules_table(r)])]
    if r["anomalies"]:
        lines += ["", "anomalies:"] + [f"  {a}" for a in r["anomalies"]]
    return "\n".join(lines)


def document(r: Results) -> str:
    m = r["machine"]
    commit = f", working tree at commit `{r['commit']}`" if r["commit"] else ""
    parts = [
        "<!-- Written by benchmarks/run.py; do not edit by hand. Re-run it to update. -->",
        "# Benchmarks: migralint against squawk",
        "",
        "This page is written by `benchmarks/run.py` "
        "(`.venv/bin/python benchmarks/run.py --write docs/benchmarks.md`); "
        "see [benchmarks/README.md](../benchmarks/README.md). The figures below are from one run.",
        "",
        "## What was measured",
        "",
        f"- **Corpus**: `{display(r['corpus'])}`, {r['files']:,} real migration files "
        f"({r['corpus_bytes'] / 1024:,.0f} KiB) from {r['projects']} open-source projects. "
        f"Both tools get the same files: {r['how'].replace(r['corpus'], display(r['corpus']))}.",
        f"- **Whole corpus, cold**: each tool started once as a fresh process over every file, "
        f"{r['repeat']} times (the two tools alternating, after one unmeasured warm-up run each so "
        "both read the files from the page cache); median and min of the wall time. "
        "migralint runs with `--format concise` (its default text format is timed once as well), "
        "squawk with its default output (its annotated report with source excerpts, which costs it "
        "more than its JSON: compare the JSON row); standard output goes to `/dev/null`. "
        "Both exit non-zero because they find things; that is expected.",
        f"- **One file** (the pre-commit case): `{display(r['one_file'])}` ({r['one_file_bytes']} bytes), "
        f"a fresh process per run, median of {r['one_file_repeat']} runs each.",
        "- **Peak memory**: the largest max RSS of each tool's processes, from `os.wait4` in a small "
        "helper (`python -S -I`) that forks and execs the tool, so the figure is the tool's own and "
        "not the benchmark script's (on Linux a child's max RSS starts from its parent's size)"
        + (f"; the helper charges {mib(r['rss_floor_kb'])} to a do-nothing `true`, "
           "a floor under every figure." if r.get("rss_floor_kb") else "."),
        "- **Bytecode**: children run without `PYTHONDONTWRITEBYTECODE`, as a user's installed migralint "
        "does (pip compiles it on install); the warm-up run writes the bytecode of the editable install.",
        "- **Findings**: one run each with `migralint lint --format json` and `squawk --reporter json`, "
        "counted per rule. Both tools run with their default rules and settings, from an empty "
        "temporary folder so neither picks up a config file.",
        "",
        "## Machine",
        "",
        f"- Date: {r['date']}",
        f"- CPU: {m.get('cpu', 'unknown')}; nproc: {m['nproc']}; memory: {m.get('memory', 'unknown')}",
        f"- OS: {m['platform']}",
        f"- Python: {m['python'].split(' (')[0]}",
        f"- `{r['migralint_version']}`{commit}",
        f"- `{r['squawk_version']}` (squawk-cli from PyPI)",
        "",
        "## Figures",
        "",
        markdown_table(figures_table(r)),
        "",
        "## Targets",
        "",
        "| target | result | |",
        "| --- | --- | --- |",
    ]
    for name, ok, detail in targets(r):
        parts.append(f"| {name} | {detail} | {'met' if ok else '**missed**'} |")
    parts += [
        "",
        "## Findings per rule",
        "",
        "Same corpus, default rules of each tool. A rule name present in both columns is the same check "
        "under the same name; the counts differ where the tools judge differently (for example, "
        "migralint's `require-concurrent-index-creation` skips an index on a table created earlier in "
        "the same migration). For migralint, `-` means it has no such rule (yet) and `0` a rule "
        "that found nothing; for squawk, `-` means no such rule or no finding (its opt-in rules "
        "are not run).",
        "",
        markdown_table(rules_table(r)),
        "",
    ]
    if r.get("replay"):
        parts += [
            "## Replaying the history",
            "",
            "migralint replays every earlier migration into a schema catalog before it lints the next "
            "one (`benchmarks/replay.py` measures the parts on their own):",
            "",
            r["replay"],
            "",
        ]
    if r["anomalies"]:
        parts += ["## Anomalies", "", *[f"- {a}" for a in r["anomalies"]], ""]
    return "\n".join(parts)


def as_json(r: Results) -> Results:
    def plain(value: object) -> object:
        if isinstance(value, Series):
            return {"median": value.median, "min": value.min, "cpu_median": value.cpu_median,
                    "peak_rss_kb": value.peak_rss_kb, "walls": value.walls}
        if isinstance(value, Run):
            return vars(value)
        if isinstance(value, Findings):
            return {**vars(value), "by_rule": dict(value.by_rule), "by_severity": dict(value.by_severity)}
        return value

    return {key: plain(value) for key, value in r.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help=f"folder of migrations (default {display(str(DEFAULT_CORPUS))})")
    parser.add_argument("--repeat", type=int, default=5, help="whole-corpus runs per tool (default 5)")
    parser.add_argument("--one-file-repeat", type=int, default=10, help="one-file runs per tool (default 10)")
    parser.add_argument("--one-file", help="the file for the one-file timing (default: a typical one)")
    parser.add_argument("--write", metavar="PATH", help="write the Markdown report here (docs/benchmarks.md)")
    parser.add_argument("--json", metavar="PATH", help="also write the raw figures as JSON here")
    parser.add_argument("--migralint", help="the migralint executable (default: next to this Python)")
    parser.add_argument("--squawk", help="the squawk executable (default: next to this Python)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.one_file_repeat < 1:
        parser.error("--repeat and --one-file-repeat must be at least 1")
    if not hasattr(os, "wait4"):
        print("benchmarks/run.py: error: needs os.wait4 (Linux or macOS)", file=sys.stderr)
        return 2
    try:
        results = measure(args)
    except BenchError as exc:
        print(f"benchmarks/run.py: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("benchmarks/run.py: interrupted", file=sys.stderr)
        return 130
    print(summary(results))
    if args.write:
        Path(args.write).write_text(document(results), encoding="utf-8")
        progress(f"wrote {args.write}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(as_json(results), indent=2) + "\n", encoding="utf-8")
        progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
