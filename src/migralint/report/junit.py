"""JUnit XML: one test case per file checked, one failure per finding; every CI can show it."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO
from xml.etree import ElementTree

from migralint.linter.finding import Finding
from migralint.report.paths import repo_relative

if TYPE_CHECKING:
    from migralint.linter.run import LintResult


def write_junit(result: LintResult, out: TextIO, *, color: bool = False) -> None:
    by_file: dict[str, list[Finding]] = {path: [] for path in result.files}
    for finding in result.findings:
        by_file.setdefault(finding.path, []).append(finding)
    suites = ElementTree.Element("testsuites", name="migralint")
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name="migralint",
        tests=str(len(by_file)),
        failures=str(sum(1 for findings in by_file.values() if findings)),
        errors="0",
    )
    for path, findings in by_file.items():
        case = ElementTree.SubElement(suite, "testcase", name=repo_relative(path), classname="migralint")
        for finding in findings:
            failure = ElementTree.SubElement(
                case,
                "failure",
                message=f"{finding.rule}: {finding.message}",
                type=finding.severity.value,
            )
            failure.text = (
                f"{repo_relative(finding.path)}:{finding.line}:{finding.column}: "
                f"{finding.severity.value}[{finding.rule}] {finding.message}\n{finding.help}"
            )
    ElementTree.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ElementTree.tostring(suites, encoding="unicode"))
    out.write("\n")
