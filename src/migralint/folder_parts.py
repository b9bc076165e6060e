"""How a folder too large for one worker is cut into stretches that workers lint side by side.

A folder's files run in order: each sees the schema the files before it built. A worker that
lints files [a, b) therefore first replays files [0, a) into its catalog (parse and statement
model, no rules: folder_lint.REPLAY_SHARE of linting them), so a stretch costs the replay of
everything before it plus the linting of its own files. The cuts make those costs about
equal. The replays put a floor under the gain: however many workers, the last stretch replays
almost the whole folder, so a folder never runs more than 1 / REPLAY_SHARE times faster
(about 3x); on 2 workers, one stretch of about 59% and one of 41% finish together.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from math import ceil
from typing import NamedTuple


class Part(NamedTuple):
    folder: int  # the folder's place in the run's jobs
    start: int
    stop: int  # files [start, stop) of the folder
    cost: float  # estimated ms, the replay of the files before `start` included


def plan_parts(folder_costs: Sequence[tuple[Sequence[float], Sequence[float]]], workers: int,
               smallest_ms: float) -> list[Part]:
    """The run's work as parts: each folder with work left whole, except one that would keep a
    worker busy longer than the others together (more than the run's share of a worker) and
    costs at least `smallest_ms` to lint, which is cut into as many stretches as it needs.
    `folder_costs` holds each folder's (lint, replay) ms per file; a folder with nothing to lint
    gives no part."""
    totals = [sum(lint) for lint, _ in folder_costs]
    share = sum(totals) / max(workers, 1)
    parts: list[Part] = []
    for k, ((lint, replay), total) in enumerate(zip(folder_costs, totals)):
        if total <= 0:
            continue
        pieces = min(workers, ceil(total / share)) if share > 0 else 1
        if pieces < 2 or total < smallest_ms:
            parts.append(Part(k, 0, len(lint), total))
            continue
        parts.extend(Part(k, a, b, cost) for a, b, cost in cut(lint, replay, pieces))
    return parts


def cut(lint: Sequence[float], replay: Sequence[float], pieces: int) -> list[tuple[int, int, float]]:
    """Consecutive stretches [a, b) covering every file, at most `pieces` of them, with the
    largest cost (replay of [0, a) plus lint of [a, b)) as small as it can be; each with its cost."""
    n = len(lint)
    linted = [0.0, *accumulate(lint)]
    replayed = [0.0, *accumulate(replay)]

    def cost(a: int, b: int) -> float:
        return replayed[a] + linted[b] - linted[a]

    def stretches(limit: float) -> list[tuple[int, int, float]]:
        found: list[tuple[int, int, float]] = []
        a = 0
        while a < n:
            b = a + 1
            while b < n and cost(a, b + 1) <= limit:
                b += 1
            found.append((a, b, cost(a, b)))
            a = b
        return found

    def fits(found: list[tuple[int, int, float]], limit: float) -> bool:
        return len(found) <= pieces and all(c <= limit for _, _, c in found)

    # The smallest limit the greedy stretches fit in, by bisection to well under a millisecond.
    # Taking each stretch as long as it fits is the best cut when replaying a file costs less
    # than linting it (folder_lint.REPLAY_SHARE); a run of cache hits (nothing to lint, still
    # replayed) can make it a little worse than the best, never worse than one stretch.
    low, high = 0.0, cost(0, n)
    for _ in range(40):
        middle = (low + high) / 2
        if fits(stretches(middle), middle):
            high = middle
        else:
            low = middle
    return stretches(high)
