"""The benchmark's figures as a Markdown page (docs/benchmarks.md) and as a terminal summary,
against the targets of issue 13."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from environment import display
from findings import Findings, findings_table, rules_table
from spawn import Run, Series, paired_ratio

Results = dict[str, Any]
NO_CACHE = "no cache yet"

# Issue 13's targets, on ../shared/corpus/prisma, paired runs, medians.
TARGET_COLD_JSON = 1.5  # x squawk's JSON
TARGET_WARM_JSON = 0.3  # x squawk's JSON
TARGET_TEXT = 1.0  # x squawk's default output
TARGET_PRECOMMIT_WARM_MS = 120.0
TARGET_PEAK_MIB = 64.0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def mib(kb: float) -> str:
    return f"{kb / 1024:,.1f} MiB"


def x(value: float) -> str:
    return f"{value:.2f}x"


def peak_kb(*series: Series | None) -> int:
    return max(s.peak_rss_kb for s in series if s is not None)


def figures_table(r: Results) -> list[list[str]]:
    (mj, sj), (mt, st), (mo, so) = r["corpus_json"], r["corpus_text"], r["one_cold"]
    warm = r["corpus_warm"]
    one_warm = r["one_warm"]
    rows = [
        ["", "migralint, cold", "migralint, warm", "squawk", "migralint / squawk (cold)"],
        ["whole corpus, JSON (`--format json` / `--reporter json`), wall", ms(mj.median),
         ms(warm.median) if warm else NO_CACHE, ms(sj.median), x(paired_ratio(mj, sj))],
        ["whole corpus, JSON, warm but one migration edited before each run, wall", "",
         ms(r["corpus_edited"].median) if r.get("corpus_edited") else "-", "", ""],
        ["whole corpus, default text output of each, wall", ms(mt.median), "", ms(st.median),
         x(paired_ratio(mt, st))],
        ["whole corpus, JSON, CPU (user+sys)", ms(mj.cpu_median), "", ms(sj.cpu_median),
         x(mj.cpu_median / sj.cpu_median)],
        ["whole corpus, JSON, files per second", f"{r['files'] / mj.median:,.0f}", "",
         f"{r['files'] / sj.median:,.0f}", ""],
        ["whole corpus, peak memory (max RSS over JSON and text runs)", mib(peak_kb(mj, mt)),
         mib(warm.peak_rss_kb) if warm else NO_CACHE, mib(peak_kb(sj, st)), x(peak_kb(mj, mt) / peak_kb(sj, st))],
        [f"one file ({r['one_file_bytes']} bytes), JSON, wall", ms(mo.median),
         ms(one_warm.median) if one_warm else NO_CACHE, ms(so.median), x(paired_ratio(mo, so))],
        ["one file, peak memory", mib(mo.peak_rss_kb), "", mib(so.peak_rss_kb), ""],
        ["start-up only (`--version`), wall", ms(r["startup"][0].median), "", ms(r["startup"][1].median),
         x(paired_ratio(*r["startup"]))],
    ]
    if "pc_new" in r:
        (mp, sp), none, pc = r["pc_new"], r["pc_none"], r["precommit"]
        pc_warm = r["pc_new_warm"]
        rows += [
            [f"pre-commit: `lint --staged`, 1 new migration over {pc['pushed']} pushed (squawk: the staged file)",
             ms(mp.median), ms(pc_warm.median) if pc_warm else NO_CACHE, ms(sp.median), x(paired_ratio(mp, sp))],
            ["pre-commit: `lint --staged`, the staged migration edited before each run (the rest cached)", "",
             ms(r["pc_edited"].median) if r.get("pc_edited") else NO_CACHE, ms(sp.median), ""],
            ["pre-commit: `lint --staged`, a commit with no migration (squawk's hook would not run)",
             ms(none.median), "", "-", ""],
        ]
    return rows


def verdict(measured: float, target: float, unit: str, fmt: str = "{:.2f}") -> tuple[str, str]:
    """(met or missed, by how much)."""
    if measured <= target:
        return "met", f"{fmt.format(target - measured)}{unit} under"
    return "**missed**", f"{fmt.format(measured - target)}{unit} over ({measured / target:.1f}x the target)"


def targets(r: Results) -> list[list[str]]:
    (mj, sj), (mt, st) = r["corpus_json"], r["corpus_text"]
    cold_json, text = paired_ratio(mj, sj), paired_ratio(mt, st)
    rows = [["target (issue 13)", "measured", "", "by how much"]]
    rows.append([f"whole corpus, cold JSON <= {TARGET_COLD_JSON}x squawk's JSON", x(cold_json),
                 *verdict(cold_json, TARGET_COLD_JSON, "x")])
    warm = r["corpus_warm"]
    if warm:
        ratio = paired_ratio(warm, sj)
        rows.append([f"whole corpus, warm JSON <= {TARGET_WARM_JSON}x squawk's JSON", x(ratio),
                     *verdict(ratio, TARGET_WARM_JSON, "x")])
    else:
        rows.append([f"whole corpus, warm JSON <= {TARGET_WARM_JSON}x squawk's JSON",
                     f"{NO_CACHE}: a second run costs what the first did, {x(cold_json)}",
                     *verdict(cold_json, TARGET_WARM_JSON, "x")])
    rows.append([f"whole corpus, default text, cold <= {TARGET_TEXT}x squawk's default", x(text),
                 *verdict(text, TARGET_TEXT, "x")])
    if "pc_new" in r:
        pc_warm, pc_cold = r["pc_new_warm"], r["pc_new"][0]
        secs = (pc_warm or pc_cold).median
        shown = ms(secs) if pc_warm else f"{NO_CACHE}: the second run is a cold one, {ms(secs)}"
        rows.append([f"pre-commit, one new migration, warm <= {TARGET_PRECOMMIT_WARM_MS:g} ms", shown,
                     *verdict(secs * 1000, TARGET_PRECOMMIT_WARM_MS, " ms", "{:,.0f}")])
    peak = peak_kb(mj, mt, warm) / 1024
    rows.append([f"peak memory over the corpus <= {TARGET_PEAK_MIB:g} MiB", f"{peak:.1f} MiB",
                 *verdict(peak, TARGET_PEAK_MIB, " MiB", "{:.1f}")])
    return rows


def growth_table(r: Results) -> list[list[str]]:
    rows = [["migration", "size", "migralint, wall", "squawk, wall", "migralint, peak RSS", "squawk, peak RSS"]]
    for g in r["growth"]:
        ml, sq = g["series"]
        rows.append([f"{g['kind']}, {g['factor']}x", f"{g['bytes'] / 1024:,.0f} KiB", ms(ml.median), ms(sq.median),
                     mib(ml.peak_rss_kb), mib(sq.peak_rss_kb)])
    return rows


def linearity(r: Results) -> list[list[str]]:
    """Cost per extra 1x from 1x to 4x against from 4x to 16x: equal when the cost is linear (the
    start-up cost drops out of both differences); a second figure much larger means superlinear."""
    rows = [["migration", "tool", "time per extra 1x: 1x-4x / 4x-16x", "memory per extra 1x: 1x-4x / 4x-16x"]]
    kinds = dict.fromkeys(g["kind"] for g in r["growth"])
    for kind in kinds:
        by_factor = {g["factor"]: g["series"] for g in r["growth"] if g["kind"] == kind}
        for index, tool in enumerate(("migralint", "squawk")):
            s1, s4, s16 = (by_factor[f][index] for f in (1, 4, 16))
            t = ((s4.median - s1.median) / 3, (s16.median - s4.median) / 12)
            m = ((s4.peak_rss_kb - s1.peak_rss_kb) / 3, (s16.peak_rss_kb - s4.peak_rss_kb) / 12)
            rows.append([kind, tool, f"{ms(t[0])} / {ms(t[1])} ({shape(*t)})",
                         f"{mib(m[0])} / {mib(m[1])} ({shape(*m)})"])
    return rows


def shape(first: float, second: float) -> str:
    if first <= 0 or second <= 0:
        return "not monotonic" if first < 0 or second < 0 else "flat"
    ratio = second / first
    if ratio > 1.5:
        return f"superlinear: {ratio:.1f}x"
    return "linear" if ratio >= 2 / 3 else f"sublinear: {ratio:.1f}x"


def headline(r: Results) -> list[str]:
    """The comparisons users feel, the least flattering first."""
    (mj, sj), (mt, st), (mo, so) = r["corpus_json"], r["corpus_text"], r["one_cold"]
    items = [
        (paired_ratio(mo, so), f"one {r['one_file_bytes']}-byte file, JSON: {ms(mo.median)} against {ms(so.median)}"),
        (paired_ratio(mj, sj), f"the whole corpus, JSON against JSON: {ms(mj.median)} against {ms(sj.median)}"),
        (paired_ratio(mt, st), f"the whole corpus, each tool's default text output: {ms(mt.median)} "
                               f"against {ms(st.median)}"),
    ]
    if "pc_new" in r:
        mp, sp = r["pc_new"]
        items.append((paired_ratio(mp, sp), f"the pre-commit case (one new migration staged): {ms(mp.median)} "
                                            f"against squawk's {ms(sp.median)} on the staged file"))
        if r.get("pc_edited"):
            edited = r["pc_edited"].median
            items.append((edited / sp.median, f"the pre-commit case with the staged migration edited since the last "
                                              f"run, the rest cached: {ms(edited)} against {ms(sp.median)} "
                                              "(medians, not pairs)"))
    items.sort(key=lambda item: -item[0])
    results = targets(r)[1:]
    met = sum(row[2] == "met" for row in results)
    return [f"{met} of {len(results)} targets of issue 13 met on this run (see *Targets*).", ""] + [
        f"- migralint takes **{value:.2f}x** squawk's time on {text}." for value, text in items]


def startup_line(r: Results, start: float, one_file: float) -> str:
    """The start-up gap, from this run's `python -X importtime` of the one-file lint (imports.py)."""
    line = (f"- **Start-up**: `migralint --version` alone takes {ms(start)} (the launcher answers before click "
            f"loads; {start / one_file:.0%} of the one-file run), but a lint imports its code before the first file")
    figures = r.get("imports")
    if not figures:
        return line + " (not measured in this run: no Python interpreter found for the migralint executable)."
    parts = {k: v for k, v in figures.items() if k not in ("total", "modules")}
    shown = "; ".join(f"{part} {value:.0f} ms" for part, value in list(parts.items())[:6])
    return (line + f": {figures['total']:.0f} ms over {figures['modules']:.0f} modules in this run (each module's "
            f"least self time over 5 runs of `python -X importtime`): {shown}. A rule module is imported when "
            "a statement first needs it: a lint reads each rule's name, node types, kinds, dialects and hooks "
            "from rules/rule_index.py (generated from the classes by `python -m migralint.rules.docs`, "
            "checked by a test as the docs are), and the engines swap a stand-in for the rule on the first "
            "statement of its type. The typical 631-byte file (CREATE TYPE, CREATE TABLE, CREATE UNIQUE "
            "INDEX, ADD FOREIGN KEY) imports 27 of the 72 statement rules and the 4 history rules every "
            "folder runs; a pre-commit run whose files are all cache hits imports those 4 only (the rule "
            "modules' least self import time there: 39 ms when all 80 loaded, 4 ms now; 2026-12-07). A "
            "PostgreSQL lint imports no other database's rule helpers: they load in the branch for their "
            "dialect (tests/test_lean_start.py). pglast's enums and node classes are registered as lazy modules "
            "before its package loads, so a lint never runs them (sql/lean_pglast.py: `import pglast.parser` "
            "37 ms -> 6 ms); click loads much of the standard library (inspect, datetime, uuid).")


