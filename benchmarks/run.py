"""Side-by-side benchmark of `migralint lint` against `squawk` where users wait.

Usage (from the repository root):

    .venv/bin/python benchmarks/run.py [--corpus PATH] [--repeat N] [--write docs/benchmarks.md]

In one run it measures, for both tools, each started as a fresh process per run, in pairs of
back-to-back runs that alternate which tool goes first (medians over the pairs):

1. the whole corpus, cold: JSON against JSON, and each tool's default text output against the
   other's; with migralint's result cache (when it has one) also warm;
2. one file, cold (and warm with the cache);
3. the pre-commit case: `migralint lint --staged` in a git repository made from a real project's
   migrations folder, with one new migration staged, and with a commit that stages none;
4. peak memory (max RSS) over the corpus;
5. the growth curve: one synthetic migration at 1x, 4x and 16x size (statements in one
   transaction; seed data in multi-row INSERTs), its time and peak memory;
6. the findings on the corpus, per rule, from the JSON reports;

and writes them against the targets of issue 13 (see report.py). Standard library only; Linux
or macOS (os.wait4). The modules next to this one hold the parts: spawn.py (timing a child),
environment.py (tools, corpus, machine), scenarios.py (the pre-commit repository and the growth
inputs), findings.py and report.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from environment import (DEFAULT_CORPUS, corpus_files, display, find_tool, fits_on_command_line,
                         has_result_cache, load_average, machine_info, migralint_rules,
                         pick_one_file, pick_precommit_folder, repo_commit, tool_version)
from findings import read_findings
from imports import import_figures
from report import Results, as_json, document, summary
from scenarios import GROWTH_FACTORS, PrecommitRepo, write_growth_files
from spawn import Bench, BenchError, Series, progress

Env = dict[str, str] | None


class CacheDirs:
    """MIGRALINT_CACHE_DIR for each run, when migralint has a result cache: a fresh empty folder
    for a cold run, a primed one (filled by an unmeasured run) for a warm run. Without a cache the
    variable is not set at all."""

    def __init__(self, root: Path, enabled: bool) -> None:
        self.root, self.enabled, self.n = root, enabled, 0

    def cold(self) -> Env:
        if not self.enabled:
            return None
        self.n += 1
        return {"MIGRALINT_CACHE_DIR": str(self.root / f"cold-{self.n}")}

    def warm(self, name: str) -> Env:
        return {"MIGRALINT_CACHE_DIR": str(self.root / f"warm-{name}")} if self.enabled else None


def timed_pairs(bench: Bench, label: str, ml: list[str], sq: list[str], repeat: int,
                ml_env: Callable[[], Env], **kw: str) -> tuple[Series, Series]:
    """`repeat` pairs of (migralint, squawk) runs, alternating which goes first."""
    sm, ss = Series(), Series()
    for i in range(repeat):
        pair = [(ml, sm, kw.get("ml_out", os.devnull), ml_env()), (sq, ss, kw.get("sq_out", os.devnull), None)]
        for cmd, series, out, env in pair if i % 2 == 0 else reversed(pair):
            series.runs.append(bench.run(label, cmd, out, kw.get("cwd"), env))
    return sm, ss


def warm_series(bench: Bench, label: str, cmd: list[str], repeat: int, env: Env, cwd: str | None = None) -> Series:
    bench.run(f"{label} (priming the cache)", cmd, cwd=cwd, env=env)
    series = Series()
    for _ in range(repeat):
        series.runs.append(bench.run(label, cmd, cwd=cwd, env=env))
    return series


def edited_series(bench: Bench, label: str, cmd: list[str], repeat: int, env: Env, edit: Callable[[int], None],
                  cwd: str | None = None) -> Series:
    """Warm runs where one migration changed since the last: the cache holds every other file's
    result and the catalog before it, and `edit(i)` changes the file before run i (untimed). What
    a developer's next run costs after editing the migration being written."""
    bench.run(f"{label} (priming the cache)", cmd, cwd=cwd, env=env)
    series = Series()
    for i in range(repeat):
        edit(i)
        series.runs.append(bench.run(label, cmd, cwd=cwd, env=env))
    return series


def append_line(path: Path, i: int) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\n-- benchmark edit {i}\n")


