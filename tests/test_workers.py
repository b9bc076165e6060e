"""Folders linted side by side (src/migralint/workers.py): the same output, in the same order, as one process.

On Linux the workers are forked (forked.py); every test of what a pool returns also runs with
them spawned, as macOS and Windows have them: jobs, rules and outcomes pickled to fresh
interpreters and back.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from click.testing import CliRunner

import migralint.cache
from migralint import api, folder_lint, forked, workers
from migralint.api import LintRequest
from migralint.cli import main
from migralint.cache import STAMPS_KEY, Store, pack_stamps
from migralint.config import Settings
from migralint.rules.registry import ALL_RULES, build_rule_set
from migralint.findings import Finding
from migralint.folder_parts import Part, cut, plan_parts
from migralint.linter.context import Context
from migralint.linter.parse import Statement
from tests.broken_rule import BrokenOnApp1, BrokenOnPost
from tests.helpers import sigint_as_a_terminal_gives_it

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "prisma"


def _tree(root: Path, folders: int, files: int) -> None:
    for f in range(folders):
        for k in range(files):
            path = root / f"app{f}" / "prisma" / "migrations" / f"{k:04d}_m" / "migration.sql"
            path.parent.mkdir(parents=True)
            sql = (f'CREATE TABLE "T{k}" ("id" INT, "v" TEXT);\n' if k % 3 else "") + (
                f'CREATE INDEX "i{k}" ON "T{k - 1 if k % 3 == 1 else k}"("v");\n'
                f'ALTER TABLE "T{max(k - 1, 1)}" ADD COLUMN "c{k}" TEXT NOT NULL;\n'
                + ("-- é ☕\nUPDATE \"Post\" SET v = 'x';\n" if k % 5 == 0 else "")
            )
            path.write_text(sql, encoding="utf-8")


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    _tree(tmp_path, folders=4, files=12)
    return tmp_path


@pytest.fixture(params=["fork", "spawn"])
def always_a_pool(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The threshold is for speed; these tests are about what a pool returns, so it always starts,
    # forked where Linux allows it (forked.py) and spawned as macOS and Windows do.
    monkeypatch.setattr(workers, "WORTH_A_POOL_MS", 0.0)
    if request.param == "fork":
        if not forked.usable():
            pytest.skip("workers are forked on Linux only, from a process with no other thread")
        monkeypatch.setattr(forked, "run", _counting(forked.run))
    else:
        monkeypatch.setattr(forked, "ENABLED", False)
    yield
    if request.param == "fork":
        assert forked.run.calls, "the children were forked"  # type: ignore[attr-defined]


def _counting(run: Any) -> Any:
    def counted(*args: Any) -> Any:
        counted.calls += 1  # type: ignore[attr-defined]
        return run(*args)

    counted.calls = 0  # type: ignore[attr-defined]
    return counted


def _no_fork() -> int:
    raise BlockingIOError(11, "Resource temporarily unavailable")  # what the process limit gives


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", "--format", "json", "--no-cache", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout


def test_a_pool_gives_the_output_of_one_process_in_its_order(tree: Path, always_a_pool: None) -> None:
    one = _cli("--jobs", "1", ".")
    assert len({f["path"].split("/")[0] for f in json.loads(one[1])["findings"]}) == 4
    assert _cli("--jobs", "2", ".") == one
    assert _cli("--jobs", "3", "app2", "app0", "app3") == _cli("--jobs", "1", "app2", "app0", "app3")


def test_a_pool_fills_and_reads_the_cache_as_one_process(tree: Path, always_a_pool: None) -> None:
    one = _cli("--jobs", "1", ".")
    result = CliRunner().invoke(main, ["lint", "--format", "json", "--jobs", "2", "--cache-dir", "c", "."])
    assert (result.exit_code, result.stdout) == one
    assert len(list((tree / "c").rglob("*.pack"))) == 4  # each worker wrote its folder's results
    result = CliRunner().invoke(main, ["lint", "--format", "json", "--jobs", "2", "--cache-dir", "c", "."])
    assert (result.exit_code, result.stdout) == one


def test_a_bug_in_a_worker_stays_that_files_internal_error(tree: Path, always_a_pool: None) -> None:
    names = [r.name for r in ALL_RULES]
    rules = build_rule_set(Settings(select=("require-concurrent-index-creation",)))
    broken = type(rules)([*rules.rules, BrokenOnPost()], [*names, BrokenOnPost.name])
    pooled = api.lint(LintRequest(paths=["."], settings=Settings(root=tree), rules=broken, jobs=2)).result
    alone = api.lint(LintRequest(paths=["."], settings=Settings(root=tree), rules=broken, jobs=1)).result
    assert pooled.findings == alone.findings
    assert [e.path for e in pooled.internal_errors] == [e.path for e in alone.internal_errors]
    assert len(pooled.internal_errors) == 4 * 3  # files 0, 5 and 10 of each folder update "Post"
    assert all("rule broken-on-post" in e.error for e in pooled.internal_errors)
    clean = api.lint(LintRequest(paths=["."], settings=Settings(root=tree), rules=rules, jobs=2)).result
    assert [f for f in pooled.findings if f.rule != "internal-error"] == clean.findings  # the rest is checked


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus (the shared real migrations)")
def test_the_corpus_gives_the_same_output_with_workers(tmp_path: Path) -> None:
    command = [str(Path(sys.executable).parent / "migralint"), "lint", "--format", "json", "--no-cache", str(CORPUS)]
    one = subprocess.run([*command, "--jobs", "1"], capture_output=True, text=True, cwd=tmp_path)
    two = subprocess.run([*command, "--jobs", "2"], capture_output=True, text=True, cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stderr == two.stderr


def test_one_large_folder_is_linted_in_stretches_with_the_output_of_one_process(
    tree: Path, always_a_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    parted: list[tuple[int, int]] = []
    planned = workers.plan_parts

    def recorded(*args: object, **kwargs: object) -> list[Part]:
        parts = planned(*args, **kwargs)  # type: ignore[arg-type]
        parted.extend((part.start, part.stop) for part in parts)
        return parts

    monkeypatch.setattr(workers, "plan_parts", recorded)
    one = _cli("--jobs", "1", "app1")
    assert len(json.loads(one[1])["findings"]) > 10
    parted.clear()
    assert _cli("--jobs", "2", "app1") == one
    assert len(parted) == 2 and parted[0][0] == 0 and parted[0][1] == parted[1][0] and parted[1][1] == 12

    parted.clear()
    pooled = CliRunner().invoke(main, ["lint", "--format", "json", "--jobs", "2", "--cache-dir", "c", "app1"])
    assert (pooled.exit_code, pooled.stdout) == one
    assert len(parted) == 2
    # The parent wrote the folder's one pack with both stretches' results: the next run lints nothing.
    assert len(list((tree / "c").rglob("*.pack"))) == 1
    parted.clear()
    warm = CliRunner().invoke(main, ["lint", "--format", "json", "--jobs", "2", "--cache-dir", "c", "app1"])
    assert (warm.exit_code, warm.stdout) == one
    assert parted == []  # every file a hit: no part, no pool


def test_a_folder_is_cut_only_when_it_would_keep_one_worker_busy_alone() -> None:
    small = ([1.0] * 10, [0.3] * 10)
    large = ([1.0] * 100, [0.3] * 100)
    assert plan_parts([small, small, small], 2, 0.0) == [Part(0, 0, 10, 10.0), Part(1, 0, 10, 10.0),
                                                         Part(2, 0, 10, 10.0)]
    parts = plan_parts([large, small], 2, 0.0)
    assert [(p.folder, p.start) for p in parts] == [(0, 0), (0, parts[1].start), (1, 0)]
    assert 50 < parts[1].start < 70  # the first stretch lints more: the second replays it first
    assert plan_parts([large, small], 2, 1000.0) == [Part(0, 0, 100, 100.0), Part(1, 0, 10, 10.0)]  # too small
    assert plan_parts([large], 1, 0.0) == [Part(0, 0, 100, 100.0)]
    assert plan_parts([([0.0] * 5, [0.3] * 5)], 2, 0.0) == []  # every file a cache hit


@given(
    st.lists(st.tuples(st.floats(0, 50), st.floats(0, 1), st.booleans()), min_size=1, max_size=7),
    st.integers(1, 4),
)
@hypothesis_settings(max_examples=200, deadline=None)
def test_the_cut_covers_every_file_once_and_is_as_even_as_any(
    files: list[tuple[float, float, bool]], pieces: int
) -> None:
    # Each file: what linting it costs, the share of that a replay costs, and whether it is a
    # cache hit (nothing to lint, still replayed by the stretches after it).
    lint = [0.0 if hit else ms for ms, _, hit in files]
    replay = [ms * share for ms, share, _ in files]
    stretches = cut(lint, replay, pieces)
    assert 1 <= len(stretches) <= pieces
    assert [a for a, _, _ in stretches] == [0, *(b for _, b, _ in stretches[:-1])]
    assert stretches[-1][1] == len(files)

    def cost(a: int, b: int) -> float:
        return sum(replay[:a]) + sum(lint[a:b])

    assert all(abs(c - cost(a, b)) < 1e-6 for a, b, c in stretches)
    worst = max(c for _, _, c in stretches)
    assert worst <= cost(0, len(files)) + 1e-6  # never worse than the folder whole
    best = min(
        max(cost(a, b) for a, b in zip((0, *bounds), (*bounds, len(files))))
        for n in range(pieces)
        for bounds in combinations(range(1, len(files)), n)
    )
    if not any(hit for _, _, hit in files):  # replaying costs less than linting: the greedy cut is the best
        assert worst <= best + 1e-6 * max(1.0, best)


def test_a_pool_starts_only_for_work_worth_a_workers_start(tree: Path) -> None:
    settings = Settings(root=tree)
    request = LintRequest(paths=["."], settings=settings, jobs=2)
    assert api.lint(request).result.files_checked == 48
    from migralint.folder_lint import FolderJob, probe
    from migralint.migrations.discover import discover, folders_of, with_history

    files = discover(["."])
    folders = folders_of(files)
    planned = with_history(files, folders=folders)
    costs = [probe(FolderJob(root, tuple(p for p in planned if p.migration.root == root), tuple(ms), settings,
                             build_rule_set(settings), frozenset(), str(tree)), None).cost
             for root, ms in folders.items()]
    assert len(costs) == 4 and all(cost > 0 for cost in costs)
    assert not workers.pool_worth_it(costs, 2)  # 48 small files: less than a worker's start-up
    assert workers.pool_worth_it([cost * 100 for cost in costs], 2)  # 4,800 of them
    assert not workers.pool_worth_it([sum(costs) * 100], 2)  # one part: nothing to share
    assert not workers.pool_worth_it([cost * 100 for cost in costs], 1)


def test_the_default_is_the_idle_cores() -> None:
    jobs = workers.default_jobs()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert 1 <= jobs <= cores


def test_the_default_says_how_it_was_reached_when_asked() -> None:
    said: list[str] = []
    jobs = workers.default_jobs(said.append)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert len(said) == 1 and said[0].startswith(f"--jobs {jobs} by default: {cores} cores, ")
    assert "busy (" in said[0]


def test_migralint_debug_prints_the_default_jobs_and_an_explicit_count_is_not_explained(tmp_path: Path) -> None:
    folder = tmp_path / "prisma" / "migrations" / "20240101000000_init"
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text('CREATE TABLE "a" ("id" INT);\n', encoding="utf-8")
    target = str(tmp_path / "prisma" / "migrations")
    debug = CliRunner().invoke(main, ["lint", "--no-cache", target], env={"MIGRALINT_DEBUG": "1"})
    lines = [line for line in debug.stderr.splitlines() if line.startswith("migralint: debug: ")]
    assert lines[0].startswith("migralint: debug: --jobs ") and " by default: " in lines[0]
    assert all(" by default: " not in line for line in lines[1:])  # the rest: how the folders were shared
    quiet = CliRunner().invoke(main, ["lint", "--no-cache", target], env={"MIGRALINT_DEBUG": ""})
    assert "debug" not in quiet.stderr
    given_count = CliRunner().invoke(main, ["lint", "--no-cache", "--jobs", "2", target], env={"MIGRALINT_DEBUG": "1"})
    assert " by default: " not in given_count.stderr
    assert debug.exit_code == quiet.exit_code == given_count.exit_code


def test_runnable_others_reads_the_fourth_field_of_proc_loadavg() -> None:
    assert workers.runnable_others("0.41 0.66 0.80 3/129 21782\n") == 2  # the reader is one of the 3
    assert workers.runnable_others("0.00 0.00 0.00 1/80 5") == 0
    assert workers.runnable_others("0.41 0.66 0.80") is None
    assert workers.runnable_others("") is None
    if os.path.exists("/proc/loadavg"):
        with open("/proc/loadavg", encoding="ascii") as loadavg:
            assert workers.runnable_others(loadavg.read()) is not None


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="reads Linux's runnable count")
def test_no_pool_by_default_while_other_processes_keep_every_core_busy() -> None:
    cores = len(os.sched_getaffinity(0))
    spin = [sys.executable, "-c", "import time\nend = time.monotonic() + 20\nwhile time.monotonic() < end: pass"]
    spinners = [subprocess.Popen(spin) for _ in range(cores + 1)]
    try:
        time.sleep(0.5)  # every spinner past its start-up, runnable
        # Spinners never sleep: every reading, an instant each, sees them all runnable.
        assert max(workers.default_jobs() for _ in range(5)) == 1
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_stops_the_pool_cleanly(tmp_path: Path) -> None:
    _tree(tmp_path, folders=6, files=250)
    for path in tmp_path.rglob("migration.sql"):  # enough work for a pool (estimated by size), seconds of it
        path.write_text("-- " + "padding " * 128 + "\n" + path.read_text())
    run = subprocess.Popen(
        [str(Path(sys.executable).parent / "migralint"), "lint", "--no-cache", "--jobs", "2", "."],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=tmp_path,
        preexec_fn=sigint_as_a_terminal_gives_it,
    )
    deadline = time.monotonic() + 60
    while len(_children(run.pid)) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert len(_children(run.pid)) >= 2, "the pool started"
    time.sleep(0.5)
    os.killpg(run.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole group
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "Traceback" not in err
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # no worker left behind
        try:
            os.killpg(run.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("worker processes outlived the run")


def test_linting_leaves_the_callers_garbage_collector_settings_as_they_were(tree: Path) -> None:
    # A folder is linted with the collector's youngest generation run less often (linter/collector.py); a
    # library caller's own thresholds are what it finds afterwards. A rule notes the thresholds
    # it runs under (a local class: it cannot travel to a worker, so the folders run here).
    import gc

    seen: list[tuple[int, int, int]] = []

    class NotesTheCollector(BrokenOnPost):
        name = "notes-the-collector"
        nodes = ("CreateStmt",)

        def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
            seen.append(gc.get_threshold())
            return iter(())

    settings = Settings()
    rules = build_rule_set(settings)
    rules = type(rules)([*rules.rules, NotesTheCollector()], [*(r.name for r in ALL_RULES), NotesTheCollector.name])
    before = gc.get_threshold()
    try:
        gc.set_threshold(500, 7, 3)
        api.lint(LintRequest(paths=[str(tree)], settings=settings, rules=rules))
        assert gc.get_threshold() == (500, 7, 3)
    finally:
        gc.set_threshold(*before)
    assert seen and set(seen) == {(10_000, 7, 3)}


def test_when_no_child_can_be_forked_the_folders_are_linted_here(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not forked.usable():
        pytest.skip("workers are forked on Linux only, from a process with no other thread")
    one = _cli("--jobs", "1", ".")
    monkeypatch.setattr(workers, "WORTH_A_POOL_MS", 0.0)

    monkeypatch.setattr(os, "fork", _no_fork)
    assert _cli("--jobs", "2", ".") == one


def test_files_that_cannot_be_read_are_said_as_one_process_says_them_when_workers_read_them(
    tree: Path, always_a_pool: None
) -> None:
    # Without a cache the workers read their own files (folder_lint._unread): a file that is
    # not UTF-8, or is no regular file, must still be said in its place, and the rest linted.
    (tree / "app0" / "prisma" / "migrations" / "0003_m" / "migration.sql").write_bytes(b"SELECT '\xff';\n")
    bad = tree / "app2" / "prisma" / "migrations" / "0007_m" / "migration.sql"
    bad.unlink()
    os.mkfifo(bad)
    one = CliRunner().invoke(main, ["lint", "--format", "json", "--no-cache", "--jobs", "1", "."])
    assert one.exit_code == 2, one.stderr
    assert "0003_m/migration.sql: not UTF-8 text (byte 8)" in one.stderr
    assert "0007_m/migration.sql: cannot read: not a regular file (a named pipe)" in one.stderr
    pooled = CliRunner().invoke(main, ["lint", "--format", "json", "--no-cache", "--jobs", "2", "."])
    assert (pooled.exit_code, pooled.stdout, pooled.stderr) == (one.exit_code, one.stdout, one.stderr)
    # The same files as history of a stretch a worker replays: linting the last file of each folder.
    last = [str(tree / f"app{f}" / "prisma" / "migrations" / "0011_m" / "migration.sql") for f in range(4)]
    one = CliRunner().invoke(main, ["lint", "--format", "json", "--no-cache", "--jobs", "1", *last])
    pooled = CliRunner().invoke(main, ["lint", "--format", "json", "--no-cache", "--jobs", "2", *last])
    assert (pooled.exit_code, pooled.stdout, pooled.stderr) == (one.exit_code, one.stdout, one.stderr)
    assert json.loads(one.stdout)["findings"]


def test_the_history_of_a_folder_a_child_lints_whole_is_checked_there_with_the_output_of_one_process(
    tree: Path, always_a_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [r.name for r in ALL_RULES]
    rules = build_rule_set(Settings(select=("migration-name", "require-concurrent-index-creation")))
    broken = type(rules)([*rules.rules, BrokenOnApp1()], [*names, BrokenOnApp1.name])
    checked: list[int] = []  # folders the parent found checked already, in its one call
    check = api.check_history

    def recorded(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() == parent:
            checked.append(len(kwargs.get("done") or {}))
        return check(*args, **kwargs)

    parent = os.getpid()
    monkeypatch.setattr(api, "check_history", recorded)
    pooled = api.lint(LintRequest(paths=["."], settings=Settings(root=tree), rules=broken, jobs=2)).result
    forked_children = checked == [4]
    checked.clear()
    alone = api.lint(LintRequest(paths=["."], settings=Settings(root=tree), rules=broken, jobs=1)).result
    assert checked == [0]
    assert pooled.findings == alone.findings
    assert [(e.path, e.error) for e in pooled.internal_errors] == [(e.path, e.error) for e in alone.internal_errors]
    assert [e.path for e in alone.internal_errors] == ["app1/prisma/migrations"]
    assert [f.message for f in alone.findings if f.rule == "broken-on-app1"] == [
        f"app{k}/prisma/migrations checked" for k in (0, 2, 3)]
    assert sum(f.rule == "migration-name" for f in alone.findings) == 48
    # Forked children check the history of the folders they lint whole; spawned workers do not.
    assert forked_children == (forked.run.__name__ == "counted")


def test_a_cold_run_with_a_pool_leaves_every_files_result_in_the_cache(
    tree: Path, always_a_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settled files (as a real project's are) get stamps: the parent, which learned them too,
    must not write its own pack of stamps alone over the one the worker wrote with the results,
    or the next run would lint everything again."""
    monkeypatch.setattr(migralint.cache, "RACY_NS", -10**18)
    args = ["lint", "--format", "json", "--jobs", "2", "--cache-dir", "c", "."]
    first = CliRunner().invoke(main, args)
    store = Store(tree / "c")
    packs = [store.load_pack(path) for path in (tree / "c").rglob("*.pack")]
    assert len(packs) == 4
    # 12 results each, and the stamps (a spawned worker does not see this test's RACY_NS: none there).
    assert [len(pack) - bool(pack_stamps(pack)) for pack in packs] == [12] * 4
    assert any(len(pack_stamps(pack)) == 12 for pack in packs) == (forked.run.__name__ == "counted")
    linted: list[str] = []
    monkeypatch.setattr(folder_lint, "_lint_one", lambda job, item, *rest: linted.append(item.migration.name))
    again = CliRunner().invoke(main, args)
    assert linted == [] and (again.exit_code, again.stdout) == (first.exit_code, first.stdout)


