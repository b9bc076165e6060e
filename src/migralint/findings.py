"""What linting produces: findings with an exact, 1-based, character-based span, and the result of a run.

A leaf: the rules, the engine, the reports and the CLI all read these, so it imports no other
part of migralint but frozen.py (how a Finding is declared cheaply: see there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple, Protocol

from migralint.frozen import Value, slot_setters

if TYPE_CHECKING:
    # mypy checks Finding as the frozen dataclass it behaves as (see migralint/frozen.py).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value


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


class TableSize(NamedTuple):
    """What the database reported of the table a finding is about (`lint --database-url`).

    Data, not words: the reporters write it into the message right after the table's name
    ("takes SHARE on "Booking" (2.4M rows, 1.8 GB): ..."), and the JSON and SARIF output carry
    it as a field as well.
    """

    table: str  # "schema.name", as Finding.table
    rows: int  # PostgreSQL's estimate as of the last ANALYZE; -1: never counted
    bytes: int
    small: bool = False  # below small_table_rows: the finding was made a warning, and says so

    def note(self) -> str:
        """What the message says of it: "2.4M rows, 1.8 GB"."""
        if self.small:
            return f"{format_rows(self.rows)}: below small_table_rows, a warning"
        if self.rows < 0:
            return f"{format_bytes(self.bytes)}, rows not counted yet: never analyzed"
        return f"{format_rows(self.rows)}, {format_bytes(self.bytes)}"


def format_rows(rows: int) -> str:
    noun = "row" if rows == 1 else "rows"
    for limit, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if rows >= limit:
            value = rows / limit
            return f"{value:.1f}{suffix} {noun}" if value < 10 else f"{value:.0f}{suffix} {noun}"
    return f"{rows} {noun}"


def format_bytes(size: int) -> str:
    """As pg_size_pretty writes it, with one decimal below 10."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{size} bytes"
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


@frozen_value(frozen=True)
class Finding(Value):
    __slots__ = (
        "path", "line", "column", "end_line", "end_column", "rule", "severity", "message", "help", "fix", "table",
        "covers", "table_size",
    )
    _uncompared = ("fix", "table", "covers", "table_size")
    path: str
    line: int
    column: int
    end_line: int
    end_column: int  # exclusive
    rule: str
    severity: Severity
    message: str
    help: str
    fix: Fix | None
    # The table the finding is about, "schema.name", when there is one: reporters and the
    # database-aware checks use it; it is not part of the output formats.
    table: str | None
    # Indices of the file's statements (besides the one it points at) that a finding reported
    # once for a group of statements is about: an ignore comment on any of them suppresses it.
    covers: tuple[int, ...]
    # The size the database reported of `table`, when `--database-url` gave it: the reporters
    # show it (report/table_size.py); `message` stays the rule's own words.
    table_size: TableSize | None

    def __init__(
        self, path: str, line: int, column: int, end_line: int, end_column: int, rule: str, severity: Severity,
        message: str, help: str = "", fix: Fix | None = None, table: str | None = None, covers: tuple[int, ...] = (),
        table_size: TableSize | None = None,
    ) -> None:
        # Each slot's own setter: set_field looks each name up on the class first, and cost 6,000
        # instructions a finding more (callgrind), for every one of the corpus's 5,800.
        _set_path(self, path)
        _set_line(self, line)
        _set_column(self, column)
        _set_end_line(self, end_line)
        _set_end_column(self, end_column)
        _set_rule(self, rule)
        _set_severity(self, severity)
        _set_message(self, message)
        _set_help(self, help)
        _set_fix(self, fix)
        _set_table(self, table)
        _set_covers(self, covers)
        _set_table_size(self, table_size)

    def __reduce__(self) -> tuple[type[Finding], tuple[object, ...]]:
        # The result cache pickles every finding: rebuilt through __init__ from a tuple, a warm
        # run reads 5,800 of them in half the time a frozen dataclass's field-by-field
        # __setstate__ takes. The tuple is one C call (a forked child pickles the findings of
        # its half of the corpus: 88 M -> 65 M instructions, callgrind, against a getattr a field).
        return (Finding, _fields(self))


_fields = attrgetter(*Finding.__slots__)
(
    _set_path, _set_line, _set_column, _set_end_line, _set_end_column, _set_rule, _set_severity, _set_message, _set_help,
    _set_fix, _set_table, _set_covers, _set_table_size,
) = slot_setters(Finding, "path line column end_line end_column rule severity message help fix table covers table_size")


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
    """What a lint found: the files checked, their findings and accepted (ignored) ones, the files
    it could not read, its own errors, and the texts the reports quote."""

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
