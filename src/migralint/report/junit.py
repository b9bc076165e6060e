"""JUnit XML: one test case per file checked; every CI can show it.

A finding is a `<failure>` exactly when it makes the exit code 1 (an error; with --strict, a
warning too); the others are listed in the test case's `<system-out>`, so a green exit code
never comes with red test cases. Characters XML 1.0 cannot hold (control characters in a file
name) are written escaped, `\\x01`, so the report always parses.
"""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree

from migralint.findings import Finding, LintResult, Severity
from migralint.report.escape import xml_text
from migralint.report.paths import repo_shown
from migralint.report.table_size import shown_message


def fails_the_run(finding: Finding, strict: bool) -> bool:
    """The same test as LintResult.fails, for one finding."""
    return strict or finding.severity is Severity.ERROR


def _line(finding: Finding) -> str:
    return xml_text(
        f"{repo_shown(finding.path)}:{finding.line}:{finding.column}: "
        f"{finding.severity.value}[{finding.rule}] {shown_message(finding)}"
    )


def write_junit(
    result: LintResult, out: TextIO, *, color: bool = False, strict: bool = False, width: int | None = None
) -> None:
    by_file: dict[str, list[Finding]] = {path: [] for path in result.files}
    for finding in result.findings:
        by_file.setdefault(finding.path, []).append(finding)
    failing = {path: [f for f in findings if fails_the_run(f, strict)] for path, findings in by_file.items()}
    suites = ElementTree.Element("testsuites", name="migralint")
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name="migralint",
        tests=str(len(by_file)),
        failures=str(sum(1 for findings in failing.values() if findings)),
        errors="0",
    )
    for path, findings in by_file.items():
        case = ElementTree.SubElement(suite, "testcase", name=xml_text(repo_shown(path)), classname="migralint")
        for finding in failing[path]:
            failure = ElementTree.SubElement(
                case,
                "failure",
                message=xml_text(f"{finding.rule}: {shown_message(finding)}"),
                type=finding.severity.value,
            )
            failure.text = f"{_line(finding)}\n{xml_text(finding.help)}"
        passing = [f for f in findings if not fails_the_run(f, strict)]
        if passing:
            ElementTree.SubElement(case, "system-out").text = "\n".join(_line(f) for f in passing) + "\n"
    ElementTree.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ElementTree.tostring(suites, encoding="unicode"))
    out.write("\n")
