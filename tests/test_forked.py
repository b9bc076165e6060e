"""Forked children without a pool (src/migralint/forked.py): every part's result, in order, even
when a child dies."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from migralint import forked

pytestmark = pytest.mark.skipif(not forked.usable(), reason="children are forked on Linux only")


@given(st.lists(st.floats(min_value=0, max_value=1e6), max_size=40), st.integers(min_value=1, max_value=8))
def test_each_part_goes_to_one_child_and_no_child_waits_for_much_more_than_the_largest_part(
    costs: list[float], children: int
) -> None:
    shares = forked.share(costs, children)
    assert sorted(i for share in shares for i in share) == list(range(len(costs)))
    assert len(shares) <= children and all(shares)
    loads = [sum(costs[i] for i in share) for share in shares]
    if loads:
        # Largest first to the least loaded: no child ends up more than one part above another.
        assert max(loads) - min(loads) <= max(costs) + 1e-6 * max(loads)


def test_the_results_come_back_in_part_order_from_other_processes() -> None:
    parent = os.getpid()
    results = forked.run(lambda i: (i * i, os.getpid()), [float(i % 3) for i in range(9)], 3)
    assert [square for square, _ in results] == [i * i for i in range(9)]
    workers = {pid for _, pid in results}
    assert parent not in workers and 1 <= len(workers) <= 3  # a child takes parts while it is free


def test_a_child_busy_with_a_long_part_leaves_the_other_parts_to_the_others() -> None:
    # The estimates say the parts are equal; part 0 takes far longer. Shares fixed up front would
    # leave half of the parts waiting behind it; taken from the queue, they go to the free child.
    results = forked.run(lambda i: (time.sleep(2.0 if i == 0 else 0.0), os.getpid())[1], [1.0] * 8, 2)
    assert len(set(results)) == 2
    assert results.count(results[0]) == 1, results


def test_when_the_queue_cannot_hold_every_part_the_shares_are_fixed_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "_queue", lambda parts: None)  # as when the pipe is too small
    results = forked.run(lambda i: (i + 1, os.getpid()), [1.0] * 6, 2)
    assert [value for value, _ in results] == [i + 1 for i in range(6)]
    by_pid = [pid for _, pid in results]
    assert len(set(by_pid)) == 2 and all(by_pid.count(pid) == 3 for pid in by_pid)  # share()'s split


def test_a_child_that_dies_has_its_parts_run_in_the_parent() -> None:
    parent = os.getpid()

    def work(i: int) -> tuple[int, int]:
        if i == 4 and os.getpid() != parent:
            os._exit(7)  # the child holding part 4 dies before it sends anything
        return i + 100, os.getpid()

    results = forked.run(work, [1.0] * 6, 2)
    assert [value for value, _ in results] == [i + 100 for i in range(6)]
    by_pid = {pid for _, pid in results}
    assert parent in by_pid and len(by_pid) == 2  # the dead child's parts here, the other's there
    assert not _unreaped_child()


def _unreaped_child() -> bool:
    """Whether a child of this process has ended and not been waited for (other children, such as
    multiprocessing's resource tracker after the spawn tests, may still be running)."""
    try:
        return os.waitpid(-1, os.WNOHANG)[0] != 0
    except ChildProcessError:
        return False


def test_when_a_fork_fails_the_children_started_are_stopped_and_reaped(monkeypatch: pytest.MonkeyPatch) -> None:
    # The second fork fails as it does at the process limit (EAGAIN): the first child, which
    # would block for good writing more than a pipe holds with no one reading, is stopped.
    real_fork = os.fork
    forks: list[int] = []

    def fork() -> int:
        if forks:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    with pytest.raises(forked.CannotFork):
        forked.run(lambda i: bytes(1 << 20), [1.0, 1.0, 1.0], 3)
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)  # reaped already


def test_the_queue_holds_every_part_or_none() -> None:
    tasks = forked._queue([2, 0, 1])
    assert tasks is not None
    try:
        assert list(forked._taken(tasks)) == [2, 0, 1]
    finally:
        os.close(tasks)
    assert forked._queue(list(range(100_000))) is None  # 400 KB: more than a pipe holds (64 KiB on Linux)


@pytest.mark.parametrize("collecting", [True, False])
def test_the_collector_is_paused_while_the_results_are_decoded_and_left_as_it_was(
    monkeypatch: pytest.MonkeyPatch, collecting: bool
) -> None:
    import gc

    seen: list[bool] = []
    decode = forked._decode

    def watched(data: bytes) -> tuple[int, object] | None:
        seen.append(gc.isenabled())
        return decode(data)

    monkeypatch.setattr(forked, "_decode", watched)
    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        assert forked.run(lambda i: [i] * 3, [1.0, 1.0, 1.0], 2) == [[0] * 3, [1] * 3, [2] * 3]
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert seen and not any(seen)


class _SaysIfCollecting:
    """Pickled as whether the collector ran at that moment (in the child that pickles it)."""

    def __reduce__(self) -> tuple[type[bool], tuple[bool]]:
        import gc

        return (bool, (gc.isenabled(),))


def test_a_child_pickles_its_results_with_the_collector_off_but_lints_with_it_as_it_was() -> None:
    import gc

    was = gc.isenabled()
    gc.enable()
    try:
        results = forked.run(lambda i: (gc.isenabled(), _SaysIfCollecting()), [1.0, 1.0], 2)
    finally:
        (gc.enable if was else gc.disable)()
    assert results == [(True, False), (True, False)]


def test_each_part_comes_back_as_soon_as_it_is_done(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    # Part 1 waits, in the child, for the parent to have decoded part 0: with the results sent only
    # when the child is done, it would wait out its 20 s and say so.
    from pathlib import Path

    decoded = Path(str(tmp_path)) / "part 0 decoded"
    decode = forked._decode

    def watched(data: bytes) -> tuple[int, object] | None:
        found = decode(data)
        if found is not None and found[0] == 0:
            decoded.touch()
        return found

    def work(i: int) -> bool:
        deadline = time.monotonic() + 20
        while i == 1 and not decoded.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return decoded.exists()

    monkeypatch.setattr(forked, "_decode", watched)
    assert forked.run(work, [2.0, 1.0], 1) == [False, True]


def test_a_child_that_dies_after_sending_some_parts_has_all_of_them_run_in_the_parent() -> None:
    # One child takes the parts in order; part 0's result is sent before part 1 kills it. The
    # outcome must still be one process's: every part of that child is run again here.
    parent = os.getpid()

    def work(i: int) -> tuple[int, int]:
        if i == 1 and os.getpid() != parent:
            os._exit(9)
        return i * 10, os.getpid()

    results = forked.run(work, [2.0, 1.0, 0.5], 1)
    assert [value for value, _ in results] == [0, 10, 20]
    assert {pid for _, pid in results} == {parent}
    assert not _unreaped_child()
