"""Durations on the command line (`5s`, `500ms`, `2min`, `0`), as PostgreSQL writes its timeouts."""

from __future__ import annotations

import re

from migralint.errors import UserError

_DURATION = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|min|h|d)?\s*$", re.I)
_MILLISECONDS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


def parse_duration(option: str, text: str) -> int:
    """Milliseconds for `text`; 0 means no limit, as it does for PostgreSQL's timeouts.

    A number without a unit is refused (except 0): PostgreSQL reads `5` as milliseconds, and
    most people mean seconds.
    """
    match = _DURATION.match(text)
    if match is None:
        raise UserError(f"{option} {text!r} is not a duration: write it as 5s, 500ms, 2min or 1h (0 for no limit)")
    number = float(match["number"])
    unit = (match["unit"] or "").lower()
    if not unit:
        if number != 0:
            raise UserError(f"{option} {text!r} needs a unit: {match['number']}s or {match['number']}ms?")
        return 0
    return int(round(number * _MILLISECONDS[unit]))


def format_duration(milliseconds: int) -> str:
    """The shortest exact way to write it: 5s, 1500ms, 2min; 0 is `no limit`."""
    if milliseconds == 0:
        return "no limit"
    for unit in ("d", "h", "min", "s"):
        if milliseconds % _MILLISECONDS[unit] == 0:
            return f"{milliseconds // _MILLISECONDS[unit]}{unit}"
    return f"{milliseconds}ms"


def setting_value(milliseconds: int) -> str:
    """The value for `SET lock_timeout = ...`: PostgreSQL's own units."""
    return f"{milliseconds}ms" if milliseconds else "0"
