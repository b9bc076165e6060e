"""Parts of a lint run in forked children, without multiprocessing's pool (Linux).

A spawned worker is a fresh interpreter that imports migralint and pglast before its first
file: 0.3-1 s on a 2-core machine. A forked child starts with all of that in memory (26 ms
for two, docs/cache.md). multiprocessing's fork pool was tried first and withdrawn: once in
six loaded test-suite runs the parent hung after Ctrl-C, and that pool runs threads of its own
in the parent (its task, result and worker handlers), so a child can be forked while one of
them holds a lock. Here the parent has no thread of ours: it forks every child before any
work starts, and the children take the parts, largest first, one at a time from a pipe the
parent filled before forking: a child that is done with a part takes the next. The parts'
costs are only estimates (a fit of ms per file and per KiB): over the corpus, shares fixed up
front by them would have left the two children's CPU times a median 106 ms apart, the queue
52 ms (4 runs, 2026-12-07, docs/cache.md). Each part's result comes
back pickled through the child's pipe as soon as it is done. A part whose result does not come
back (its child failed, or sent what cannot be read) is run again in the parent, so the outcome
is always the one process's.
"""

from __future__ import annotations

import gc
import os
import pickle
import selectors
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from migralint.linter import collector

T = TypeVar("T")


ENABLED = True  # off: every platform spawns (the tests run both ways)


