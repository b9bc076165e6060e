"""What changed between two versions of a migration file, in a few words, line endings aside."""

from __future__ import annotations

import difflib
import re

from migralint.migrations.layouts import MigrationFile

_RENAME_SIMILARITY = 0.5  # git's own default for calling a delete plus an add a rename
_VERSION = re.compile(r"^[A-Za-z]?\d[\d._]*_+")


def describe_changes(old: bytes, new: bytes) -> tuple[int, str] | None:
    """The first changed line of `new` (1-based) and, in a few words, what changed where.

    None when the two differ in line endings only (CRLF and LF), which is no change.
    """
    old_lines, new_lines = lines(old), lines(new)
    if old_lines == new_lines:
        same_end = old.endswith(b"\n") == new.endswith(b"\n") or not (old and new)
        return None if same_end else (max(len(new_lines), 1), "only the final newline differs")
    # Trim what both ends share first, as git diff does, so the first change found is the
    # first line that differs (difflib alone may align a repeated line further down).
    head = 0
    while head < min(len(old_lines), len(new_lines)) and old_lines[head] == new_lines[head]:
        head += 1
    tail = 0
    while tail < min(len(old_lines), len(new_lines)) - head and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    last = max(len(new_lines), 1)
    first_line = 0
    changed: list[str] = []  # "3" or "3-5": lines of the new version that differ
    removed: list[str] = []  # "2 lines removed after line 7"
    matcher = difflib.SequenceMatcher(
        None, old_lines[head : len(old_lines) - tail], new_lines[head : len(new_lines) - tail], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = min(head + j1 + 1, last)
        first_line = first_line or start
        if tag == "delete":
            count = i2 - i1
            after = f"after line {head + j1}" if head + j1 else "at the top"
            removed.append(f"{count} line{'s' if count > 1 else ''} removed {after}")
        else:
            changed.append(_span(start, head + j2))
    parts = []
    if changed:
        several = len(changed) > 1 or "-" in changed[0]
        parts.append(f"{'lines' if several else 'line'} {_and(changed)} {'differ' if several else 'differs'}")
    parts.extend(removed)
    return first_line, _and(parts)


def _span(start: int, end: int) -> str:
    return f"{start}" if start >= end else f"{start}-{end}"


def _and(items: list[str]) -> str:
    if len(items) > 3:
        items = [*items[:3], f"{len(items) - 3} more"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def lines(content: bytes) -> list[str]:
    """The lines of a file, line endings aside (CRLF and LF are the same line)."""
    text = content.replace(b"\r\n", b"\n").decode("utf-8", errors="replace")
    return text.split("\n")[:-1] if text.endswith("\n") else text.split("\n") if text else []


def renamed_to(old_name: str, old: bytes, added: dict[str, MigrationFile | None], texts: dict[str, bytes]) -> str | None:
    """The added file that is the deleted one under a new name, if one is.

    The same text (line endings aside) is a rename; so is a new version prefix on the same
    description (`20240101_init` to `20240301_init`) with a text mostly alike. Small migrations
    share boilerplate (`SET lock_timeout`), so likeness alone is not enough.
    """
    old_lines = lines(old)
    best, best_ratio = None, _RENAME_SIMILARITY
    for path in sorted(added):
        new_lines = lines(texts[path])
        if new_lines == old_lines:
            return path
        migration = added[path]
        if migration is None or _description(migration.name) != _description(old_name):
            continue
        matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
        if matcher.real_quick_ratio() >= best_ratio and matcher.quick_ratio() >= best_ratio:
            ratio = matcher.ratio()
            if ratio >= best_ratio:
                best, best_ratio = path, ratio
    return best


def _description(name: str) -> str:
    """A migration name without its version: `20240101000000_init` -> `init`."""
    return _VERSION.sub("", name).lower() or name
