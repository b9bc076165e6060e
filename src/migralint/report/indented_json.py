"""`json.dumps(document, indent=2, ensure_ascii=False)`, byte for byte, through json's C encoder.

With `indent`, the standard library falls back to its pure-Python encoder (the C one,
`c_make_encoder`, is used only when `indent is None`: see `JSONEncoder.iterencode` in
Lib/json/encoder.py), which yields every token through nested generators: over the whole
corpus that was 5-8% of a JSON run. The C encoder writes a flat object or list (scalars
only) exactly as `indent` would when its item separator carries the newline and the
indentation of its depth; a list of flat objects (the findings) too, after one replace of the
seam between two objects, since no raw newline can occur inside an encoded string. So
containers are walked here, and each flat one, or list of flat objects, is one C call.
"""

from __future__ import annotations

import json
from itertools import chain, repeat
from typing import Any

_INDENT = "  "
_CONTAINERS = (dict, list, tuple)


def indented_json(document: Any) -> str:
    """The same text as `json.dumps(document, indent=2, ensure_ascii=False)`."""
    return _encode(document, 0, {})


def _encode(value: Any, depth: int, encoders: dict[int, json.JSONEncoder]) -> str:
    if not isinstance(value, _CONTAINERS):
        return _encoder(depth, encoders).encode(value)
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    items = value.values() if isinstance(value, dict) else value
    inner = "\n" + _INDENT * (depth + 1)
    if not isinstance(value, dict) and _flat_objects(value):
        return _flat_objects_text(value, depth, encoders)
    if not any(isinstance(item, _CONTAINERS) for item in items):
        # Flat: "{" + inner + item + "," + inner + item ... + outer + "}"; the C encoder writes
        # the part between the brackets when its item separator is "," + inner.
        text = _encoder(depth + 1, encoders).encode(value)
        return text[0] + inner + text[1:-1] + "\n" + _INDENT * depth + text[-1]
    if isinstance(value, dict):
        scalar = _encoder(depth + 1, encoders)
        parts = [f"{scalar.encode(_key(key))}: {_encode(item, depth + 1, encoders)}" for key, item in value.items()]
        opening, closing = "{", "}"
    else:
        parts = [_encode(item, depth + 1, encoders) for item in value]
        opening, closing = "[", "]"
    return opening + inner + ("," + inner).join(parts) + "\n" + _INDENT * depth + closing


def _flat_objects(items: list[Any] | tuple[Any, ...]) -> bool:
    """Non-empty objects of scalars only (an empty one is written `{}`, with no seam to replace)."""
    # map() keeps these loops in C: a Python-level generator here cost as much as it saves.
    if not (all(map(isinstance, items, repeat(dict))) and all(items)):
        return False
    fields = chain.from_iterable(map(dict.values, items))
    return not any(map(isinstance, fields, repeat(_CONTAINERS)))


def _flat_objects_text(items: list[Any] | tuple[Any, ...], depth: int, encoders: dict[int, json.JSONEncoder]) -> str:
    # One C call with the fields' separator everywhere: "[{a,<2>b},<2>{c}]" where <n> is a
    # newline and n levels of indentation; the objects' seam "},<2>{" and the ends are then
    # re-indented one level up. Keys and scalars never contain "},\n": strings escape newlines.
    outer, inner, field = ("\n" + _INDENT * level for level in (depth, depth + 1, depth + 2))
    text = _encoder(depth + 2, encoders).encode(items)
    text = text[2:-2].replace("}," + field + "{", inner + "}," + inner + "{" + field)
    return "[" + inner + "{" + field + text + inner + "}" + outer + "]"


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
