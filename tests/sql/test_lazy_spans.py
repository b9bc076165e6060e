"""The event spans of an ALTER TABLE found when first read (ir.LazySpans): the same spans as
found up front, equal to and hashed as that tuple, and pickled as it for the result cache."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

from migralint.config import Settings
from migralint.findings import Finding, Severity
from migralint.linter.engine import lint_text
from migralint.linter.model_context import ModelContext
from migralint.linter.parse import parse_source, subcommand_spans
from migralint.linter.rule_set import RuleSet
from migralint.migrations.layouts import RunnerMode, Section
from migralint.rules.base import Rule
from migralint.sql import ir
from migralint.sql.ir_statement import LazySpans
from migralint.sql.postgres.model import build_statement

SQL = 'SELECT 1;\nALTER TABLE "é☕" DROP COLUMN "a",\n  ADD COLUMN "b" int, ALTER COLUMN "c" SET NOT NULL;\n'


def _eager_and_lazy(sql: str) -> tuple[ir.Statement, ir.Statement]:
    parsed = parse_source(sql)
    s = parsed.statements[-1]
    count = len(s.node["cmds"])
    eager = build_statement(s.index, s.kind, s.node, s.start, s.end,
                            command_spans=subcommand_spans(parsed, s, count))
    asked: list[int] = []

    def find() -> list[tuple[int, int]]:
        asked.append(1)
        return subcommand_spans(parsed, s, count)

    lazy = build_statement(s.index, s.kind, s.node, s.start, s.end, command_spans=find)
    assert isinstance(lazy.event_spans, LazySpans) and not asked  # nothing found while building
    assert list(lazy.event_spans) == list(eager.event_spans) and asked == [1]
    lazy.event_spans[0]
    assert asked == [1]  # found once
    return eager, lazy


def test_lazy_spans_are_the_spans_found_up_front() -> None:
    eager, lazy = _eager_and_lazy(SQL)
    assert [SQL[a:b] for a, b in lazy.event_spans] == ['DROP COLUMN "a"', 'ADD COLUMN "b" int', 'ALTER COLUMN "c" SET NOT NULL']
    assert lazy == eager and repr(lazy) == repr(eager)  # a statement holding its tree has no hash
    assert hash(lazy.event_spans) == hash(eager.event_spans)
    assert lazy.event_spans == eager.event_spans and eager.event_spans == lazy.event_spans
    assert lazy.event_spans != ((0, 1),) * 3
    assert lazy.span_of(lazy.events[1]) == eager.event_spans[1]


def test_a_pickle_holds_the_plain_tuple() -> None:
    _, lazy = _eager_and_lazy(SQL)
    loaded = pickle.loads(pickle.dumps(lazy))
    assert type(loaded.event_spans) is tuple and loaded == lazy


def test_spans_not_found_point_at_the_whole_statement() -> None:
    # `ALTER TABLE t ADD` split into fewer pieces than it has subcommands: the whole statement.
    parsed = parse_source(SQL)
    s = parsed.statements[-1]
    lazy = build_statement(s.index, s.kind, s.node, s.start, s.end, command_spans=lambda: [(s.start, s.end)])
    assert tuple(lazy.event_spans) == ((s.start, s.end),) * 3


class PointsAtDrops(Rule):
    name = "points-at-drops"
    severity = Severity.ERROR
    summary = why = bad = good = "x"
    kinds = (ir.Kind.ALTER_TABLE,)

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        for event in statement.events:
            if isinstance(event, (ir.DropColumn, ir.SetNotNull)):
                yield ctx.finding(self, "here", span=statement.span_of(event))


def test_a_model_rule_finding_lands_on_its_subcommand() -> None:
    report = lint_text(SQL, path="m.sql", sections=[Section(0, len(SQL), RunnerMode.TRANSACTION)],
                       settings=Settings(select=("points-at-drops",)), rules=RuleSet([PointsAtDrops()], ["points-at-drops"]),
                       migration="m2")
    assert [(f.line, f.column, f.end_line, f.end_column) for f in report.findings] == [(2, 18, 2, 33), (3, 23, 3, 52)]
