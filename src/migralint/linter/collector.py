"""How migralint runs Python's cyclic garbage collector while it lints: in one place.

Parse trees are many small dicts and lists that hold no cycles: reference counting frees them
as the lint moves on. The cyclic collector only walks them for nothing, more often the more
objects are alive, so a lint asks it to run less often (`relaxed`, for a folder) or not at all
(`paused`, while a large file is linted, a parse tree decoded, or a forked worker's results
pickled and decoded: forked.py). Each gives the caller's
settings back as they were.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Objects allocated between two passes of the collector's youngest generation while a folder is
# linted (Python's default is 700). At 700 the collector ran some 240 times over the Prisma
# corpus, 7% of the CPU time, and freed next to nothing. Peak memory over the corpus was the
# same (47 MiB) at 10,000, measured 2026-12-06.
RELAXED_YOUNG_THRESHOLD = 10_000


@contextmanager
def relaxed() -> Iterator[None]:
    """The youngest generation collected every RELAXED_YOUNG_THRESHOLD allocations, not 700."""
    young, *older = gc.get_threshold()
    if young == 0 or young >= RELAXED_YOUNG_THRESHOLD:  # disabled, or a caller chose larger already
        yield
        return
    gc.set_threshold(RELAXED_YOUNG_THRESHOLD, *older)
    try:
        yield
    finally:
        gc.set_threshold(young, *older)


@contextmanager
def paused(pause: bool = True) -> Iterator[None]:
    """No collection meanwhile, when `pause`.

    Its full passes walk everything alive (the catalog, the statements, a tree being decoded),
    and their number grows with the input: 12 full passes for 5 MB of DDL against 3 for 1.3 MB,
    45% of the time, and the time grew faster than the file; a JSON tree of millions of dicts
    was traversed again and again as it grew.
    """
    enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause and enabled:
            gc.enable()
