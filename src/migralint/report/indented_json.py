"""`json.dumps(document, indent=2, ensure_ascii=False)`, byte for byte, through json's C encoder.

With `indent`, the standard library falls back to its pure-Python encoder (the C one,
`c_make_encoder`, is used only when `indent is None`: see `JSONEncoder.iterencode` in
Lib/json/encoder.py), which yields every token through nested generators: over the whole
corpus that was 5-8% of a JSON run. The C encoder writes a flat object or list (scalars
only) exactly as `indent` would when its item separator carries the newline and the
indentation of its depth; a list of flat objects (the findings) too, after one replace of the
seam between two objects, since no raw newline can occur inside an encoded string. So
containers are walked here, and each flat one is one C call; a list of flat objects is one C
call per batch of objects. The text comes out in pieces, so that a report of thousands of
findings is never held in memory as several whole copies (a first version that built one
string took 30 MB more peak memory over the corpus than json.dumps).

A list of objects that all have the same keys can also be given as `Records`, one sequence of
values per key: each value is then encoded by a C call made from C (`map`), and each batch of
objects is one join of their pieces, interleaved from C (see Records for what it cut).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from itertools import chain, repeat
from typing import Any, TextIO

_INDENT = "  "
_BATCH = 256  # objects per C call: about 250 KB of text for findings


class Records:
    """A JSON list of flat objects with the same keys in the same order, given as columns: `keys`,
    and for each key the sequence of its values (scalars only), one per object. Written as the
    list of those objects would be, byte for byte (tests/report/test_indented_json.py).

    The findings of the JSON report, 5,800 over the corpus: a dict per finding and the seam
    replaced in the C encoder's text took 376 M instructions (callgrind) of the parent's report,
    the columns 232 M: each distinct string encoded once, each batch of objects one join."""

    __slots__ = ("keys", "columns")

    def __init__(self, keys: Sequence[str], columns: Sequence[Sequence[Any]]) -> None:
        if len(keys) != len(columns) or len({len(column) for column in columns}) > 1:
            raise ValueError("one column of values per key, all of the same length")
        self.keys, self.columns = tuple(keys), tuple(columns)

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def objects(self) -> list[dict[str, Any]]:
        """The objects as dicts: what the text is the JSON of."""
        return [dict(zip(self.keys, values)) for values in zip(*self.columns)]


_CONTAINERS = (dict, list, tuple)
_NESTED = (*_CONTAINERS, Records)  # what makes a container not flat
_STRING = json.encoder.encode_basestring  # the C function, as json.dumps(ensure_ascii=False) uses
_LINES = json.JSONEncoder(ensure_ascii=False, separators=("\n", ":"))


def indented_json(document: Any) -> str:
    """The same text as `json.dumps(document, indent=2, ensure_ascii=False)`."""
    return "".join(_pieces(document, 0, {}))


def write_indented_json(document: Any, out: TextIO) -> None:
    """indented_json(document) and a newline, written in a few large pieces."""
    for piece in _pieces(document, 0, {}):
        out.write(piece)
    out.write("\n")


def _pieces(value: Any, depth: int, encoders: dict[int, json.JSONEncoder]) -> Iterator[str]:
    if isinstance(value, Records):
        yield from _records_pieces(value, depth, encoders)
        return
    if not isinstance(value, _CONTAINERS):
        yield _encoder(depth, encoders).encode(value)
        return
    if not value:
        yield "{}" if isinstance(value, dict) else "[]"
        return
    outer, inner = "\n" + _INDENT * depth, "\n" + _INDENT * (depth + 1)
    if not isinstance(value, dict) and _flat_objects(value):
        yield from _flat_objects_pieces(value, depth, encoders)
        return
    items = value.values() if isinstance(value, dict) else value
    if not any(isinstance(item, _NESTED) for item in items):
        # Flat: "{" + inner + item + "," + inner + item ... + outer + "}"; the C encoder writes
        # the part between the brackets when its item separator is "," + inner.
        text = _encoder(depth + 1, encoders).encode(value)
        yield text[0] + inner + text[1:-1] + outer + text[-1]
        return
    separator = "{" + inner if isinstance(value, dict) else "[" + inner
    if isinstance(value, dict):
        scalar = _encoder(depth + 1, encoders)
        for key, item in value.items():
            yield f"{separator}{scalar.encode(_key(key))}: "
            yield from _pieces(item, depth + 1, encoders)
            separator = "," + inner
    else:
        for item in value:
            yield separator
            yield from _pieces(item, depth + 1, encoders)
            separator = "," + inner
    yield outer + ("}" if isinstance(value, dict) else "]")


def _flat_objects(items: list[Any] | tuple[Any, ...]) -> bool:
    """Non-empty objects of scalars only (an empty one is written `{}`, with no seam to replace)."""
    # map() keeps these loops in C: a Python-level generator here cost as much as it saves.
    if not (all(map(isinstance, items, repeat(dict))) and all(items)):
        return False
    fields = chain.from_iterable(map(dict.values, items))
    return not any(map(isinstance, fields, repeat(_NESTED)))


def _flat_objects_pieces(
    items: list[Any] | tuple[Any, ...], depth: int, encoders: dict[int, json.JSONEncoder]
) -> Iterator[str]:
    # One C call per batch with the fields' separator everywhere: "[{a,<2>b},<2>{c}]" where <n>
    # is a newline and n levels of indentation; the objects' seam "},<2>{" and the ends are then
    # re-indented one level up. Keys and scalars never contain "},\n": strings escape newlines.
    outer, inner, field = ("\n" + _INDENT * level for level in (depth, depth + 1, depth + 2))
    encoder = _encoder(depth + 2, encoders)
    seam, indented_seam = "}," + field + "{", inner + "}," + inner + "{" + field
    separator = "[" + inner + "{" + field
    for start in range(0, len(items), _BATCH):
        text = encoder.encode(items[start : start + _BATCH])
        yield separator + text[2:-2].replace(seam, indented_seam)
        separator = indented_seam
    yield inner + "}" + outer + "]"


def _records_pieces(records: Records, depth: int, encoders: dict[int, json.JSONEncoder]) -> Iterator[str]:
    if not records.keys or not len(records):  # no key: `{}` objects; none: `[]`
        yield from _pieces(records.objects(), depth, encoders)
        return
    outer, inner, field = ("\n" + _INDENT * level for level in (depth, depth + 1, depth + 2))
    keys = _encoder(depth + 2, encoders)
    # Between the values: what precedes each key's value, and what ends an object.
    texts = [("{" if k == 0 else ",") + field + keys.encode(_key(key)) + ": " for k, key in enumerate(records.keys)]
    close = inner + "}"
    separator = "[" + inner
    for start in range(0, len(records), _BATCH):
        columns = [_encoded(column[start : start + _BATCH]) for column in records.columns]
        # One join of every piece, interleaved in C: no format string parsed again per object.
        pieces = zip(*chain.from_iterable(zip(map(repeat, texts), columns)), repeat(close + "," + inner))
        text = "".join(chain.from_iterable(pieces))
        yield separator + text[: -len(inner) - 1]
        separator = "," + inner
    yield outer + "]"


def _encoded(values: Sequence[Any]) -> Iterator[str]:
    """Each value's JSON text: a C call per value for strings (most of the text) and ints."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        # Each distinct string once: over the corpus's findings 4.3 M characters are 2.7 M
        # distinct (a path, a rule, a help text repeat), and the encoder reads each character.
        unique = dict.fromkeys(values)
        return map(dict(zip(unique, map(_STRING, unique))).__getitem__, values)
    if kinds <= {int}:  # not bool, nor an int enum: json writes them otherwise
        return map(int.__repr__, values)
    if any(map(isinstance, values, repeat(_NESTED))):
        raise TypeError("Records hold scalars only")
    # Any other scalars: one C call, the values newline-separated (a value's JSON never holds a
    # raw newline: strings escape it), split back into one text per value.
    return iter(_LINES.encode(list(values))[1:-1].split("\n"))


def _key(key: Any) -> str:
    """A key as json.dumps writes it: str as is; bool, None, int and float as their JSON text."""
    if isinstance(key, str):
        return key
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, (int, float)):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _encoder(depth: int, encoders: dict[int, json.JSONEncoder]) -> json.JSONEncoder:
    encoder = encoders.get(depth)
    if encoder is None:
        separator = ",\n" + _INDENT * depth
        encoder = encoders[depth] = json.JSONEncoder(ensure_ascii=False, separators=(separator, ": "))
    return encoder
