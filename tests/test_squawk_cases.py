"""squawk's own test cases, run through migralint: an outside test suite for the rules both share.

For every case in ../shared/squawk-cases/cases.json whose rule migralint has (under squawk's name
or the one RENAMED maps it to), the case's SQL is linted as a plain .sql file with the case's
settings, and "at least one finding of that rule" is compared with squawk's expectation. Every
difference must be listed, with the reason, in docs/compared-to-squawk.md, and every listed case
must still differ: the list stays true as rules are added or changed.

After changing a rule, rewrite the document's figures, verdict columns and rule lists with

    python -m tests.test_squawk_cases --write

which keeps the "why" texts already written; a new difference gets a placeholder that fails the
tests until someone writes its reason. Without --write it prints the comparison.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from migralint.config import Settings
from migralint.migrations.layouts import RunnerMode
from migralint.rules.registry import RULES_BY_NAME
from tests.helpers import lint_sql

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CASES = SHARED / "squawk-cases" / "cases.json"
DOC = ROOT / "docs" / "compared-to-squawk.md"

# squawk's rule names that migralint spells otherwise or splits in several rules: a case of the
# squawk rule counts as flagged when any of the migralint rules finds something.
RENAMED: dict[str, tuple[str, ...]] = {
    "prefer-timestamp-tz": ("prefer-timestamptz",),  # squawk also accepts prefer-timestamptz
    "require-timeout-settings": ("require-lock-timeout", "require-statement-timeout"),
    "ban-truncate-cascade": ("ban-truncate",),  # migralint's rule covers TRUNCATE with or without CASCADE
    "prefer-repack": ("ban-table-rewrite-maintenance",),  # CLUSTER and VACUUM FULL
}

# squawk 2.70's rules that have no case in cases.json, so that the document can list every squawk
# rule migralint lacks. From squawk's rule docs and release notes (2.68 added the rollback ones).
SQUAWK_RULES_WITHOUT_CASES = (
    "ban-concurrent-index-creation-in-transaction",
    "ban-drop-column",
    "renaming-table",
    "prefer-robust-stmts",
    "syntax-error",
    "unused-ignore",
    "ban-drop-schema",
    "ban-drop-sequence",
    "ban-drop-domain",
    "ban-drop-constraint",
    "ban-drop-generated-expression",
    "ban-drop-extension",
    "ban-alter-identity",
    "renaming-object",
    "ban-set-schema",
    "the opt-in rollback compatibility rules",  # a group: its names are in the document's why
)

PLACEHOLDER = "TODO: say why migralint decides otherwise"
MISSING_PLACEHOLDER = "TODO: say why migralint has no such rule"
_DIFFERENCES_HEADING = "## Where migralint decides otherwise"
_MISSING_HEADING = "## squawk rules migralint does not have"


@dataclass(frozen=True, slots=True)
class Verdict:
    case_id: str
    squawk_rule: str
    expect: str  # squawk's expectation: "ok" or "violation"
    migralint: str  # what migralint says, in the same words

    @property
    def agrees(self) -> bool:
        return self.expect == self.migralint


def migralint_rules(squawk_rule: str) -> tuple[str, ...]:
    """The migralint rules that stand for a squawk rule and exist now."""
    return tuple(name for name in RENAMED.get(squawk_rule, (squawk_rule,)) if name in RULES_BY_NAME)


def load_cases() -> list[dict[str, Any]]:
    if not CASES.is_file():
        return []
    return list(json.loads(CASES.read_text(encoding="utf-8")))


def shared_cases() -> list[dict[str, Any]]:
    return [case for case in load_cases() if migralint_rules(case["rule"])]


def verdict(case: dict[str, Any]) -> Verdict:
    settings = Settings(select=("ALL",))
    if case.get("pg_version") is not None:
        settings = Settings(select=("ALL",), pg_version=int(str(case["pg_version"]).split(".")[0]))
    runner = RunnerMode.TRANSACTION if case.get("assume_in_transaction") else RunnerMode.AUTOCOMMIT
    rules = set(migralint_rules(case["rule"]))
    report = lint_sql(case["sql"], runner=runner, settings=settings, path="case.sql")
    found = any(finding.rule in rules for finding in report.findings)
    return Verdict(case["id"], case["rule"], case["expect"], "violation" if found else "ok")


@cache
def verdicts() -> tuple[Verdict, ...]:
    return tuple(verdict(case) for case in shared_cases())


# -- the document ----------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    """The cells of a markdown table row; `\\|` inside a cell is a literal bar."""
    inner = line.strip()[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def _table(text: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after `heading`."""
    _, found, rest = text.partition(heading + "\n")
    if not found:
        return []
    rows: list[list[str]] = []
    started = False
    for line in rest.splitlines():
        if line.startswith("## "):
            break
        if line.startswith("|"):
            started = True
            rows.append(_cells(line))
        elif started:
            break
    return [row for row in rows[2:]]  # header and separator rows first


def _unquote(cell: str) -> str:
    return cell.strip("`")


def listed_differences(text: str) -> dict[str, tuple[str, str, str]]:
    """case id -> (squawk's expectation, migralint's verdict, why) as the document lists them."""
    return {_unquote(row[0]): (row[1], row[2], row[3]) for row in _table(text, _DIFFERENCES_HEADING) if len(row) >= 4}


def listed_missing_rules(text: str) -> dict[str, str]:
    """squawk rule -> why migralint does not have it, as the document lists them."""
    return {_unquote(row[0]): row[2] for row in _table(text, _MISSING_HEADING) if len(row) >= 3}


