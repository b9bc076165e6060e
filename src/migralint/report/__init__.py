"""Output formats: one module each, and the REPORTERS mapping the CLI chooses from."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from migralint.linter.run import LintResult


class OutputFormat(str, Enum):
    TEXT = "text"
    CONCISE = "concise"
    JSON = "json"

    def __str__(self) -> str:
        return self.value


class Reporter(Protocol):
    def __call__(self, result: LintResult, out: TextIO, *, color: bool) -> None: ...


def _text(result: LintResult, out: TextIO, *, color: bool) -> None:
    # rich costs a noticeable share of a pre-commit run's start-up: import it only when used.
    from migralint.report.text import write_text

    write_text(result, out, color=color)


def _concise(result: LintResult, out: TextIO, *, color: bool) -> None:
    from migralint.report.concise import write_concise

    write_concise(result, out, color=color)


def _json(result: LintResult, out: TextIO, *, color: bool) -> None:
    from migralint.report.json_format import write_json

    write_json(result, out, color=color)


REPORTERS: dict[OutputFormat, Callable[..., None]] = {
    OutputFormat.TEXT: _text,
    OutputFormat.CONCISE: _concise,
    OutputFormat.JSON: _json,
}
