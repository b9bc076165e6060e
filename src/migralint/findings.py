"""What linting produces: findings with an exact, 1-based, character-based span, and the result of a run.

A leaf: the rules, the engine, the reports and the CLI all read these, so it imports no other
part of migralint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple, Protocol


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


class InternalError(NamedTuple):
    """A bug in migralint, contained where it happened (see linter/internal.py)."""

    path: str
    error: str
    trace: str


class RuleInfo(Protocol):
    """What a finding is made from of its rule (rules/base.py's Rule): here so that the linter and
    the settings, which rules/ imports, read a rule without importing rules/."""

    @property
    def name(self) -> str: ...
    @property
    def severity(self) -> Severity: ...


class FileFindings(Protocol):
    """What one linted file adds to a LintResult (the engine's FileReport)."""

    @property
    def path(self) -> str: ...
    @property
    def findings(self) -> Sequence[Finding]: ...
    @property
    def ignored(self) -> Sequence[IgnoredFinding]: ...
    @property
    def errors(self) -> Sequence[InternalError]: ...


@dataclass(slots=True)
class LintResult:
    files_checked: int = 0
    files: list[str] = field(default_factory=list)  # the paths checked, as shown
    findings: list[Finding] = field(default_factory=list)
    ignored: list[IgnoredFinding] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)  # files that could not be read
    internal_errors: list[InternalError] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # text of files with findings, for snippets

    def add(self, report: FileFindings, text: str) -> None:
        self.files_checked += 1
        self.files.append(report.path)
        self.findings.extend(report.findings)
        self.ignored.extend(report.ignored)
        self.internal_errors.extend(report.errors)
        if report.findings or report.ignored:
            self.sources[report.path] = text

    def fails(self, strict: bool) -> bool:
        return any(strict or f.severity is Severity.ERROR for f in self.findings)
