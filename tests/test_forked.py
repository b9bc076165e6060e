"""Forked children without a pool (src/migralint/forked.py): every part's result, in order, even
when a child dies."""

from __future__ import annotations

import os

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
    assert parent not in workers and len(workers) == 3


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
