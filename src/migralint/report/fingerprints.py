"""Fingerprints that survive unrelated edits: rule, file, and the flagged line's text.

Line numbers are left out on purpose: a migration that gains a comment above a finding keeps
the finding's fingerprint, so code scanning and GitLab see the same finding, not a new one.
Identical lines in one file are told apart by their order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING

from migralint.findings import Finding
from migralint.report.paths import repo_shown
from migralint.source import LineIndex

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


# Beyond this, a line enters fingerprints by its digest: 3,000 findings on one 1 MB line
# would otherwise hash 3 GB. Shorter lines (all real ones) keep the fingerprints they had.
LONG_LINE = 4096


def fingerprints(findings: Sequence[Finding], sources: Mapping[str, str]) -> list[str]:
    """One fingerprint per finding; `sources` holds the text of the files they are in."""
    seen: Counter[tuple[str, str, str]] = Counter()
    indexes: dict[str, LineIndex] = {}
    # Normalised once per line: 3,000 findings on one long line must not split it 3,000 times.
    lines: dict[tuple[str, int], str] = {}
    prints = []
    for finding in findings:
        source = sources.get(finding.path)
        line_text = ""
        if source is not None and not _about_a_whole_file(finding.rule):
            # (a history finding is about the file, whatever its first line says)
            index = indexes.get(finding.path) or indexes.setdefault(finding.path, LineIndex(source))
            if 1 <= finding.line <= index.line_count:
                where = (finding.path, finding.line)
                if where not in lines:
                    lines[where] = _line_key(index.line_text(finding.line))
                line_text = lines[where]
        key = (finding.rule, repo_shown(finding.path), line_text)
        seen[key] += 1
        digest = hashlib.sha256("\0".join((*key, str(seen[key]))).encode()).hexdigest()
        prints.append(digest[:32])
    return prints


def _line_key(line: str) -> str:
    """The line, whitespace normalised; a very long one by its digest, hashed once, not per finding."""
    normal = " ".join(line.split())
    if len(normal) <= LONG_LINE:
        return normal
    return "sha256:" + hashlib.sha256(normal.encode()).hexdigest()


def _about_a_whole_file(rule_name: str) -> bool:
    from migralint.rules.rule_index import BY_NAME

    entry = BY_NAME.get(rule_name)
    return entry is not None and entry.history
