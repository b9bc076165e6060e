"""Folders linted side by side in worker processes (`lint --jobs N`).

A folder's files share one catalog and run in order, so the unit of work is the folder
(folder_lint.FolderJob). The parent probes every folder first (reads its files, looks them
up in the cache; a folder the cache knows nothing of is read where it is linted): only folders
with work left go to the workers, so a warm run never starts a pool. A pool starts only when the work left is worth a worker's start-up (a fresh
interpreter importing migralint and pglast: WORTH_A_POOL_MS, measured in docs/cache.md).
A folder that alone would keep one worker busy while the others idle is cut into stretches
(folder_parts.py): each worker replays the files before its stretch and lints its own, and
the parent puts the outcomes back in order and writes the folder's cache pack.

On Linux the workers are forked children without a pool (forked.py: a fork pool's own
threads made a Ctrl-C hang once, docs/cache.md); elsewhere a multiprocessing pool spawns them,
as macOS and Windows require. Jobs and outcomes are picklable; a rule that raises in a worker
is contained there, per file, as it is in one process; a job that fails as a whole (a worker
that died) is run again in the parent, so the result is the one process's. The workers ignore SIGINT: Ctrl-C reaches the
parent, which terminates the pool and re-raises (the CLI exits 130).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from migralint.cache import Store
from migralint.folder_lint import (FileOutcome, FolderJob, PackedOutcome, Probe, file_costs, finish, keyed, lint_part,
                                   packed, probe, save_pack, unpacked)
from migralint.folder_parts import Part, plan_parts

# What the caller wants known of a folder linted whole in a forked child, computed there from
# the folder's outcomes (the api's history checks): (job index, outcomes) -> a picklable value.
FolderExtra = Callable[[int, list[FileOutcome]], Any]

# Estimated ms of linting (folder_lint._cost) below which a pool costs more than it saves: a
# spawned worker takes ~0.3 s to start and import migralint and pglast; see docs/cache.md. Forked
# children start in ~26 ms, yet a lower threshold does not pay: at 150 ms, one folder of 145-164
# migrations (rallly, documenso) was cut in two stretches, and the wall time stayed the same or
# grew while the CPU time grew by half, the second stretch replaying the first (5 interleaved
# runs each, 2026-12-07).
WORTH_A_POOL_MS = 1000.0


def default_jobs(explain: Callable[[str], None] | None = None) -> int:
    """The cores this process may use, less the ones other processes keep busy now, at least 1.
    On a saturated machine a pool only adds its workers' start-up (measured in docs/cache.md:
    --jobs 2 took 1.4x the wall time of --jobs 1 at a load of 6 on 2 cores); an explicit
    --jobs N is taken as given. `explain` is told how the count was reached (MIGRALINT_DEBUG):
    a run that went as one process on an idle-looking machine can then be told from a pool
    declined for another reason."""
    try:
        cores = len(os.sched_getaffinity(0))  # a container's or a taskset's share
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 1
    busy, source = _busy_cores()
    jobs = max(1, min(cores, round(cores - busy)))
    if explain is not None:
        explain(f"--jobs {jobs} by default: {cores} cores, {busy:g} busy ({source})")
    return jobs


def _busy_cores() -> tuple[float, str]:
    """How many cores other processes keep busy, and where that was read."""
    # Linux says how many tasks are runnable at this instant (/proc/loadavg's fourth field,
    # "runnable/total", proc(5)); this process is one of them. The 1-minute load average is the
    # fallback only: it lags a minute behind, so it counts the previous lint or test run of the
    # same shell as load and took the pool away from an idle machine (a benchmark's back-to-back
    # runs kept it near 1 on 2 cores, and --jobs defaulted to 1).
    try:
        runnable = least_runnable(_read_loadavg, _LOOKS, _LOOK_APART_S)
        if runnable is not None:
            return runnable, "tasks runnable besides this one, /proc/loadavg"
    except OSError:
        pass
    try:
        return os.getloadavg()[0], "the 1-minute load average"
    except (AttributeError, OSError):  # pragma: no cover - Windows
        return 0.0, "no load known"


# An instant's count also holds tasks runnable for that instant only (a short-lived process, a
# kernel thread): one of five runs of a benchmark on an otherwise idle machine ran as one process
# (its peak memory was a one-process run's, 69 MiB against 48 for two workers), and one process
# takes about 1.8x the wall time of two workers over the corpus (2026-12-07). A count above zero is looked at again, a
# millisecond apart, and the least taken: a process that keeps a core busy is runnable at every
# look (tests/test_workers.py), a passing task at one. An idle machine costs one read.
_LOOKS = 3
_LOOK_APART_S = 0.001


def _read_loadavg() -> str:
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        return loadavg.read()


def least_runnable(read: Callable[[], str], looks: int, apart_s: float) -> int | None:
    """The fewest tasks runnable besides this one over up to `looks` readings of /proc/loadavg's
    text (`read`), `apart_s` seconds apart, stopping at the first that finds none; None if the
    first cannot be read."""
    least: int | None = None
    for look in range(looks):
        if look:
            time.sleep(apart_s)
        runnable = runnable_others(read())
        if runnable is None:
            return least
        least = runnable if least is None else min(least, runnable)
        if least == 0:
            break
    return least


def runnable_others(loadavg: str) -> int | None:
    """Tasks runnable besides the reader, from the text of /proc/loadavg; None if unreadable."""
    fields = loadavg.split()
    if len(fields) < 4 or "/" not in fields[3]:
        return None
    runnable = fields[3].split("/", 1)[0]
    return max(0, int(runnable) - 1) if runnable.isdigit() else None


def run_folders(jobs: Sequence[FolderJob], workers: int, extra: FolderExtra | None = None,
                explain: Callable[[str], None] | None = None) -> tuple[list[list[FileOutcome]], dict[int, Any]]:
    """Each job's outcomes, in the order of `jobs`, as one process would give them; and `extra`
    of the folders a forked child linted whole, by job (the caller works out the others).
    `explain` is told how the work was shared, or why it was not (MIGRALINT_DEBUG)."""
    store = Store(jobs[0].cache_dir) if jobs and jobs[0].cache_dir is not None else None
    probes = [probe(job, store, planned=workers > 1) for job in jobs]
    results: dict[int, list[FileOutcome]] = {}
    extras: dict[int, Any] = {}
    # Planned only when there is work and a second worker to share it with: a warm run (every
    # file a cache hit) and --jobs 1 cost nothing here.
    if workers > 1 and jobs:
        if not any(found.cost > 0 for found in probes):
            _say(explain, "one process: the cache left nothing to lint")
        elif not _picklable(jobs[0]):
            _say(explain, "one process: a rule defined in a script or a test cannot go to a worker")
        else:
            results = _shared(jobs, probes, workers, store, extra, extras, explain)
    for k, job in enumerate(jobs):
        if k not in results:
            results[k] = finish(job, probes[k], store)
    if store is not None:
        store.prune()
    return [results[k] for k in range(len(jobs))], extras


def _say(explain: Callable[[str], None] | None, text: str) -> None:
    if explain is not None:
        explain(text)


def _shared(jobs: Sequence[FolderJob], probes: list[Probe], workers: int, store: Store | None,
            extra: FolderExtra | None = None, extras: dict[int, Any] | None = None,
            explain: Callable[[str], None] | None = None) -> dict[int, list[FileOutcome]]:
    """The outcomes of the folders a pool lints (none when a pool would not pay), by job; a
    forked child also works out `extra` of each folder it lints whole, into `extras`."""
    costs = [file_costs(job, found) if found.cost > 0 else ((), ()) for job, found in zip(jobs, probes)]
    parts = plan_parts(costs, workers, WORTH_A_POOL_MS)
    part_costs = [part.cost for part in parts]
    estimate = sum(part_costs)
    if not pool_worth_it(part_costs, workers):
        _say(explain, f"one process: the work left is estimated at {estimate:.0f} ms, under the "
                      f"{WORTH_A_POOL_MS:.0f} ms that pays for a pool" if estimate < WORTH_A_POOL_MS
             else "one process: the work left is one part")
        return {}
    for k in {part.folder for part in parts if part.start > 0 or part.stop < len(jobs[part.folder].items)}:
        keyed(jobs[k], probes[k])  # a folder in stretches: its one pack is written here, with the stamps
    from migralint import forked  # with signal and selectors: only when a pool pays, like multiprocessing

    children = min(workers, len(parts))
    if forked.usable():
        # The children have the probes already: they neither read the files again nor look
        # them up in the cache again, as a spawned worker must.
        def work(i: int) -> tuple[list[PackedOutcome], dict[str, Any], Any]:
            part = parts[i]
            job = jobs[part.folder]
            outcomes, new = lint_part(job, part.start, part.stop, probes[part.folder])
            if extra is not None and part.start == 0 and part.stop == len(job.items):
                # Serial work the parent would do after the join (the parent's serial work was
                # about a third of a 2-core run's wall time), done while the other child lints.
                return packed(outcomes), new, extra(part.folder, outcomes)
            return packed(outcomes), new, None

        try:
            sent = forked.run(work, part_costs, children)
        except forked.CannotFork as exc:
            _say(explain, f"one process: no worker could be forked ({exc})")
            return {}  # every folder is finished here, in one process, as with --jobs 1
        _say(explain, f"{children} forked workers took {len(parts)} parts, an estimated {estimate:.0f} ms of work")
        done = {part: (unpacked(outcomes), new) for part, (outcomes, new, _) in zip(parts, sent)}
        if extras is not None:
            extras.update((part.folder, found) for part, (_, _, found) in zip(parts, sent) if found is not None)
    else:
        # Largest first, so that the longest part does not start last (LPT scheduling).
        order = sorted(parts, key=lambda part: -part.cost)
        done = dict(zip(order, _in_pool(jobs, order, children)))
        _say(explain, f"{children} spawned workers took {len(parts)} parts, an estimated {estimate:.0f} ms of work")
    results: dict[int, list[FileOutcome]] = {}
    for k in sorted({part.folder for part in parts}):
        outcomes: list[FileOutcome] = []
        new: dict[str, Any] = {}
        stretches = sorted((p for p in parts if p.folder == k), key=lambda p: p.start)
        for part in stretches:
            outcomes += done[part][0]
            new.update(done[part][1])
        if len(stretches) > 1:
            # A folder linted in parts: its one pack is written here. A whole one wrote its own in
            # the worker, results and stamps; the parent's probe learned the same stamps, and
            # writing them here would put a pack of stamps alone over the worker's results.
            save_pack(jobs[k], probes[k], store, new)
        results[k] = outcomes
    if store is not None:
        store.wrote = True  # the workers wrote: the parent prunes
    return results


def pool_worth_it(costs: Sequence[float], workers: int) -> bool:
    """Whether parts (folders, or stretches of one) whose work left is estimated at `costs` (ms)
    should go to a pool."""
    return workers > 1 and len(costs) > 1 and sum(costs) >= WORTH_A_POOL_MS


def _in_pool(
    jobs: Sequence[FolderJob], parts: list[Part], processes: int
) -> list[tuple[list[FileOutcome], dict[str, Any]]]:
    # Imported here: multiprocessing (with socket, threading...) and signal (its enums) cost
    # about 10 ms of a start, and a small folder, or a warm run, never starts a pool.
    import multiprocessing
    import signal
    import threading

    context = multiprocessing.get_context("spawn")
    # A worker must ignore Ctrl-C from its first instruction, before its initializer runs: an
    # ignored signal stays ignored across exec, and Python then installs no handler of its own.
    # (Signals can be set from the main thread only; a library caller's thread skips this.)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
    try:
        pool = context.Pool(processes, initializer=_ignore_interrupts)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    try:
        tasks = [(jobs[part.folder], part.start, part.stop) for part in parts]
        pending = [pool.apply_async(lint_part, task) for task in tasks]
        outcomes = []
        for task, result in zip(tasks, pending):
            try:
                outcomes.append(result.get())
            except KeyboardInterrupt:
                raise
            except Exception:  # the part failed as a whole (a worker died): the parent runs it
                outcomes.append(lint_part(*task))
        pool.close()
        return outcomes
    except BaseException:
        pool.terminate()  # Ctrl-C: stop the workers now, not after their folders
        raise
    finally:
        pool.join()


def _ignore_interrupts() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _picklable(job: FolderJob) -> bool:
    """Rules defined in a test or a script (a local class) cannot travel to a spawned worker."""
    import pickle

    try:
        pickle.dumps((job.settings, job.rules))
    except Exception:
        return False
    return True
