"""What rules keep from statement to statement of one file section, typed.

A rule keeps no state of its own (one instance checks every file, in every worker); what it
gathers as the section is checked lives here, one instance of a class the rule names, made with
no arguments the first time it is asked for. Keyed by the class, so mypy checks what a rule
reads back, and by an owner name where several rules share a class but not its instance
(require-lock-timeout and require-statement-timeout each walk the file on their own).
"""

from __future__ import annotations

from typing import TypeVar, cast

T = TypeVar("T")


class SectionState:
    __slots__ = ("_kept",)

    def __init__(self) -> None:
        # Keyed by the class alone when it has no owner, as most have: rules ask on almost every
        # statement, and the key's tuple cost more than the lookup.
        self._kept: dict[type | tuple[type, str], object] = {}

    def of(self, kind: type[T], owner: str = "") -> T:
        key = (kind, owner) if owner else kind
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = kind()
        return cast(T, found)