def gaps(r: Results) -> list[str]:
    """Why the targets are missed and what would close each gap: the measured parts of this run
    (start-up, the in-process split of parse, replay and rules) set against issue 13's plan."""
    mo = r["one_cold"][0]
    start = r["startup"][0].median
    lines = [
        startup_line(r, start, mo.median),
        "- **The rules, parsing and the JSON trees**: over the corpus most of the time is in-process work "
        "(see *Replaying the history* below for this run's split): the rules, building the statement model "
        "for the rules that read it, the catalog replay, parsing with pglast and decoding its JSON trees. "
        "Four rounds of cuts on 2026-12-07, each with output byte-identical over the corpus: in the early "
        "hours an ALTER TABLE went to only the rules that read one of its subcommand types, a statement's "
        "locks were computed once for all its rules, and subcommand spans were found without PostgreSQL's "
        "scanner (`--jobs 1` CPU 0.76x of ff2dbc9's, interleaved pairs); in the morning a CREATE TABLE's "
        "columns were read once for the model, the object names and the constraints, plain column types "
        "were keyed without their repr, an ALTER TABLE's subcommand spans were found only when a finding "
        "reads them, the model's values set their slots directly, orjson decodes libpg_query's trees (a "
        "dependency where PyPI has its wheels), require-lock-timeout words only the first unprotected "
        "statement of a section, and an ADD COLUMN ... DEFAULT no longer scans every earlier statement. "
        "Whole corpus cold, JSON, `--jobs 1`, instructions counted by callgrind (they repeat to 0.1%, where "
        "CPU time on this shared machine swings 15-30%): 10,101 M at 06bfdf1, before the morning's "
        "round, against 7,971 M at db7069f, after it (0.79x); a third round before noon (a rule hook that "
        "finds nothing returns () instead of running a generator, a finding built in one call, a foreign "
        "key looked up under the table it references, a file's created objects read from its trees, "
        "constant column defaults keyed without their repr) brought it to 7,226 M at 1cd3d9c (0.72x of 06bfdf1's), "
        "and a fourth after noon (an ADD CONSTRAINT handed only to the rules of its constraint type, a new "
        "column type copied without a round trip through JSON text, discovery's path splits remembered, the "
        "JSON report written from columns, the text report's snippets cut from one split of the file, the "
        "children's outcomes sent as plain tuples and pickled with the collector off) to 6,925 M at "
        "16d590d (0.69x); it also cut the parent's work from the last child's last part to the exit from "
        "123 to 94 ms (JSON) and from 142 to 120 ms (text; medians of 5 runs with `--jobs 2`). "
        "A fifth round in the evening went after the parent's serial work: each part's outcomes go back "
        "to it as soon as the part is done and are decoded while the other parts run (from the last "
        "part's end to the exit, 100 -> 69 ms for JSON and 148 -> 75 ms for text, medians of 8 "
        "interleaved runs with a cache folder to fill), and a run that forks its workers, which never "
        "stores an answer, is no longer watched once it forks and costs less to watch until then (the "
        "parent's instructions 1,620 M -> 1,556 M, 1,403 M unwatched; callgrind). Filling the cache "
        "costs the cold column about 35 ms of each child's time (the catalogs after each folder and its "
        "results, pickled): putting it off until a child's last result was sent only lengthened the "
        "end of the run. "
        "`--jobs` (default: the cores idle at that instant, from Linux's runnable count) runs folders, and "
        "stretches of a folder too large for one worker, side by side (docs/cache.md). On Linux the workers "
        "are forked children without a multiprocessing pool (forked.py): they read their own files when "
        "there is no cache, take the folders one at a time from a queue, largest first, and run each whole "
        "folder's history checks themselves, so the parent's serial work before the fork and after the join "
        "fell from 412 + 139 ms to 352 + 86 ms of CPU (JSON, medians of 5 loaded runs). With a result cache "
        "that knows nothing of a folder (the cold column: an empty cache folder), the parent no longer "
        "reads, decodes and hashes its files before the fork only to find no pack: the child that lints "
        "the folder does (150-230 ms of serial work moved into the children), and the process ends "
        "with os._exit once its output is flushed, without freeing every object of the run one at a "
        "time (launcher.py). Compiling the ten "
        "hottest model and engine modules with mypyc was tried and cut about 7% of the CPU (5 runs each, "
        "same output): not enough to carry a compiled build. What is left is CPU spent in Python, about "
        "1.4-1.6 s of CPU for the corpus on this machine, spread over the rules, the model and the replay "
        "with no part above a tenth of it. With every rule but one trivial one switched off (`--select "
        "ban-drop-database`), the same cold JSON run still took 1.94x squawk's time (medians of 7 "
        "interleaved runs: 532 ms against 275 ms, 2026-12-07 afternoon; 2.2x in the morning): "
        "start-up, discovery, parsing and decoding the trees, the statement model, the catalog replay, "
        "the history checks and the report alone are over the 1.5x target, so no cut in the rules can "
        "reach it. It needs the parse, the model and the replay in compiled code, or more cores.",
        "- **Warm runs**: the result cache (docs/cache.md) has two levels. A whole run that changes nothing "
        "is answered by the launcher before click, the API or pglast loads (docs/cache.md, \"Answers\"): "
        "its stdout, stderr and exit code, stored with a stamp of every input it touched (files read, "
        "folders listed, config files looked for, git's HEAD, index and refs), seen by a Python audit hook; "
        "the key holds the arguments, the working directory, the whole environment and the code. That is "
        "the *warm* column, and the pre-commit target. A run where one migration changed (the rows "
        "*one migration edited before each run*) goes through the full command: the packs give every "
        "other file's findings and the catalog before the edited one, which is linted alone, but the "
        "imports (click, the CLI, the API, pglast, the engine and the rules the file needs), finding the "
        "files (a Path and a MigrationFile each), the history rules (never cached: they read git) and the "
        "report are paid each time, as are `lint --staged`'s 4 git processes (5 until 2026-12-07: the "
        "merge base now comes from the `rev-parse` already run; two of the four now run side by side). A "
        "run that writes the cache no longer imports tempfile (and with it random, shutil, bz2 and lzma). "
        "The text report off a terminal was "
        "rewritten as one formatted string per finding (the whole corpus's report: 202 ms -> 84 ms of CPU).",
        "- **Memory and the growth curve**: a file over 100,000 characters is parsed in pieces of whole "
        "statements and its trees let go (docs/robustness.md); each column type's tree is shared in the "
        "catalog, and one Column object serves every table with the same column. `benchmarks/large_file.py` "
        "on 2026-12-07 (docs/robustness.md): 23 MB of seed data peaks at 140 MiB, and 21.5 MB of schema "
        "changes (60,000 tables in one transaction) at 287 MiB in both cache modes (361 MiB the evening "
        "before, 643 and 807 MiB that morning): the replayed schema and what is kept of each statement "
        "grow with the tables and statements, linearly, at about 11 MiB per MB of such DDL.",
    ]
    seeds = {g["factor"]: g for g in r["growth"] if g["kind"] == "seed data"}
    if 4 in seeds and 16 in seeds:
        extra_kb = seeds[16]["series"][0].peak_rss_kb - seeds[4]["series"][0].peak_rss_kb
        per_byte = extra_kb * 1024 / (seeds[16]["bytes"] - seeds[4]["bytes"])
        lines.append(f"  In this run migralint's peak memory grows by {per_byte:.0f} bytes per byte of seed data "
                     f"(4x to 16x); at that slope a 20 MB migration would need about "
                     f"{per_byte * 20e6 / 2**20:,.0f} MiB more than the start-up (an extrapolation, not a "
                     "measurement; issue 13 asks for under 300 MiB).")
    return lines


