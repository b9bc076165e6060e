"""Rules never move the engine's cursor and keep their notes typed.

Only the engines (linter/engine.py, model_view.py, model_engine.py) say which statement is being
checked (`at`); a rule that reports on another statement asks for a view of it (`ctx.on`), and
what it gathers from statement to statement lives in `ctx.state(SomeClass)`, which mypy checks,
not in an untyped dict.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from migralint.config import Settings
from migralint.findings import Finding, Severity
from migralint.linter.context import Context
from migralint.linter.engine import lint_text
from migralint.linter.file_schema import FileSchema
from migralint.linter.rule_set import RuleSet
from migralint.linter.parse import Statement, parse_source
from migralint.migrations.layouts import RunnerMode, Section
from migralint.rules.base import Rule

RULES = Path(__file__).resolve().parents[2] / "src" / "migralint" / "rules"


def _calls(attribute: str) -> list[str]:
    found = []
    for module in sorted(RULES.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attribute:
                found.append(f"{module.relative_to(RULES)}:{node.lineno}")
            if isinstance(node, ast.Attribute) and node.attr == "_position":
                found.append(f"{module.relative_to(RULES)}:{node.lineno} _position")
    return found


def test_no_rule_moves_the_cursor() -> None:
    assert _calls("at") == []


def test_no_rule_keeps_untyped_scratch_notes() -> None:
    assert _calls("scratch") == []


@dataclass
class _Seen:
    statements: list[int] = field(default_factory=list)


class _ReportsEveryOther(Rule):
    """Gathers statements as they are checked, then reports on each from check_file."""

    name = "reports-every-other"
    severity = Severity.WARNING
    summary = why = bad = good = "x"
    nodes = ("AlterTableStmt",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        ctx.state(_Seen).statements.append(statement.index - ctx.statements[0].index)
        return iter(())

    def check_file(self, ctx: Context) -> Iterator[Finding]:
        for position in ctx.state(_Seen).statements:
            here = ctx.on(ctx.statements[position])
            yield here.finding(self, f"new={here.is_new_table(here.statement.node['relation'])}")


class _ReportsWhereItIs(Rule):
    """A check_file that reports on the statement the engine left it at."""

    name = "reports-where-it-is"
    severity = Severity.WARNING
    summary = why = bad = good = "x"

    def check_file(self, ctx: Context) -> Iterator[Finding]:
        yield ctx.finding(self, f"at {ctx.position}")


def _lint(sql: str, rules: list[Rule]) -> list[tuple[int, str, str]]:
    names = [r.name for r in rules]
    report = lint_text(sql, path="m.sql", sections=[Section(0, len(sql), RunnerMode.TRANSACTION)],
                       settings=Settings(select=tuple(names)), rules=RuleSet(rules, names))
    return sorted((f.line, f.rule, f.message) for f in report.findings)


def test_a_view_answers_for_its_statement_and_leaves_the_cursor_alone() -> None:
    sql = (
        'ALTER TABLE "User" ADD COLUMN "a" int;\n'
        'CREATE TABLE "Post" ("id" int);\n'
        'ALTER TABLE "Post" ADD COLUMN "b" int;\n'
        'ALTER TABLE "User" ADD COLUMN "c" int;\n'
    )
    assert _lint(sql, [_ReportsEveryOther(), _ReportsWhereItIs()]) == [
        (1, "reports-every-other", "new=False"),
        (1, "reports-where-it-is", "at 0"),  # the views of the rule checked before it moved nothing
        (3, "reports-every-other", "new=True"),  # "Post" was created on line 2
        (4, "reports-every-other", "new=False"),
    ]


class _Shared:
    def __init__(self) -> None:
        self.count = 0


def test_state_is_one_instance_per_class_and_owner() -> None:
    parsed = parse_source("SELECT 1;\n")
    ctx = Context(path="m.sql", parsed=parsed, statements=parsed.statements, blocks=[None], runner=RunnerMode.TRANSACTION,
                  settings=Settings(), schema=FileSchema.of(parsed.statements))
    ctx.state(_Shared).count += 1
    ctx.state(_Shared).count += 1
    ctx.on(parsed.statements[0]).state(_Shared).count += 1  # a view shares the section's state
    ctx.state(_Shared, "other").count += 5
    assert ctx.state(_Shared).count == 3
    assert ctx.state(_Shared, "other").count == 5
