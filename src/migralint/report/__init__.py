"""Output formats: one module each, and the REPORTERS mapping the CLI chooses from.

Each reporter module is imported only when its format is used: start-up time matters for a
pre-commit run, and rich alone costs tens of milliseconds.
"""

from __future__ import annotations

from enum import Enum
from importlib import import_module
from typing import Protocol, TextIO

from migralint.findings import Finding, IgnoredFinding, LintResult


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
    """`strict`: warnings fail the run too; `width`: the terminal's width, None when not a terminal."""

    def __call__(
        self, result: LintResult, out: TextIO, *, color: bool, strict: bool = False, width: int | None = None
    ) -> None: ...


# format -> (module, function): every function takes (result, out, *, color, strict, width)
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

    def write(
        result: LintResult, out: TextIO, *, color: bool, strict: bool = False, width: int | None = None
    ) -> None:
        writer(valid_result(result), out, color=color, strict=strict, width=width)

    return write


def valid_result(result: LintResult) -> LintResult:
    """The result with every message, help and reason encodable as UTF-8.

    A history finding's message can name a file whose name is not UTF-8. Paths are left as
    they are: each format shows them through report.paths, and SARIF needs the real bytes.
    """
    from dataclasses import replace

    from migralint.report.escape import valid_text

    def clean(finding: Finding) -> Finding:
        if finding.rule.isascii() and finding.message.isascii() and finding.help.isascii():
            return finding  # nothing to escape, the common case: checked without building anything
        texts = (finding.rule, finding.message, finding.help)
        valid = tuple(valid_text(text) for text in texts)
        if valid == texts:
            return finding
        return replace(finding, rule=valid[0], message=valid[1], help=valid[2])

    return replace(
        result,
        findings=[clean(f) for f in result.findings],
        ignored=[IgnoredFinding(clean(i.finding), valid_text(i.reason)) for i in result.ignored],
    )
