"""docs/rules is generated from rule metadata: a stale or missing page fails here."""

from __future__ import annotations

from pathlib import Path

from migralint.rules.docs import INDEX_PATH, expected_pages, render_rule_index
from migralint.rules.registry import ALL_RULES

DOCS = Path(__file__).parent.parent / "docs" / "rules"


def test_rule_docs_are_up_to_date() -> None:
    pages = expected_pages(ALL_RULES)
    stale = [name for name, text in pages.items() if not (DOCS / name).is_file() or (DOCS / name).read_text(encoding="utf-8") != text]
    extra = sorted({p.name for p in DOCS.glob("*.md")} - set(pages))
    assert not stale and not extra, (
        f"stale: {stale}, not a rule: {extra}; run `python -m migralint.rules.docs` to regenerate"
    )


def test_the_rule_index_is_up_to_date() -> None:
    # What a lint knows of the rules it has not imported: stale, it would dispatch a rule to the
    # wrong statements, or miss a new rule altogether.
    assert INDEX_PATH.read_text(encoding="utf-8") == render_rule_index(ALL_RULES), (
        "rules/rule_index.py is stale; run `python -m migralint.rules.docs` to regenerate"
    )


def test_every_page_has_the_sections_users_look_for() -> None:
    for rule in ALL_RULES:
        page = expected_pages((rule,))[f"{rule.name}.md"]
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
                        "## Options", "## How to ignore", "## References"):
            assert heading in page, (rule.name, heading)