def markdown_table(rows: list[list[str]]) -> str:
    head, *body = rows
    align = ["---"] + ["--:"] * (len(head) - 1)
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def text_table(rows: list[list[str]]) -> str:
    rows = [[c.replace("**", "").replace("`", "") for c in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        for row in rows
    )


def machine_lines(r: Results) -> list[str]:
    m = r["machine"]
    commit = f", commit `{r['commit']}`" if r["commit"] else ""
    return [
        f"- Date: {r['date']}",
        f"- CPU: {m.get('cpu', 'unknown')}; cores (nproc): {m['nproc']}; memory: {m.get('memory', 'unknown')}",
        f"- Load average (1, 5, 15 min): {r['load_start']} at the start, {r['load_end']} at the end "
        "(the machine is shared: the pairs and medians are there to absorb that)",
        f"- OS: {m['platform']}; Python {m['python'].split(' (')[0]}",
        f"- `{r['migralint_version']}`{commit}; result cache: {'yes' if r['cache'] else 'not built yet'}",
        f"- `{r['squawk_version']}` (squawk-cli from PyPI, pinned in the `bench` extra)",
    ]


def method_lines(r: Results) -> list[str]:
    floor = r.get("rss_floor_kb")
    pc = r.get("precommit")
    lines = [
        f"- **Corpus**: `{display(r['corpus'])}`, {r['files']:,} real migration files "
        f"({r['corpus_bytes'] / 1024:,.0f} KiB) from {r['projects']} open-source projects; both tools get "
        f"{r['how'].replace(r['corpus'], display(r['corpus']))}.",
        "- **Pairs**: every figure comes from runs in pairs, one of each tool back to back, alternating which "
        f"goes first; {r['repeat']} pairs over the corpus, {r['one_file_repeat']} for one file and the "
        f"pre-commit case, {r['growth_repeat']} per growth-curve size. Times are medians; a ratio is the median "
        "of the per-pair ratios, so a burst of load from elsewhere lands on both halves of a pair.",
        "- **Cold** is a fresh process with nothing cached (both tools' files are in the page cache after one "
        "unmeasured run each). **Warm** is a second run with migralint's result cache"
        + (" (a primed `MIGRALINT_CACHE_DIR`)." if r["cache"] else
           f": that cache is not built yet, so the warm column says \"{NO_CACHE}\" and nothing is measured."),
        "- **Like with like**: JSON against JSON (`migralint lint --format json`, `squawk --reporter json`), "
        "and each tool's default human output against the other's (`migralint lint`, `squawk`: its annotated "
        "report, which draws a source snippet for every finding). Standard output goes to a file or "
        "`/dev/null`, so neither writes to a terminal.",
        f"- **One file**: `{display(r['one_file'])}`, a typical Prisma migration, linted where it lies, "
        "so migralint also replays the earlier migrations of its folder (as it does for a user); squawk "
        "reads the one file.",
    ]
    if pc:
        lines.append(
            f"- **Pre-commit**: a git repository with `{display(pc['folder'])}` as `prisma/migrations`, "
            f"{pc['pushed']} migrations committed and pushed to a bare repository (so the branch has an "
            f"upstream), then `{pc['new']}` staged; migralint runs its hook's entry, `migralint lint --staged`; "
            "squawk gets the staged file's path, as a hook that passes file names would. Then the migration "
            "is unstaged and removed and only a README edit is staged.")
    lines += [
        "- **Growth**: synthetic migrations linted alone, at 1x, 4x and 16x: statements in one transaction "
        "(CREATE TABLE, CREATE INDEX, ADD COLUMN, ADD FOREIGN KEY per table; 1x is 100 tables) and seed "
        "data (one CREATE TABLE, then multi-row INSERTs of 500 rows; 1x is 5,000 rows).",
        "- **Peak memory**: max RSS from `os.wait4` in a small `python -S -I` helper that forks and execs "
        "each tool, so the figure is the tool's own, not the benchmark's"
        + (f"; the helper charges {mib(floor)} to a do-nothing `true`." if floor else "."),
        "- Both tools run with their default rules and settings from an empty folder, so neither reads a "
        "config file; both exit 1 when they find something.",
    ]
    return lines


def document(r: Results) -> str:
    parts = [
        "<!-- Written by benchmarks/run.py; do not edit by hand. Re-run it to update. -->",
        "# Benchmarks: migralint against squawk",
        "",
        "Written by `benchmarks/run.py` (`.venv/bin/python benchmarks/run.py --write docs/benchmarks.md`; "
        "see [benchmarks/README.md](../benchmarks/README.md)). Every figure below is from one run.",
        "",
        "## Headline",
        "",
        *headline(r),
        "",
        "## Targets",
        "",
        markdown_table(targets(r)),
        "",
        "## Figures",
        "",
        markdown_table(figures_table(r)),
        "",
        "## Why the gaps, and what would close them",
        "",
        *gaps(r),
        "",
        "## Growth: one migration at 1x, 4x and 16x",
        "",
        markdown_table(growth_table(r)),
        "",
        "The cost of each extra 1x, between 1x and 4x and between 4x and 16x (start-up drops out): "
        "equal figures mean linear cost.",
        "",
        markdown_table(linearity(r)),
        "",
        "## Machine",
        "",
        *machine_lines(r),
        "",
        "## How it was measured",
        "",
        *method_lines(r),
        "",
        "## Findings",
        "",
        markdown_table(findings_table(r)),
        "",
        "Per rule, from the JSON runs. A rule name in both columns is the same check under the same name; the "
        "counts differ where the tools judge differently. For migralint, `-` means no such rule and `0` a rule "
        "that found nothing; for squawk, `-` means no such rule or no finding (its opt-in rules are not run).",
        "",
        markdown_table(rules_table(r)),
        "",
    ]
    if r.get("replay"):
        parts += ["## Replaying the history", "",
                  "migralint replays every earlier migration into a schema catalog before it lints the next one "
                  "(`benchmarks/replay.py` measures the parts on their own):", "", r["replay"], ""]
    if r["anomalies"]:
        parts += ["## Anomalies", "", *[f"- {a}" for a in r["anomalies"]], ""]
    return "\n".join(parts)


def summary(r: Results) -> str:
    lines = [*machine_lines(r), "", *headline(r), "", text_table(targets(r)), "", text_table(figures_table(r)),
             "", text_table(growth_table(r)), "", text_table(linearity(r)), "", text_table(findings_table(r))]
    if r["anomalies"]:
        lines += ["", "anomalies:"] + [f"  {a}" for a in r["anomalies"]]
    return "\n".join(line.replace("**", "").replace("`", "") for line in lines)


def as_json(r: Results) -> Results:
    def plain(value: object) -> object:
        if isinstance(value, Series):
            return {"median": value.median, "min": value.min, "cpu_median": value.cpu_median,
                    "peak_rss_kb": value.peak_rss_kb, "runs": [asdict(run) for run in value.runs]}
        if isinstance(value, Run):
            return asdict(value)
        if isinstance(value, Findings):
            return {**vars(value), "by_rule": dict(value.by_rule), "by_severity": dict(value.by_severity)}
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {key: plain(value) for key, value in r.items()}
