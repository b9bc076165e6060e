"""What each tool found on the corpus, read from its JSON report and counted per rule."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Findings:
    total: int
    by_rule: Counter[str]
    by_severity: Counter[str]
    files_with_findings: int
    files_checked: int | None  # migralint reports it; squawk's JSON does not


def migralint_findings(path: Path) -> Findings:
    document = json.loads(path.read_text(encoding="utf-8"))
    findings = document["findings"]
    return Findings(
        total=len(findings),
        by_rule=Counter(f["rule"] for f in findings),
        by_severity=Counter(f.get("severity", "?") for f in findings),
        files_with_findings=len({f["path"] for f in findings}),
        files_checked=document.get("files_checked"),
    )


def squawk_findings(path: Path) -> Findings:
    # squawk --reporter json: a list of {"file", "line", "column", "level", "message", "help",
    # "rule_name", "column_end", "line_end"}
    text = path.read_text(encoding="utf-8").strip()
    violations = json.loads(text) if text else []
    if not isinstance(violations, list):
        raise TypeError("not a list")
    return Findings(
        total=len(violations),
        by_rule=Counter(v["rule_name"] for v in violations),
        by_severity=Counter(str(v.get("level", "?")).lower() for v in violations),
        files_with_findings=len({v.get("file") for v in violations}),
        files_checked=None,
    )


def read_findings(anomalies: list[str], label: str, migralint: bool, path: Path) -> Findings | None:
    """The findings in a tool's JSON report, or None (and an anomaly) when it is not what we expect."""
    try:
        return migralint_findings(path) if migralint else squawk_findings(path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        anomalies.append(f"{label}: not the expected JSON ({type(exc).__name__}: {exc}); no findings counted")
        return None


def count(f: Findings | None, attr: str) -> str:
    return "n/a" if f is None else f"{getattr(f, attr):,}"


def severities(f: Findings | None) -> str:
    if f is None:
        return "n/a"
    return ", ".join(f"{n:,} {name}" for name, n in sorted(f.by_severity.items())) or "none"


def findings_table(r: dict[str, Any]) -> list[list[str]]:
    mf, sf = r["ml_findings"], r["sq_findings"]
    return [
        ["", "migralint", "squawk"],
        ["findings on the corpus", count(mf, "total"), count(sf, "total")],
        ["files with findings", count(mf, "files_with_findings"), count(sf, "files_with_findings")],
        ["findings by severity", severities(mf), severities(sf)],
    ]


def rules_table(r: dict[str, Any]) -> list[list[str]]:
    mf, sf = r["ml_findings"], r["sq_findings"]
    ml_rules = mf.by_rule if mf else Counter()
    sq_rules = sf.by_rule if sf else Counter()
    known = r["migralint_rules"]  # name -> on by default

    def cell(rules: Counter[str], rule: str) -> str:
        return f"{rules[rule]:,}" if rule in rules else "-"

    def ml_cell(rule: str) -> str:
        if rule in ml_rules or rule not in known:
            return cell(ml_rules, rule)
        return "0" if known[rule] else "off by default"

    rows = [["rule", "migralint", "squawk"]]
    names = sorted(set(ml_rules) | set(sq_rules) | set(known))
    rows += [[f"`{rule}`", ml_cell(rule), cell(sq_rules, rule)] for rule in names]
    rows.append(["**total**", f"**{count(mf, 'total')}**", f"**{count(sf, 'total')}**"])
    return rows
