"""What production knows: lock findings say how big their table is, and small tables only warn.

Given the sizes a database reported (AppliedState.table_stats, "schema.table" -> rows and
bytes), each finding of a lock rule (a rule with a `lock`, and require-lock-timeout) on a
table with known size gets it in its message, right after the table's name:
`takes ACCESS EXCLUSIVE on "Booking" (2.4M rows, 1.8 GB): ...`. Below `small_table_rows`
rows the lock is over before anyone notices, and the finding becomes a warning that says so.
On a table the database says is empty (see `is_empty`) the lock is over as soon as it is
granted, and a lock rule's finding is dropped, unless the rule's harm does not depend on the
table's rows (`Rule.empty_table_is_safe`: a wait in the lock queue, a lock held through other
work); those findings keep their place and say "0 rows".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.sql.postgres.nodes import DEFAULT_SCHEMA, TableName
from migralint.migrations.history import AppliedState, TableStats

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.linter.rule_set import RuleSet


# Rules about waiting for a lock rather than taking one: their findings are as urgent as the table is big.
LOCK_WAIT_RULES = frozenset({"require-lock-timeout"})

StatsReader = Callable[[Sequence[str]], Mapping[str, TableStats]]


def lock_rule_names(rules: RuleSet) -> frozenset[str]:
    return frozenset(rule.name for rule in rules.rules if rule.lock is not None or rule.name in LOCK_WAIT_RULES)


def empty_table_rule_names(rules: RuleSet) -> frozenset[str]:
    """The lock rules whose findings a table with no rows makes moot."""
    return frozenset(rule.name for rule in rules.rules if rule.lock is not None and rule.empty_table_is_safe)


def is_empty(stats: TableStats) -> bool:
    """The database says the table holds no row: 0 is what the size query reports for a table
    with no data page at all (exact, whatever ANALYZE last saw), or whose last VACUUM or
    ANALYZE counted no live row in its pages (pg_class.reltuples = 0). A table never counted
    (-1: reltuples -1 from PostgreSQL 14, relpages 0 with data pages before) is not empty."""
    return stats.rows == 0


def with_table_sizes(
    findings: list[Finding],
    states: Iterable[AppliedState],
    settings: Settings,
    rules: RuleSet,
    read_stats: StatsReader | None = None,
) -> list[Finding]:
    """The findings, lock findings told the size of their table (read with `read_stats` when
    the states do not know it yet; what it reads goes into every state)."""
    lock_rules = lock_rule_names(rules)
    locking = [f for f in findings if f.rule in lock_rules and f.table]
    if not locking:
        return findings
    states = list(states)
    stats: dict[str, TableStats] = {}
    for state in states:
        stats.update(state.table_stats)
    unknown = sorted({f.table for f in locking if f.table and f.table not in stats})
    if unknown and read_stats is not None:
        fetched = dict(read_stats(unknown))
        stats.update(fetched)
        for state in states:
            state.table_stats.update(fetched)
    if not stats:
        return findings
    droppable = empty_table_rule_names(rules)
    empty = {id(f) for f in locking if f.rule in droppable and f.table in stats and is_empty(stats[f.table])}
    sized = {id(f) for f in locking if f.table in stats}
    return [
        _sized(f, stats[f.table], settings) if id(f) in sized and f.table else f
        for f in findings
        if id(f) not in empty
    ]


def _sized(finding: Finding, stats: TableStats, settings: Settings) -> Finding:
    assert finding.table is not None
    if 0 <= stats.rows < settings.small_table_rows:
        note = f"{format_rows(stats.rows)}: below small_table_rows, a warning"
        return replace(finding, severity=Severity.WARNING, message=_insert(finding.message, finding.table, note))
    return replace(finding, message=_insert(finding.message, finding.table, describe(stats)))


def describe(stats: TableStats) -> str:
    """ "2.4M rows, 1.8 GB"; the rows are PostgreSQL's estimate as of the last ANALYZE."""
    if stats.rows < 0:
        return f"{format_bytes(stats.bytes)}, rows not counted yet: never analyzed"
    return f"{format_rows(stats.rows)}, {format_bytes(stats.bytes)}"


def format_rows(rows: int) -> str:
    noun = "row" if rows == 1 else "rows"
    for limit, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if rows >= limit:
            value = rows / limit
            return f"{value:.1f}{suffix} {noun}" if value < 10 else f"{value:.0f}{suffix} {noun}"
    return f"{rows} {noun}"


def format_bytes(size: int) -> str:
    """As pg_size_pretty writes it, with one decimal below 10."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{size} bytes"
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _insert(message: str, table: str, note: str) -> str:
    """`note` in parentheses right after the first mention of the table, else at the end."""
    schema, _, name = table.partition(".")
    shown = str(TableName(schema or DEFAULT_SCHEMA, name))
    for mention in (f'"{shown}"', TableName(schema or DEFAULT_SCHEMA, name).sql()):
        at = message.find(mention)
        if at >= 0:
            end = at + len(mention)
            return f"{message[:end]} ({note}){message[end:]}"
    bare = re.search(rf"(?<![\w\"]){re.escape(shown)}(?![\w\"])", message)
    if bare:
        return f"{message[:bare.end()]} ({note}){message[bare.end():]}"
    return f'{message.rstrip(".")} ("{shown}": {note})'
