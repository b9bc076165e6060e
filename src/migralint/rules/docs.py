"""Rule documentation, generated from rule metadata: docs/rules/<name>.md and `migralint rule`.

Run `python -m migralint.rules.docs` to write the pages; a test fails when one is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from migralint.rules.base import HistoryRule, Rule
from migralint.sql.dialect import Dialect

GENERATED_NOTE = "<!-- Generated from the rule's metadata by `python -m migralint.rules.docs`; do not edit. -->"


def _how_to_ignore(rule: type[Rule]) -> str:
    if issubclass(rule, HistoryRule):
        return f"""A history rule is not about one statement, and changing the file to silence it would be
the very edit it reports. Switch it off for some files with `per-file-ignores` in the config,
or everywhere with `ignore = ["{rule.name}"]`."""
    return f"""For one statement, with the reason on record:

```sql
-- migralint: ignore {rule.name} -- why this is safe here
```

For a whole file, `-- migralint: ignore-file {rule.name}`; for many files,
`per-file-ignores` in the config; everywhere, `ignore = ["{rule.name}"]`.{_once(rule)}"""


def _once(rule: type[Rule]) -> str:
    if not rule.reported_once:
        return ""
    return (f"\n\nThis rule reports once {rule.reported_once}: an ignore comment on any of those statements "
            "accepts the finding.")


def _lock(rule: type[Rule]) -> str:
    if rule.lock is None:
        return ""
    empty = (" With `--database-url`, a table the database says is empty is not flagged: the lock is over at once."
             if rule.empty_table_is_safe else "")
    return f"\n**Lock:** `{rule.lock.sql_name}` on the table.{empty}\n"


def _databases(rule: type[Rule]) -> str:
    return ", ".join(sorted(dialect.display_name for dialect in rule.dialects))


def _dialect_examples(rule: type[Rule]) -> str:
    """The pairs in other databases' SQL of a rule whose main examples are PostgreSQL's
    (tests/rules/test_examples.py runs them)."""
    return "".join(
        f"\n## On {dialect.display_name}\n\n```sql\n{example.bad}\n```\n\nUse instead:\n\n```sql\n{example.good}\n```\n"
        for dialect, example in sorted(rule.dialect_examples.items())
    )


def render_rule_doc(rule: type[Rule]) -> str:
    lock = _lock(rule)
    default = "on by default" if rule.default_enabled else "off by default (turn it on with `--select` or `extend_select`)"
    references = "\n".join(f"- <{url}>" for url in rule.references) or "- The PostgreSQL documentation on explicit locking: <https://www.postgresql.org/docs/current/explicit-locking.html>"
    options = rule.options or "None besides the ones every rule has."
    return f"""{GENERATED_NOTE}
# {rule.name}

**Severity:** {rule.severity.value}, {default}.

**Databases:** {_databases(rule)}.
{lock}
## What it does

{rule.summary}

## Why is this bad?

{rule.why}

## Example

```{rule.example_language}
{rule.bad}
```

## Use instead

```{rule.example_language}
{rule.good}
```
{_dialect_examples(rule)}
## Options

{options}

Every rule's severity can be changed in the config:

```toml
[tool.migralint.severity]
{rule.name} = "warning"
```

## How to ignore

{_how_to_ignore(rule)}

## References

{references}
"""


def rule_doc_for_reading(rule: type[Rule]) -> str:
    """The rule's page as `migralint rule` shows it: the page without the generator's note."""
    return render_rule_doc(rule).removeprefix(GENERATED_NOTE + "\n")


def render_index(rules: tuple[type[Rule], ...]) -> str:
    rows = "\n".join(
        f"| [`{r.name}`]({r.name}.md) | {r.severity.value} | {'yes' if r.default_enabled else 'no'} | {r.summary} |"
        for r in sorted(rules, key=lambda r: r.name)
    )
    return f"""{GENERATED_NOTE}
# Rules

| rule | severity | on by default | what it flags |
|---|---|---|---|
{rows}
"""


def expected_pages(rules: tuple[type[Rule], ...]) -> dict[str, str]:
    pages = {f"{rule.name}.md": render_rule_doc(rule) for rule in rules}
    pages["README.md"] = render_index(rules)
    return pages


def write_pages(folder: Path) -> list[Path]:
    from migralint.rules.registry import ALL_RULES

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    pages = expected_pages(ALL_RULES)
    for stale in folder.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules")
    for page in write_pages(target):
        print(f"wrote {page}")