def missing_rules() -> dict[str, int]:
    """squawk rules without a migralint counterpart now, with their number of cases."""
    counts: dict[str, int] = {}
    for case in load_cases():
        counts[case["rule"]] = counts.get(case["rule"], 0) + 1
    for rule in SQUAWK_RULES_WITHOUT_CASES:
        counts.setdefault(rule, 0)
    return {rule: n for rule, n in sorted(counts.items()) if not migralint_rules(rule)}


def _name(rule: str) -> str:
    return rule if " " in rule else f"`{rule}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(old_text: str) -> str:
    """The document for the current verdicts, keeping the reasons `old_text` gives."""
    results = verdicts()
    agreeing = sum(v.agrees for v in results)
    total = len(results)
    percent = f"{100 * agreeing / total:.0f}%" if total else "n/a"
    shared = sorted({v.squawk_rule for v in results})
    old_reasons = {case: why for case, (_, _, why) in listed_differences(old_text).items()}
    old_missing = listed_missing_rules(old_text)
    differences = "\n".join(
        f"| `{v.case_id}` | {v.expect} | {v.migralint} | {_cell(old_reasons.get(v.case_id, PLACEHOLDER))} |"
        for v in results
        if not v.agrees
    )
    missing = "\n".join(
        f"| {_name(rule)} | {count} | {_cell(old_missing.get(rule, MISSING_PLACEHOLDER))} |"
        for rule, count in missing_rules().items()
    )
    renamed = "\n".join(
        f"| `{squawk}` | {', '.join(f'`{name}`' for name in names)} |" for squawk, names in sorted(RENAMED.items())
    )
    return f"""# migralint compared to squawk

<!-- The figures, the verdict columns and the rule lists are written by
`python -m tests.test_squawk_cases --write`, which keeps the "why" texts; tests/test_squawk_cases.py
fails when this page and migralint disagree. -->

**migralint agrees with squawk on {agreeing} of {total} cases ({percent})**: squawk's own test cases
(`../shared/squawk-cases/cases.json`, from squawk's unit tests) for the {len(shared)} squawk rules
migralint has, each linted by migralint as a plain `.sql` file with the case's settings
(`pg_version`; autocommit unless the case assumes a transaction) and every rule on, and counted
as flagged when at least one finding of the rule (or of the rules it maps to, below) comes out.
The {total - agreeing} cases where migralint decides otherwise are listed below with the reason.
More rules are being written: when one is added or changed, rerun the command above.

## Where migralint decides otherwise

| case | squawk expects | migralint | why |
|---|---|---|---|
{differences}

## Names that differ

A case of the squawk rule counts as flagged when any of these migralint rules finds something.

| squawk | migralint |
|---|---|
{renamed}

## squawk rules migralint does not have

Their cases are not counted above. "cases" is the number of squawk's cases for the rule.

| squawk rule | cases | why |
|---|---|---|
{missing}

## migralint rules squawk does not have

Every rule of [the rule list](rules/README.md) not named on this page. (Not listed here, so that a
new rule is one module, its fixture and its line in the registry.)
"""


def write() -> None:
    old = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    DOC.write_text(render(old), encoding="utf-8")


def summary() -> str:
    results = verdicts()
    agreeing = sum(v.agrees for v in results)
    lines = [f"migralint agrees with squawk on {agreeing} of {len(results)} cases"]
    lines += [f"  differs: {v.case_id} ({v.squawk_rule}): squawk {v.expect}, migralint {v.migralint}" for v in results if not v.agrees]
    return "\n".join(lines)


# -- the tests -------------------------------------------------------------------------

pytestmark = pytest.mark.skipif(not SHARED.is_dir() or not CASES.is_file(), reason="../shared/squawk-cases is not beside the repository")


def _document() -> str:
    return DOC.read_text(encoding="utf-8") if DOC.is_file() else ""


@pytest.mark.parametrize("case", shared_cases(), ids=lambda case: str(case["id"]))
def test_case_agrees_or_is_listed(case: dict[str, Any]) -> None:
    result = verdict(case)
    listed = listed_differences(_document()).get(result.case_id)
    if result.agrees:
        assert listed is None, (
            f"{result.case_id} now agrees with squawk ({result.expect}): remove it from {DOC.name} "
            "(python -m tests.test_squawk_cases --write)"
        )
    else:
        assert listed is not None, (
            f"{result.case_id}: squawk expects {result.expect}, migralint says {result.migralint}; "
            f"list it with the reason in {DOC.name} (python -m tests.test_squawk_cases --write, then write the why)"
        )
        assert listed[:2] == (result.expect, result.migralint), f"{result.case_id}: stale verdict in {DOC.name}"


def test_every_listed_case_is_a_shared_case() -> None:
    known = {v.case_id for v in verdicts()}
    stale = sorted(set(listed_differences(_document())) - known)
    assert not stale, f"{DOC.name} lists cases of rules migralint does not have, or unknown cases: {stale}"


def test_every_reason_is_written() -> None:
    text = _document()
    reasons = [why for _, _, why in listed_differences(text).values()] + list(listed_missing_rules(text).values())
    missing = [why for why in reasons if not why or why in (PLACEHOLDER, MISSING_PLACEHOLDER)]
    assert not missing, f"{DOC.name} has {len(missing)} rows without their why"


def test_document_is_current() -> None:
    text = _document()
    assert text == render(text), f"{DOC.name} is stale: run python -m tests.test_squawk_cases --write"


if __name__ == "__main__":
    if not CASES.is_file():
        sys.exit(f"{CASES} not found")
    if "--write" in sys.argv[1:]:
        write()
        print(f"wrote {DOC.relative_to(ROOT)}")
    print(summary())