def usable() -> bool:
    """Whether this process may fork its workers: Linux (macOS's system libraries are not safe
    across fork, and Windows has none), and no thread but this one, which is the main thread
    (a library caller's threads may hold locks a child would inherit held)."""
    return (
        ENABLED
        and sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


def share(costs: Sequence[float], children: int) -> list[list[int]]:
    """Part indexes for each child: each part, largest first, to the child with the least work
    so far (longest-processing-time first)."""
    shares: list[list[int]] = [[] for _ in range(children)]
    loads = [0.0] * children
    for index in sorted(range(len(costs)), key=lambda i: -costs[i]):
        least = loads.index(min(loads))
        shares[least].append(index)
        loads[least] += costs[index]
    return [s for s in shares if s]


class CannotFork(Exception):
    """No pipe or no fork to be had (the process limit, memory): the children already started
    were stopped, and the caller does the work itself."""


class _Child:
    def __init__(self, pid: int, read_end: int) -> None:
        self.pid, self.read_end = pid, read_end
        self.status: int | None = None  # set once reaped: its pid may then be another process's


def run(work: Callable[[int], T], costs: Sequence[float], children: int) -> list[T]:
    """`work(i)` for every part i, in forked children; the results in part order."""
    running: list[_Child] = []
    shares = share(costs, children)
    tasks = _queue(sorted(range(len(costs)), key=lambda i: -costs[i])) if len(shares) > 1 else None
    # Ctrl-C goes to the whole foreground process group: the children ignore it from their
    # first instruction (inherited), and the parent, which gets it too, stops them.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # the parent's objects stay out of the children's collections: no copy on write for them
    try:
        try:
            for parts in shares:  # one child a share; with the queue, the shares only count them
                try:
                    read_end, write_end = os.pipe()
                except OSError as exc:
                    raise CannotFork(str(exc)) from exc
                try:
                    pid = os.fork()
                except BaseException as exc:
                    os.close(read_end)
                    os.close(write_end)
                    if isinstance(exc, OSError):
                        raise CannotFork(str(exc)) from exc  # EAGAIN, ENOMEM: the process limit, memory
                    raise
                if pid == 0:  # pragma: no cover - the child; its work is checked by what it sends back
                    os.close(read_end)
                    _child(work, parts if tasks is None else _taken(tasks), write_end)
                os.close(write_end)  # else a later child holds it open, and this pipe never ends
                running.append(_Child(pid, read_end))
        finally:
            if tasks is not None:
                os.close(tasks)
            gc.unfreeze()
            signal.signal(signal.SIGINT, previous)
        # Decoding the children's results makes some 100,000 objects, in trees (no cycle: freed
        # by their counts once unused): the collector's passes over them, while they were
        # decoded and after, took 13-16 ms of the parent's time over the corpus (gc.callbacks, 4
        # runs on a loaded 2-core machine, 2026-12-07), the last child's on the critical path.
        # It is paused while they are decoded, and they go to the oldest generation unscanned
        # (freeze then unfreeze: what a full collection would find there, it still finds).
        with collector.paused():
            try:
                received = _read_all([child.read_end for child in running])
            finally:
                gc.freeze()
                gc.unfreeze()
        for child in running:
            child.status = os.waitpid(child.pid, 0)[1]
    except BaseException:
        # Ctrl-C, or a fork that failed after others succeeded: none of them outlives the run.
        _stop(running)
        raise
    finally:
        for child in running:
            os.close(child.read_end)
    results: dict[int, T] = {}
    for child in running:
        sent = received[child.read_end] if child.status == 0 else None
        if sent is not None:
            results.update(sent)
    # A child that died, or sent what cannot be read: the parts it had run here.
    return [results[part] if part in results else work(part) for part in range(len(costs))]


def _queue(parts: list[int]) -> int | None:
    """The read end of a pipe holding every part index, in the order the children take them;
    None when the pipe cannot hold them all at once (the children would take a partly written
    one): the shares are then fixed up front."""
    try:
        read_end, write_end = os.pipe()
    except OSError as exc:
        raise CannotFork(str(exc)) from exc
    data = b"".join(part.to_bytes(4, "little") for part in parts)
    try:
        os.set_blocking(write_end, False)  # a pipe smaller than the parts must not block the parent
        written = os.write(write_end, data)
    except BlockingIOError:
        written = 0
    finally:
        os.close(write_end)  # the children see the end of the queue once it is empty
    if written == len(data):
        return read_end
    os.close(read_end)
    return None


def _taken(tasks: int) -> Iterator[int]:  # pragma: no cover - in the child
    """The parts this child takes, one at a time. Each index is 4 bytes, all written before the
    first child started: a read of 4 bytes gets one whole index, and one child only."""
    while len(record := os.read(tasks, 4)) == 4:
        yield int.from_bytes(record, "little")


_LENGTH = 8  # bytes of the length in front of each part's pickled result


def _child(work: Callable[[int], Any], parts: Iterable[int], write_end: int) -> None:  # pragma: no cover
    """Runs in the child: never returns. Each part's result is sent as soon as it is done, so
    that the parent decodes it while the children go on: sent all at once at the end, the last
    child's payload (2.4 MB over the corpus) was pickled, sent and unpickled after every part
    was done, in front of the report (docs/cache.md has the measurements). os._exit skips the
    parent's atexit handlers and buffered output, which are the parent's to flush."""
    code = 1
    try:
        with os.fdopen(write_end, "wb") as pipe:
            for part in parts:
                result = work(part)
                # Pickling allocates enough (the pickler's memo) to run the collector, passes
                # over the objects the part made, which pickling neither frees nor makes
                # cyclic: it is off while a result is pickled. (With every result pickled at the
                # end, from the last part's end to the decoding in the parent: a median 28 ms with
                # it off, 36.5 on, 6 interleaved runs each over the corpus, 2026-12-07.)
                with collector.paused():
                    payload = pickle.dumps((part, result), protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(len(payload).to_bytes(_LENGTH, "little"))
                pipe.write(payload)
                pipe.flush()  # now, not when the buffer fills: the parent decodes it while this child goes on
        code = 0
    finally:
        os._exit(code)


def _read_all(ends: list[int]) -> dict[int, dict[int, Any] | None]:
    """What each child sent, part by part: read side by side (a child blocked on a full pipe
    would otherwise wait for the parent to finish reading another), each part's result
    unpickled as soon as it has come, while the children go on. None for a child that sent what
    cannot be read (its parts are run again)."""
    pending: dict[int, bytearray] = {end: bytearray() for end in ends}
    sent: dict[int, dict[int, Any] | None] = {end: {} for end in ends}
    with selectors.DefaultSelector() as selector:
        for end in ends:
            selector.register(end, selectors.EVENT_READ)
        open_ends = len(ends)
        while open_ends:
            for key, _ in selector.select():
                end = key.fd
                chunk = os.read(end, 1 << 20)
                if not chunk:
                    selector.unregister(end)
                    open_ends -= 1
                    if pending.pop(end):  # a part cut short: the child died while sending it
                        sent[end] = None
                    continue
                buffer = pending[end]
                buffer += chunk
                while len(buffer) >= _LENGTH:
                    size = int.from_bytes(buffer[:_LENGTH], "little")
                    if len(buffer) < _LENGTH + size:
                        break
                    decoded = _decode(buffer[_LENGTH:_LENGTH + size])
                    del buffer[:_LENGTH + size]
                    results = sent[end]
                    if decoded is None or results is None:
                        sent[end] = None
                    else:
                        results[decoded[0]] = decoded[1]
    return sent


def _decode(data: bytes | bytearray) -> tuple[int, Any] | None:
    """One part's (index, result), or None for what cannot be read."""
    try:
        sent = pickle.loads(data)
    except Exception:
        return None
    return sent if isinstance(sent, tuple) and len(sent) == 2 and isinstance(sent[0], int) else None


def _stop(running: list[_Child]) -> None:
    """Ctrl-C or an error in the parent: the children are killed now, not after their parts,
    and reaped, so that none outlives the run."""
    waiting = [child for child in running if child.status is None]
    for child in waiting:
        try:
            os.kill(child.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for child in waiting:
        try:
            os.waitpid(child.pid, 0)
        except ChildProcessError:
            pass