def test_a_cold_run_reads_the_files_in_the_children_not_before_the_fork(
    tree: Path, always_a_pool: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cache that knows none of the folders, the parent has nothing to look up: it reads
    no migration (the children read, key and lint their folders), and the cache ends up as one
    process leaves it."""
    monkeypatch.setattr(migralint.cache, "RACY_NS", -10**18)
    one = CliRunner().invoke(main, ["lint", "--format", "json", "--jobs", "1", "--cache-dir", "one", "."])
    parent, read_here = os.getpid(), []
    read_raw = folder_lint._read_raw

    def recorded(path: Any) -> Any:
        if os.getpid() == parent:
            read_here.append(path)
        return read_raw(path)

    monkeypatch.setattr(folder_lint, "_read_raw", recorded)
    pooled = CliRunner().invoke(main, ["lint", "--format", "json", "--jobs", "2", "--cache-dir", "two", "."])
    assert (pooled.exit_code, pooled.stdout, pooled.stderr) == (one.exit_code, one.stdout, one.stderr)
    if forked.run.__name__ == "counted":
        assert read_here == []

    def results(cache: str) -> list[tuple[Any, ...]]:
        """Each pack's results in order, and its stamps (a spawned worker has no stamps here)."""
        store = Store(tree / cache)
        packs = [store.load_pack(path) for path in (tree / cache).rglob("*.pack")]
        return sorted((sorted(pack_stamps(pack)), [v for k, v in pack.items() if k != STAMPS_KEY]) for pack in packs)

    if forked.run.__name__ == "counted":
        assert results("two") == results("one") and len(results("one")) == 4


def test_a_task_runnable_at_one_look_only_takes_no_worker() -> None:
    readings = iter(["0.90 0.50 0.40 2/130 7", "0.90 0.50 0.40 1/130 7", "0.90 0.50 0.40 3/130 7"])
    asked: list[str] = []

    def read() -> str:
        asked.append("read")
        return next(readings)

    assert workers.least_runnable(read, 3, 0.0) == 0
    assert len(asked) == 2  # a look that finds none is the last


def test_a_task_runnable_at_every_look_keeps_its_core() -> None:
    readings = iter(["0.90 0.50 0.40 3/130 7", "0.90 0.50 0.40 2/130 7", "0.90 0.50 0.40 4/130 7"])
    assert workers.least_runnable(lambda: next(readings), 3, 0.0) == 1
    assert workers.least_runnable(lambda: "unreadable", 3, 0.0) is None


def test_outcomes_travel_from_a_forked_child_as_plain_tuples_and_come_back_as_they_were() -> None:
    import pickle

    from migralint.findings import Finding, InternalError, Severity
    from migralint.folder_lint import FileOutcome, packed, unpacked
    from migralint.linter.rule_set import FileReport

    finding = Finding("a.sql", 1, 1, 1, 5, "r", Severity.ERROR, "m", "h")
    error = InternalError("a.sql", "boom", "trace")
    outcomes = [
        FileOutcome("a.sql", FileReport("a.sql", (finding,), (), False, (error,)), "SELECT 1;", False),
        FileOutcome("b.sql", FileReport("b.sql", ()), None, True, source="/x/b.sql"),
        FileOutcome("c.sql", input_error="c.sql: cannot read"),
        FileOutcome("d.sql", errors=(error,), blank=False),
        FileOutcome("e.sql", failed=error),
    ]
    sent = pickle.dumps(packed(outcomes))
    assert b"FileOutcome" not in sent and b"FileReport" not in sent  # no named tuple's Python-level __new__
    back = unpacked(pickle.loads(sent))
    assert back == outcomes
    assert all(type(o) is FileOutcome for o in back)
    assert [type(o.report) for o in back] == [FileReport, FileReport, type(None), type(None), type(None)]


def test_migralint_debug_says_how_the_folders_were_shared_or_why_not(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run that went as one process on an idle machine can be told from a pool declined, and why.
    monkeypatch.setenv("MIGRALINT_DEBUG", "1")

    def said(*args: str) -> list[str]:
        result = CliRunner().invoke(main, ["lint", "--format", "json", *args, "."])
        assert result.exit_code in (0, 1), result.output
        return [line for line in result.stderr.splitlines() if line.startswith("migralint: debug: ")]

    assert said("--no-cache", "--jobs", "1") == []  # one process asked for: nothing was declined
    small = said("--no-cache", "--jobs", "2")
    assert len(small) == 1 and small[0].startswith("migralint: debug: one process: the work left is estimated at ")
    assert small[0].endswith(" ms, under the 1000 ms that pays for a pool")
    said("--cache-dir", "cache", "--jobs", "2")
    assert said("--cache-dir", "cache", "--jobs", "2") == ["migralint: debug: one process: the cache left nothing to lint"]
    monkeypatch.setattr(workers, "WORTH_A_POOL_MS", 0.0)
    pooled = said("--no-cache", "--jobs", "2")
    kind = "forked" if forked.usable() else "spawned"
    assert len(pooled) == 1 and pooled[0].startswith(f"migralint: debug: 2 {kind} workers took 4 parts, an estimated ")
    if forked.usable():
        monkeypatch.setattr(os, "fork", _no_fork)
        assert said("--no-cache", "--jobs", "2") == [
            "migralint: debug: one process: no worker could be forked ([Errno 11] Resource temporarily unavailable)"]
