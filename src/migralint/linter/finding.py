"""What a rule reports: a Finding with an exact, 1-based, character-based span."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


class Edit(NamedTuple):
    """Replace the characters [start, end) of the file with `text`."""

    start: int
    end: int
    text: str


class Fix(NamedTuple):
    """A change `lint --fix` may make: it keeps the migration's meaning and needs no new migration."""

    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int  # exclusive
    rule: str
    severity: Severity
    message: str
    help: str = ""
    fix: Fix | None = field(default=None, compare=False)
    # The table the finding is about, "schema.name", when there is one: reporters and the
    # database-aware checks use it; it is not part of the output formats.
    table: str | None = field(default=None, compare=False)
    # Indices of the file's statements (besides the one it points at) that a finding reported
    # once for a group of statements is about: an ignore comment on any of them suppresses it.
    covers: tuple[int, ...] = field(default=(), compare=False)


class IgnoredFinding(NamedTuple):
    """A finding an inline ignore accepted; kept so that accepted risks stay visible."""

    finding: Finding
    reason: str
