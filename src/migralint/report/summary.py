"""What the human formats share: findings grouped by file, the counting sentence, rule links."""

from __future__ import annotations

from migralint import DOCS_URL, ISSUES_URL
from migralint.findings import Finding, LintResult, Severity


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def by_file(result: LintResult) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by file, files in the order they were linted, each file's by position.

    History findings (edited, deleted, out of order) come after the lint of every file; grouping
    puts them with their file, and files that were not linted (deleted, applied) come last.
    """
    order = {path: k for k, path in enumerate(result.files)}
    groups: dict[str, list[Finding]] = {}
    for finding in result.findings:
        groups.setdefault(finding.path, []).append(finding)
    ranked = sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))
    return [(path, sorted(findings, key=lambda f: (f.line, f.column))) for path, findings in ranked]


def counts(findings: list[Finding]) -> str:
    """"2 errors and 1 warning"."""
    severities = [f.severity for f in findings]  # list.count runs in C: a Counter was a visible share of the text report
    tally = [(severities.count(s), s.value) for s in (Severity.ERROR, Severity.WARNING)]
    return " and ".join(plural(count, noun) for count, noun in tally if count)


def summary_sentence(result: LintResult) -> str:
    """One sentence whose numbers add up with the findings listed above it."""
    if not result.findings:
        return f"No problems in {plural(result.files_checked, 'file')}."
    files_with = {f.path for f in result.findings}
    if files_with <= set(result.files):
        where = f"{len(files_with)} of {plural(result.files_checked, 'file')}"
    else:  # history findings can name files that were not linted (applied, deleted)
        where = f"{plural(len(files_with), 'file')} ({result.files_checked} linted)"
    return f"Found {counts(result.findings)} in {where}."


def rule_url(rule: str) -> str:
    """The rule's documentation page; for a finding no rule made (internal-error), where to report it."""
    from migralint.rules.rule_index import BY_NAME

    return DOCS_URL.format(name=rule) if rule in BY_NAME else ISSUES_URL
