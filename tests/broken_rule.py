"""A rule with a bug, for tests/test_workers.py: at module level, so that a spawned worker can import it."""

from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.context import Context
from migralint.sql.postgres.nodes import TableName
from migralint.linter.parse import Statement
from migralint.linter.history_context import HistoryContext
from migralint.rules.base import HistoryRule, Rule


class BrokenOnPost(Rule):
    name = "broken-on-post"
    severity = Severity.ERROR
    summary = "Fails on every UPDATE of a table called Post (a stand-in for a bug in a rule)."
    why = "It is a test."
    bad = 'UPDATE "Post" SET v = 1;'
    good = 'UPDATE "User" SET v = 1;'
    nodes = ("UpdateStmt",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        if TableName.from_range_var(statement.node["relation"]).name == "Post":
            raise RuntimeError("a bug in a rule")
        return iter(())


class BrokenOnApp1(HistoryRule):
    """A history rule with a bug in one folder (app1's), and a finding about every other folder's
    first migration: what it reports shows in which order, and whether, folders were checked."""

    name = "broken-on-app1"
    severity = Severity.WARNING
    summary = "Fails on the folder app1/prisma/migrations (a stand-in for a bug in a history rule)."
    why = "It is a test."
    bad = "app1/prisma/migrations"
    good = "app0/prisma/migrations"

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        if ctx.root.parts[-3] == "app1":
            raise RuntimeError("a bug in a history rule")
        first = ctx.migrations[0]
        yield Finding(str(first.path), 1, 1, 1, 2, self.name, self.severity, f"{ctx.root} checked", "")
