"""SARIF 2.1.0 for GitHub code scanning: every rule as a reportingDescriptor, every finding a result.

Findings accepted by inline ignores are included with an in-source suppression and its reason,
so code scanning shows them as dismissed rather than losing them.
"""

from __future__ import annotations

from typing import Any, TextIO

from migralint import DOCS_URL, __version__
from migralint.findings import Finding, LintResult, Severity
from migralint.report.fingerprints import fingerprints
from migralint.report.indented_json import write_indented_json
from migralint.report.paths import repository_root, uri_reference
from migralint.report.summary import rule_url
from migralint.report.table_size import shown_message, size_dict

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _unregistered(name: str, level: str) -> dict[str, Any]:
    """A descriptor for a finding no rule made: internal-error, a bug reported where it happened."""
    return {
        "id": name,
        "shortDescription": {"text": f"{name}: migralint failed on this file; please report it."},
        "helpUri": rule_url(name),
        "defaultConfiguration": {"level": level},
    }


def _descriptor(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.name,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "helpUri": DOCS_URL.format(name=rule.name),
        "help": {"text": f"{rule.summary}\n\n{rule.why}"},
        "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": rule.default_enabled},
    }


def _result(finding: Finding, index: dict[str, int], fingerprint: str, reason: str | None) -> dict[str, Any]:
    region: dict[str, int] = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": finding.end_line,
        "endColumn": max(finding.end_column, finding.column + 1 if finding.end_line == finding.line else 1),
    }
    uri, relative = uri_reference(finding.path)
    artifact = {"uri": uri, "uriBaseId": "%SRCROOT%"} if relative else {"uri": uri}
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVEL[finding.severity],
        "message": {"text": shown_message(finding) + (f"\n\n{finding.help}" if finding.help else "")},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"migralintFinding/v1": fingerprint},
    }
    if finding.table_size is not None:
        result["properties"] = {"tableSize": size_dict(finding.table_size)}
    if reason is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": reason or "no reason given"}]
    return result


def sarif_document(result: LintResult) -> dict[str, Any]:
    from migralint.rules.rule_index import RULES

    rules = sorted(RULES, key=lambda r: r.name)
    descriptors = [_descriptor(rule) for rule in rules]
    index = {rule.name: k for k, rule in enumerate(rules)}
    # Accepted findings go in too, marked suppressed with their reason.
    reported: list[tuple[Finding, str | None]] = [(f, None) for f in result.findings]
    reported += [(item.finding, item.reason) for item in result.ignored]
    for finding, _ in reported:
        if finding.rule not in index:
            index[finding.rule] = len(descriptors)
            descriptors.append(_unregistered(finding.rule, _LEVEL[finding.severity]))
    prints = fingerprints([finding for finding, _ in reported], result.sources)
    results = [
        _result(finding, index, fingerprint, reason)
        for (finding, reason), fingerprint in zip(reported, prints)
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "migralint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": DOCS_URL.split("/blob/")[0],
                "rules": descriptors,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    root = repository_root()
    if root is not None:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": root.as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write_sarif(
    result: LintResult, out: TextIO, *, color: bool = False, strict: bool = False, width: int | None = None
) -> None:
    write_indented_json(sarif_document(result), out)  # C-encoded, in a few large writes (indent=2 meant the pure-Python encoder)
