"""Frozen value classes that cost next to nothing to declare: the statement model's, findings, settings.

`@dataclass(frozen=True, slots=True)` writes each class's methods as source and compiles it
(`exec`) on every start, and rebuilds the class for its slots: about 1 ms a class, 30 ms for the
model, before a lint reads its first file (measured with `python -X importtime` on 2026-12-06).
Here each class writes its `__slots__` and `__init__` in its own source (compiled once, into the
.pyc) and takes `==`, `hash`, `repr`, immutability and pickling from `Value`;
`dataclass(init=False, repr=False, eq=False)` only records the fields (no `exec`), so
`dataclasses.fields`, `dataclasses.replace` and `is_dataclass` work on them as before.

A module declares its classes with `@frozen_value(frozen=True)`: under type checking that name
is `dataclasses.dataclass`, so mypy checks the classes as the frozen dataclasses they behave as; at
run time it is `frozen_value` below. It imports no other part of migralint: findings.py, at the
bottom of the layers, uses it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from dataclasses import Field


# How __init__ sets a field of a frozen instance (as dataclass's own generated __init__ does).
set_field = object.__setattr__


class Value:
    """What every frozen value class shares. A subclass lists its fields' names in `__slots__` and sets
    them in `__init__` through `set_field`; `_uncompared` names the fields `==` and `hash` leave
    out (the parser's nodes: dicts, and no part of what the statement means)."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    _uncompared: ClassVar[tuple[str, ...]] = ()
    # Set by frozen_value: the compared fields' values as a tuple (C code, as fast as a
    # dataclass's generated __eq__), and every field's name.
    _key: ClassVar[attrgetter[tuple[Any, ...]]]
    _names: ClassVar[tuple[str, ...]]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key(self) == self._key(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    # The state a pickle (the result cache) keeps: the fields' values in order, as a frozen,
    # slotted dataclass gives it, so entries written before these classes changed still load.
    def __getstate__(self) -> list[Any]:
        return [getattr(self, name) for name in self._names]

    def __setstate__(self, state: list[Any]) -> None:
        for name, value in zip(self._names, state):
            set_field(self, name, value)


def slot_setters(cls: type[Value], names: str) -> tuple[Callable[[Any, Any], None], ...]:
    """Each slot's own setter, for the `__init__` of a class built by the thousand (a statement,
    a column, the commonest events): set_field looks the name up on the class first, and the
    setters made them a third cheaper to build (issue 13). `names` are the slots, in order,
    written out beside the names the setters are unpacked into: a field added, removed or moved
    in `__slots__` fails here, at import, rather than setting one field's value in another."""
    slots: tuple[str, ...] = cls.__slots__
    if tuple(names.split()) != slots:
        raise TypeError(f"{cls.__name__}: slot_setters names {names.split()}, the slots are {list(slots)}")
    return tuple(cls.__dict__[name].__set__ for name in slots)


_V = TypeVar("_V", bound=Value)


def frozen_value(*, frozen: bool) -> Callable[[type[_V]], type[_V]]:
    """Records a Value subclass's fields for `dataclasses` and its comparison key."""

    def declare(cls: type[_V]) -> type[_V]:
        assert frozen, "a Value is frozen"
        if not cls.__doc__:  # else dataclass writes one from inspect.signature: a third of its time here
            cls.__doc__ = f"{cls.__name__}({', '.join(cls.__slots__)})"
        dataclass(init=False, repr=False, eq=False)(cls)
        names: tuple[str, ...] = tuple(item.name for item in fields(cls))
        assert list(names) == list(cls.__slots__), f"{cls.__name__}: __slots__ lists the fields in order"
        compared = [name for name in names if name not in cls._uncompared]
        # attrgetter of one name gives the value, not a tuple: name it twice.
        cls._key = attrgetter(*compared) if len(compared) > 1 else attrgetter(*compared, *compared)
        cls._names = names
        return cls

    return declare
