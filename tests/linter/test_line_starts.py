"""LineIndex finds line starts two ways (one list of the lines for a file up to _SPLIT_LINES
characters, a find() a line above it): both give every newline's next offset."""

from __future__ import annotations

import random

import pytest

from migralint import source
from migralint.source import LineIndex


def _expected(text: str) -> list[int]:
    return [0] + [k + 1 for k, char in enumerate(text) if char == "\n"]


@pytest.mark.parametrize("split_lines", [1_000_000, 0])  # the list of lines, then the find() loop
def test_line_starts_are_after_each_newline(monkeypatch: pytest.MonkeyPatch, split_lines: int) -> None:
    monkeypatch.setattr(source, "_SPLIT_LINES", split_lines)
    rng = random.Random(17)
    random_texts = ("".join(rng.choice("ab\n\r") for _ in range(rng.randint(0, 40))) for _ in range(300))
    texts = ["", "\n", "a", "a\n", "\n\n", "é\n☕\r\nz", *random_texts]
    for text in texts:
        index = LineIndex(text)
        starts = _expected(text)
        assert index.line_count == len(starts)
        for line, start in enumerate(starts, 1):
            assert index.offset(line, 1) == start
            assert index.position(start) == (line, 1)
