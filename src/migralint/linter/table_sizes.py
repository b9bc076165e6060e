"""What production knows: lock findings say how big their table is, and small tables only warn.

Given the sizes a database reported (AppliedState.table_stats, "schema.table" -> rows and
bytes), each finding of a lock rule (a rule with a `lock`, and require-lock-timeout) on a
table with known size carries it (Finding.table_size, set here for the table the finding names
in Finding.table), and the reports show it right after the table's name
(report/table_size.py): `takes ACCESS EXCLUSIVE on "Booking" (2.4M rows, 1.8 GB): ...`. Below `small_table_rows`
rows the lock is over before anyone notices, and the finding becomes a warning that says so.
On a table the database says is empty (see `is_empty`) the lock is over as soon as it is
granted, and a lock rule's finding is dropped, unless the rule's harm does not depend on the
table's rows (`Rule.empty_table_is_safe`: a wait in the lock queue, a lock held through other
work); those findings keep their place and say "0 rows".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity, TableSize
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
    small = 0 <= stats.rows < settings.small_table_rows
    size = TableSize(finding.table, stats.rows, stats.bytes, small)
    return replace(finding, severity=Severity.WARNING if small else finding.severity, table_size=size)

