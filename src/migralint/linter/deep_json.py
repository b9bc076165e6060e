"""Decode libpg_query's JSON parse tree, however deep it is.

`json.loads` recurses once per nesting level and stops at Python's recursion limit: an
expression of 500 `||` operands or 330 nested ARRAY[...] (which PostgreSQL accepts) nests
deeper than that. orjson (when installed) and then the C decoder stay the fast paths; this
iterative decoder, slower but bounded only by memory, takes over when they give up.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable
from typing import Any

_fast_loads: Callable[[str], Any] | None
try:
    # orjson (a dependency where PyPI has its wheels) decodes libpg_query's trees in half the C json module's time (the
    # Prisma corpus's 2,576 trees, 6.7 MB of JSON: 39 ms against 77 ms of CPU, 2026-12-07);
    # the JSON it reads is the same, and what it refuses (nesting past 1,024 levels, a lone
    # surrogate) goes to the paths below, as before. (It reads an integer past 64 bits as a
    # float; libpg_query writes none: its integers are C ints, larger constants strings.)
    from orjson import JSONDecodeError as _FastError, loads as _fast_loads
except ImportError:  # pragma: no cover - a platform without orjson's wheels
    _fast_loads = None


# Compiled when the iterative decoder first runs: most runs never need it, and compiled as the
# module loaded it cost every run 1.5 million instructions (callgrind, 2026-12-07).
_TOKEN = (
    r'\s*(?:(?P<open>[\[{])|(?P<close>[\]}])|(?P<sep>[,:])|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<scalar>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null))"
)


def loads(text: str) -> Any:
    """The decoded document. The cyclic garbage collector is paused meanwhile: a tree of
    millions of dicts would otherwise be traversed again and again as it grows."""
    # gc itself rather than collector.paused(): this runs for every file, and the context
    # manager cost 2.1 us a call against 0.06 us (timeit, 2026-12-07).
    enabled = gc.isenabled()
    gc.disable()
    try:
        if _fast_loads is not None:
            try:
                return _fast_loads(text)
            except _FastError:
                pass
        return _decoder.decode(text)
    except RecursionError:
        return _loads_iteratively(text)
    finally:
        if enabled:
            gc.enable()


# json.loads(text) without its checks of the argument's type, on the module's default decoder.
_decoder = json.JSONDecoder()


def _loads_iteratively(text: str) -> Any:
    stack: list[tuple[Any, str | None]] = []  # (open container, pending key of a dict)
    key_expected = False
    result: Any = None
    done = False
    pos = 0
    pattern = re.compile(_TOKEN, re.S)
    while pos < len(text):
        match = pattern.match(text, pos)
        if match is None:
            if text[pos:].strip():
                raise ValueError(f"unexpected JSON at offset {pos}")
            break
        pos = match.end()
        kind = match.lastgroup or ""
        if kind == "sep":
            key_expected = match.group(kind) == "," and bool(stack) and isinstance(stack[-1][0], dict)
            continue
        if kind == "open":
            container: Any = {} if match.group(kind) == "{" else []
            stack.append((container, None))
            key_expected = isinstance(container, dict)
            continue
        if kind == "close":
            value, _ = stack.pop()
        else:
            token = match.group(kind)
            value = json.loads(token)
            if key_expected and isinstance(stack[-1][0], dict):
                stack[-1] = (stack[-1][0], value)
                key_expected = False
                continue
        if not stack:
            result, done = value, True
            continue
        parent, pending = stack[-1]
        if isinstance(parent, dict):
            parent[pending] = value
            stack[-1] = (parent, None)
        else:
            parent.append(value)
        key_expected = False
    if not done or stack:
        raise ValueError("truncated JSON")
    return result
