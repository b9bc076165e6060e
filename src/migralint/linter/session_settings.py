"""Which run-time settings a statement changes (SET, SET LOCAL, RESET and set_config(), read by
sql/postgres/settings.py for the model too), and whether a timeout's value turns it on."""

from __future__ import annotations

import re
from typing import NamedTuple

from migralint.sql.postgres.settings import setting_events
from migralint.linter.parse import Statement


class SettingChange(NamedTuple):
    local: bool  # SET LOCAL / set_config(..., true): only until the transaction ends
    value: str | None  # None: back to the server's default (RESET, SET ... TO DEFAULT, RESET ALL)


def setting_changes(statement: Statement, name: str) -> list[SettingChange]:
    """The changes `statement` makes to the setting `name` (lower case), in order."""
    if statement.kind not in ("VariableSetStmt", "SelectStmt"):
        return []  # before reading the tree: a large file's trees are parsed again when read
    return [
        SettingChange(event.local, event.value)
        for event in setting_events(statement.kind, statement.node)
        if event.name in (name, "")  # "": RESET ALL
    ]


_LEADING_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)", re.I)


def is_nonzero_duration(value: str | None) -> bool:
    """True for a timeout that is on: "5s", "5000"; false for 0, "0ms", DEFAULT, NULL."""
    if value is None:
        return False
    match = _LEADING_NUMBER.match(value)
    if not match:
        return value != ""  # an expression: assume the author set a real timeout
    return float(match.group(1)) != 0
