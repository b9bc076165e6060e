"""`lint --fix`: apply the fixes that keep a migration's meaning, to migrations not yet applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migralint.findings import Edit, Finding, LintResult
from migralint.source import display_path

if TYPE_CHECKING:
    from migralint.migrations.discover import Planned

_BOM = "\ufeff".encode()


@dataclass(slots=True)
class FixOutcome:
    """What --fix did: the fixes written, the files changed, and the applied migrations it left
    alone."""

    fixed: int = 0
    files: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # applied migrations left as they are


def apply_fixes(result: LintResult, planned: list[Planned], applied: frozenset[str]) -> FixOutcome:
    """Write the fixes of `result` into their files, except into migrations named in `applied`."""
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.fix is not None:
            by_path.setdefault(finding.path, []).append(finding)
    migrations = {display_path(p.migration.path): p.migration for p in planned if p.lint}
    outcome = FixOutcome()
    for shown, findings in by_path.items():
        migration = migrations.get(shown)
        text = result.sources.get(shown)
        if migration is None or text is None:
            continue
        if migration.name in applied:
            outcome.refused.append(shown)
            continue
        new_text, count = _apply(text, [edit for f in findings if f.fix for edit in f.fix.edits])
        if count:
            raw = migration.path.read_bytes()
            migration.path.write_bytes((_BOM if raw.startswith(_BOM) else b"") + new_text.encode("utf-8"))
            outcome.fixed += len(findings)
            outcome.files.append(shown)
    return outcome


def _apply(text: str, edits: list[Edit]) -> tuple[str, int]:
    """Apply non-overlapping edits, last first so that earlier offsets stay valid."""
    applied = 0
    limit = len(text) + 1
    for edit in sorted(set(edits), key=lambda e: (e.start, e.end), reverse=True):
        if edit.end > limit:
            continue  # overlaps an edit already made
        text = text[: edit.start] + edit.text + text[edit.end :]
        limit = edit.start
        applied += 1
    return text, applied