def measure(args: argparse.Namespace) -> Results:
    corpus = Path(args.corpus).resolve() if args.corpus else DEFAULT_CORPUS.resolve()
    files = corpus_files(corpus)
    migralint = find_tool("migralint", args.migralint)
    squawk = find_tool("squawk", args.squawk)
    one_file = pick_one_file(corpus, files, args.one_file)
    folder = pick_precommit_folder(corpus, args.precommit_folder)
    cache = has_result_cache(migralint)

    paths = [str(p) for p in files]
    if fits_on_command_line(paths):
        targets, how = paths, f"all {len(paths)} file paths as arguments"
    else:  # both tools expand the same recursive glob themselves
        targets, how = [f"{corpus}/**/*.sql"], f"the glob {corpus}/**/*.sql (too many paths for one command line)"

    r: Results = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": load_average(),
        "machine": machine_info(),
        "migralint_version": tool_version(migralint),
        "squawk_version": tool_version(squawk),
        "migralint_rules": migralint_rules(migralint),
        "commit": repo_commit(),
        "cache": cache,
        "corpus": str(corpus),
        "files": len(files),
        "corpus_bytes": sum(p.stat().st_size for p in files),
        "projects": len({p.relative_to(corpus).parts[0] for p in files}),
        "how": how,
        "repeat": args.repeat,
        "one_file": str(one_file),
        "one_file_bytes": one_file.stat().st_size,
        "one_file_repeat": args.one_file_repeat,
        "growth_repeat": args.growth_repeat,
    }

    with tempfile.TemporaryDirectory(prefix="migralint-bench-") as tmp:
        root = Path(tmp)
        cwd = root / "cwd"  # empty: neither tool finds a config file here
        cwd.mkdir()
        bench = Bench(str(cwd))
        caches = CacheDirs(root / "cache", cache)
        true = shutil.which("true") or "/bin/true"
        r["rss_floor_kb"] = bench.run("true", [true]).max_rss_kb if Path(true).exists() else None

        ml_json = [migralint, "lint", "--format", "json", *targets]
        sq_json = [squawk, "--reporter", "json", *targets]
        ml_text = [migralint, "lint", *targets]
        sq_text = [squawk, *targets]
        progress(f"corpus: {corpus} ({len(files)} files); warming up the page cache")
        bench.run("migralint (warm-up)", ml_json, env=caches.cold())
        bench.run("squawk (warm-up)", sq_json)

        ml_out, sq_out = str(root / "migralint.json"), str(root / "squawk.json")
        progress(f"whole corpus, JSON, {args.repeat} pairs")
        r["corpus_json"] = timed_pairs(bench, "corpus JSON", ml_json, sq_json, args.repeat, caches.cold,
                                       ml_out=ml_out, sq_out=sq_out)
        r["ml_findings"] = read_findings(bench.anomalies, "migralint --format json", True, Path(ml_out))
        r["sq_findings"] = read_findings(bench.anomalies, "squawk --reporter json", False, Path(sq_out))
        progress(f"whole corpus, default text output, {args.repeat} pairs")
        r["corpus_text"] = timed_pairs(bench, "corpus text", ml_text, sq_text, args.repeat, caches.cold)
        r["corpus_warm"] = warm_series(bench, "corpus JSON warm", ml_json, args.repeat,
                                       caches.warm("corpus")) if cache else None
        if cache and folder is not None:
            progress(f"whole corpus, JSON, warm but one migration edited before each run, {args.repeat} runs")
            # A copy, so one file can change: the newest migration of the pre-commit project.
            copy = root / "corpus-copy"
            shutil.copytree(corpus, copy, copy_function=shutil.copyfile)  # writable files
            for folder_path in [copy, *(p for p in copy.rglob("*") if p.is_dir())]:
                folder_path.chmod(0o755)  # the corpus's folders are read-only; the copy's must go at the end
            edited = max(p for p in copy.glob(f"{folder.name}/*/migration.sql"))
            copied = [str(copy / p.relative_to(corpus)) for p in files]
            ml_copy = [migralint, "lint", "--format", "json", *(copied if targets == paths else [f"{copy}/**/*.sql"])]
            r["corpus_edited"] = edited_series(bench, "corpus JSON, one edited", ml_copy, args.repeat,
                                               caches.warm("corpus-edited"), lambda i: append_line(edited, i))

        progress(f"start-up only, {args.one_file_repeat} pairs")
        r["startup"] = timed_pairs(bench, "--version", [migralint, "--version"], [squawk, "--version"],
                                   args.one_file_repeat, caches.cold)
        progress(f"one file, {args.one_file_repeat} pairs")
        ml_one = [migralint, "lint", "--format", "json", str(one_file)]
        sq_one = [squawk, "--reporter", "json", str(one_file)]
        r["one_cold"] = timed_pairs(bench, "one file", ml_one, sq_one, args.one_file_repeat, caches.cold)
        r["one_warm"] = warm_series(bench, "one file warm", ml_one, args.one_file_repeat,
                                    caches.warm("one")) if cache else None
        progress("what a one-file lint imports (python -X importtime), 5 runs")
        r["imports"] = import_figures(migralint, one_file, str(cwd), 5)

        if folder is not None:
            measure_precommit(bench, r, root, folder, migralint, squawk, caches, args.one_file_repeat)
        else:
            bench.anomalies.append("no project folder with two Prisma migrations: the pre-commit case was not run")

        progress(f"growth curve, {args.growth_repeat} pairs per size")
        growth = []
        for (kind, factor), path in write_growth_files(root / "growth").items():
            ml_g = [migralint, "lint", "--format", "json", str(path)]
            sq_g = [squawk, "--reporter", "json", str(path)]
            pair = timed_pairs(bench, f"growth {path.name}", ml_g, sq_g, args.growth_repeat, caches.cold)
            growth.append({"kind": kind, "factor": factor, "bytes": path.stat().st_size, "series": pair})
        r["growth"] = growth
        r["growth_factors"] = GROWTH_FACTORS

    mf = r["ml_findings"]
    if mf and mf.files_checked is not None and mf.files_checked != len(files):
        bench.anomalies.append(f"migralint checked {mf.files_checked} files, the corpus has {len(files)}")
    r["anomalies"] = bench.anomalies
    r["load_end"] = load_average()
    if not args.no_replay:
        progress("replaying the history in-process")
        r["replay"] = replay_section(corpus)
    return r


