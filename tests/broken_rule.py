"""A rule with a bug, for tests/test_workers.py: at module level, so that a spawned worker can import it."""

from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, Severity
from migralint.linter.context import Context
from migralint.sql.postgres.nodes import TableName
from migralint.linter.parse import Statement
from migralint.rules.base import Rule


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
