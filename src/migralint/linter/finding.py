"""What a rule reports: a Finding with an exact, 1-based, character-based span."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


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


@dataclass(frozen=True, slots=True)
class IgnoredFinding:
    """A finding an inline ignore accepted; kept so that accepted risks stay visible."""

    finding: Finding
    reason: str