def measure_precommit(bench: Bench, r: Results, root: Path, folder: Path, migralint: str, squawk: str,
                      caches: CacheDirs, repeat: int) -> None:
    """`migralint lint --staged` (the hook's entry) against squawk given the staged file's path (what a
    hook that passes file names runs), first with one new migration staged, then with none."""
    progress(f"pre-commit case on {folder.name}, {repeat} pairs")
    repo = PrecommitRepo(root / "precommit", folder)
    work = str(repo.work)
    repo.stage_new_migration()
    ml_staged = [migralint, "lint", "--staged"]
    sq_staged = [squawk, str(repo.new_file.relative_to(repo.work))]
    r["precommit"] = {"folder": str(folder), "pushed": repo.pushed_count, "new": repo.held_back.name}
    r["pc_new"] = timed_pairs(bench, "pre-commit, one new migration", ml_staged, sq_staged, repeat,
                              caches.cold, cwd=work)
    r["pc_new_warm"] = warm_series(bench, "pre-commit warm", ml_staged, repeat, caches.warm("pc"),
                                   work) if r["cache"] else None
    r["pc_edited"] = edited_series(bench, "pre-commit, staged migration edited", ml_staged, repeat,
                                   caches.warm("pc"), repo.edit_new_migration, work) if r["cache"] else None
    repo.stage_no_migration()
    none = Series()
    for _ in range(repeat):
        none.runs.append(bench.run("pre-commit, no migration", ml_staged, cwd=work, env=caches.cold()))
    r["pc_none"] = none


def replay_section(corpus: Path) -> str | None:
    """The catalog replay's share of a lint, when migralint is importable here (see replay.py)."""
    try:
        from replay import markdown, replay_figures
    except ImportError:
        return None
    return markdown(replay_figures(corpus))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--corpus", help=f"folder of migrations (default {display(str(DEFAULT_CORPUS))})")
    parser.add_argument("--repeat", type=int, default=5, help="whole-corpus pairs (default 5)")
    parser.add_argument("--one-file-repeat", type=int, default=10,
                        help="pairs for one file and for the pre-commit case (default 10)")
    parser.add_argument("--growth-repeat", type=int, default=5, help="pairs per growth-curve size (default 5)")
    parser.add_argument("--one-file", help="the file for the one-file timing (default: a typical one)")
    parser.add_argument("--precommit-folder", help="the migrations folder for the pre-commit case "
                        "(default: the corpus's lukevella__rallly)")
    parser.add_argument("--no-replay", action="store_true", help="skip the in-process replay breakdown")
    parser.add_argument("--write", metavar="PATH", help="write the Markdown report here (docs/benchmarks.md)")
    parser.add_argument("--json", metavar="PATH", help="also write the raw figures as JSON here")
    parser.add_argument("--migralint", help="the migralint executable (default: next to this Python)")
    parser.add_argument("--squawk", help="the squawk executable (default: next to this Python)")
    args = parser.parse_args(argv)
    if min(args.repeat, args.one_file_repeat, args.growth_repeat) < 1:
        parser.error("--repeat, --one-file-repeat and --growth-repeat must be at least 1")
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
