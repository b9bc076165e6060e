"""Output formats: one module each, and the REPORTERS mapping the CLI chooses from.

Each reporter module is imported only when its format is used: start-up time matters for a
pre-commit run, and rich alone costs tens of milliseconds.
"""

from __future__ import annotations

from enum import Enum
from importlib import import_module
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from migralint.linter.run import LintResult


class OutputFormat(str, Enum):
    TEXT = "text"
    CONCISE = "concise"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"
    GITLAB = "gitlab"
    JUNIT = "junit"
    MARKDOWN = "markdown"

    def __str__(self) -> str:
        return self.value


class Reporter(Protocol):
    def __call__(self, result: LintResult, out: TextIO, *, color: bool) -> None: ...


# format -> (module, function): every function takes (result, out, *, color)
REPORTERS: dict[OutputFormat, tuple[str, str]] = {
    OutputFormat.TEXT: ("migralint.report.text", "write_text"),
    OutputFormat.CONCISE: ("migralint.report.concise", "write_concise"),
    OutputFormat.JSON: ("migralint.report.json_format", "write_json"),
    OutputFormat.GITHUB: ("migralint.report.github", "write_github"),
    OutputFormat.SARIF: ("migralint.report.sarif", "write_sarif"),
    OutputFormat.GITLAB: ("migralint.report.gitlab", "write_gitlab"),
    OutputFormat.JUNIT: ("migralint.report.junit", "write_junit"),
    OutputFormat.MARKDOWN: ("migralint.report.markdown", "write_markdown"),
}


def reporter(fmt: OutputFormat) -> Reporter:
    module, function = REPORTERS[fmt]
    writer: Reporter = getattr(import_module(module), function)
    return writer
