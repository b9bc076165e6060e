"""Rule documentation, generated from rule metadata: docs/rules/<name>.md and `migralint rule`; and
the rule index (rules/rule_index.py), the metadata a lint reads without importing the rules.

Run `python -m migralint.rules.docs` to write the pages and the index; a test fails when one is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from migralint.rules.base import HistoryRule, Rule
from migralint.rules.entry import HOOKS, RuleEntry
from migralint.sql import ir
from migralint.findings import Severity

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


def entry_for(rule: type[Rule]) -> RuleEntry:
    """What the index says of `rule`, read from its class."""
    from migralint.rules.applied_history import AppliedHistoryRule

    # An applied-history rule that keeps the shared check_history reports its event's problems only.
    event = ""
    if issubclass(rule, AppliedHistoryRule) and rule.check_history is AppliedHistoryRule.check_history:
        event = rule.event.value
    return RuleEntry(
        name=rule.name,
        module=rule.__module__,
        qualname=rule.__qualname__,
        severity=rule.severity,
        default_enabled=rule.default_enabled,
        dialects=tuple(sorted(dialect.value for dialect in rule.dialects)),
        nodes=tuple(rule.nodes),
        subcommands=tuple(rule.subcommands),
        # In Kind's order: a rule may make its tuple from a set (the index would change from run to run),
        # and the engines call a kind's rules in the rules' order, whatever the order of their kinds.
        kinds=tuple(kind.name for kind in ir.Kind if kind in rule.kinds),
        hooks=tuple(hook for hook in HOOKS if _overrides(rule, hook)),
        lock=rule.lock.name if rule.lock is not None else "",
        empty_table_is_safe=rule.empty_table_is_safe,
        about_applied=rule.about_applied,
        history=issubclass(rule, HistoryRule),
        event=event,
        summary=rule.summary,
        why=rule.why,
    )


def _overrides(rule: type[Rule], hook: str) -> bool:
    method = getattr(rule, hook, None)
    return method is not None and method not in (getattr(Rule, hook, None), getattr(HistoryRule, hook, None))


def render_rule_index(rules: tuple[type[Rule], ...]) -> str:
    """rules/rule_index.py: every rule's entry, in the registry's order."""
    entries = []
    for rule in rules:
        entry = entry_for(rule)
        fields = "".join(
            f"        {name}=Severity.{value.name},\n" if isinstance(value, Severity) else f"        {name}={value!r},\n"
            for name, value in zip(RuleEntry._fields, entry)
        )
        entries.append(f"    RuleEntry(\n{fields}    ),\n")
    return (
        '"""Generated from the rule classes by `python -m migralint.rules.docs`; do not edit.\n\n'
        "What a lint, the reports and the commands read of each rule without importing it (rules/entry.py).\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "from migralint.findings import Severity\n"
        "from migralint.rules.entry import RuleEntry\n\n"
        f"RULES: tuple[RuleEntry, ...] = (\n{''.join(entries)})\n\n"
        "BY_NAME: dict[str, RuleEntry] = {entry.name: entry for entry in RULES}\n"
    )


INDEX_PATH = Path(__file__).with_name("rule_index.py")


def write_rule_index(path: Path = INDEX_PATH) -> bool:
    """Write the index when it is stale; True when it was."""
    from migralint.rules.registry import all_rules

    text = render_rule_index(all_rules())
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def write_pages(folder: Path) -> list[Path]:
    from migralint.rules.registry import all_rules

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    pages = expected_pages(all_rules())
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
    if write_rule_index():
        print(f"wrote {INDEX_PATH}")
