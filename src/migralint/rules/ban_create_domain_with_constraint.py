from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.constraint_sql import without_span
from migralint.sql.postgres.nodes import TableName, unwrap
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class BanCreateDomainWithConstraint(Rule):
    name = "ban-create-domain-with-constraint"
    severity = Severity.WARNING
    nodes = ("CreateDomainStmt",)
    summary = "A CHECK constraint on a domain is hard to change later without blocking writes."
    why = (
        "A domain's CHECK constraint applies to every column of that domain, in every table. Changing it "
        "later means ALTER DOMAIN ... ADD CONSTRAINT, which checks every one of those columns while it "
        "holds a SHARE lock on each table (writes wait), and before PostgreSQL 19 VALIDATE CONSTRAINT "
        "does the same. A CHECK constraint on a table can be added NOT VALID and validated under SHARE "
        "UPDATE EXCLUSIVE, which lets writes go on: keep domains as plain aliases and put the checks "
        "on the tables."
    )
    bad = "CREATE DOMAIN \"Amount\" AS NUMERIC(15, 5) CHECK (VALUE > 0);"
    good = "CREATE DOMAIN \"Amount\" AS NUMERIC(15, 5);"
    references = ("https://www.postgresql.org/docs/current/sql-createdomain.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        constraints = [unwrap(c)[1] for c in node.get("constraints", [])]
        checks = [c for c in constraints if c.get("contype") == "CONSTR_CHECK"]
        if not checks:
            return
        domain = TableName.from_names(node.get("domainname", []))
        text = ctx.parsed.text[statement.start : statement.end]
        # Constraints follow each other without commas: each clause ends where the next begins.
        starts = sorted(ctx.node_offset(c["location"]) - statement.start for c in constraints if c.get("location", -1) >= 0)
        plain = text
        for check in sorted(checks, key=lambda c: int(c.get("location", -1)), reverse=True):
            if check.get("location", -1) < 0:
                continue
            start = ctx.node_offset(check["location"]) - statement.start
            end = next((s for s in starts if s > start), len(text))
            plain = without_span(plain, start, end)
        first = checks[0]
        yield ctx.finding(
            self,
            f'CREATE DOMAIN "{domain}" with a CHECK constraint: changing that check later re-checks every column '
            "of the domain in every table while holding SHARE on each (INSERT, UPDATE and DELETE wait).",
            help=(
                "Keep the domain a plain alias and put the check on each table that uses it, where it can be "
                "added NOT VALID and validated without blocking writes.\n"
                f"{plain};\n"
                "-- on each table: ALTER TABLE <table> ADD CONSTRAINT <name> CHECK (<the check, on the column>) "
                "NOT VALID; then, in a later migration, ALTER TABLE <table> VALIDATE CONSTRAINT <name>;"
            ),
            location=first.get("location"),
        )
