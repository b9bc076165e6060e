"""What rules keep from statement to statement of one file section, typed.

A rule keeps no state of its own (one instance checks every file, in every worker); what it
gathers as the section is checked lives here, one instance of a class the rule names, made with
no arguments the first time it is asked for. Keyed by the class, so mypy checks what a rule
reads back, and by an owner name where several rules share a class but not its instance
(require-lock-timeout and require-statement-timeout each walk the file on their own).

Those classes are plain classes with `__slots__` and an `__init__` of their own, not
`@dataclass(slots=True)`: a dataclass writes its methods as source, compiles them and rebuilds
the class for its slots when its module loads, 1.8 million instructions a class (callgrind,
2026-12-07) in every run that lints a statement of the rule's kind.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

T = TypeVar("T")


class StateOf(Protocol):
    """SectionState.of, as a context hands it to the rules (Context.state)."""

    def __call__(self, kind: type[T], owner: str = "") -> T: ...


class SectionState:
    __slots__ = ("_kept",)

    def __init__(self) -> None:
        # Keyed by the class alone when it has no owner, as most have: rules ask on almost every
        # statement, and the key's tuple cost more than the lookup.
        self._kept: dict[type | tuple[type, str], object] = {}

    def of(self, kind: type[T], owner: str = "") -> T:
        # A subscript in a try, and no typing.cast (a call at run time): asked some 40,000 times
        # over the Prisma corpus, and made only once per class and section.
        key = (kind, owner) if owner else kind
        try:
            return self._kept[key]  # type: ignore[return-value]
        except KeyError:
            found = self._kept[key] = kind()
            return found
