from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.constraint_sql import clause_end
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import Node, TableName, quote_ident, unwrap
from migralint.linter.objects import ObjectName, created_earlier
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_WAITS = "INSERT, UPDATE and DELETE on them wait until every row is checked"


class BanAlterDomainWithAddConstraint(Rule):
    name = "ban-alter-domain-with-add-constraint"
    severity = Severity.WARNING
    lock = Lock.SHARE
    nodes = ("AlterDomainStmt",)
    summary = "ALTER DOMAIN ... ADD CONSTRAINT checks every column of the domain while blocking writes to their tables."
    why = (
        "Adding a constraint to a domain checks every existing value of every column of that domain, in "
        "every table, and holds a SHARE lock on each of those tables until the transaction commits: "
        "INSERT, UPDATE and DELETE on them wait. ALTER DOMAIN ... SET NOT NULL does the same. Adding the "
        "constraint NOT VALID skips the check (new values are still checked). VALIDATE CONSTRAINT then "
        "checks the old values, but before PostgreSQL 19 it too holds SHARE on those tables while it scans "
        "(and in the same transaction as the ADD it gains nothing at all), so it is flagged there; from 19 it "
        "takes SHARE UPDATE EXCLUSIVE and lets writes go on. "
        "A domain created earlier in the same file is not flagged."
    )
    bad = 'ALTER DOMAIN "Amount" ADD CONSTRAINT "Amount_positive" CHECK (VALUE > 0);'
    good = 'ALTER DOMAIN "Amount" ADD CONSTRAINT "Amount_positive" CHECK (VALUE > 0) NOT VALID;'
    options = "`pg_version` 19 and later: VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE and is not flagged."
    references = ("https://www.postgresql.org/docs/current/sql-alterdomain.html",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        domain = TableName.from_names(node.get("typeName", []))
        if created_earlier(ctx, ObjectName("type", domain)):
            return
        subtype = node.get("subtype")
        where = f'every table with a column of domain "{domain}"'
        if subtype == "C" and node.get("def"):
            constraint = unwrap(node["def"])[1]
            if constraint.get("skip_validation"):
                return
            yield ctx.finding(
                self,
                f"ADD CONSTRAINT on domain \"{domain}\" checks every value of it, holding SHARE on {where}: {_WAITS}.",
                help=_not_valid_help(ctx, statement, domain, constraint),
            )
        elif subtype == "O":
            yield ctx.finding(
                self,
                f"SET NOT NULL on domain \"{domain}\" checks every value of it, holding SHARE on {where}: {_WAITS}.",
                help=_not_valid_help(ctx, statement, domain, None),
            )
        elif subtype == "V":
            if ctx.pg_version >= 19:
                return  # validation takes SHARE UPDATE EXCLUSIVE there, and ADD ... NOT VALID locked no table
            name = node.get("name", "")
            added_here = self._added_not_valid_in_transaction(ctx, domain, name)
            if added_here:
                message = (
                    f'VALIDATE CONSTRAINT "{name}" runs in the same transaction as its ADD ... NOT VALID, so NOT VALID '
                    f'gains nothing: it checks every value of domain "{domain}" holding SHARE on {where}: {_WAITS}.'
                )
            else:
                message = (
                    f'VALIDATE CONSTRAINT "{name}" checks every value of domain "{domain}" holding SHARE (before '
                    f"PostgreSQL 19) on {where}: {_WAITS}."
                )
            yield ctx.finding(
                self,
                message,
                help=(
                    "Leave the constraint NOT VALID (it already checks new values) or validate it in a migration "
                    "of its own at a quiet time; from PostgreSQL 19 validation lets writes go on.\n"
                    f"-- in a migration of its own, when writes to those tables may wait:\n"
                    f"ALTER DOMAIN {domain.sql()} VALIDATE CONSTRAINT {quote_ident(name)};"
                ),
            )

    def _added_not_valid_in_transaction(self, ctx: Context, domain: TableName, name: str) -> bool:
        for earlier in ctx.earlier:
            if earlier.kind != "AlterDomainStmt":
                continue  # before reading the tree: a large file's trees are parsed again when read
            node = earlier.node
            if node.get("subtype") != "C" or not ctx.same_transaction(earlier):
                continue
            constraint = unwrap(node["def"])[1] if node.get("def") else {}
            if TableName.from_names(node.get("typeName", [])) == domain and constraint.get("conname") == name:
                return True
        return False


def _not_valid_help(ctx: Context, statement: Statement, domain: TableName, constraint: Node | None) -> str:
    if constraint is None or constraint.get("contype") != "CONSTR_CHECK":
        # NOT NULL cannot be added NOT VALID to a domain; the equivalent CHECK can.
        name = quote_ident((constraint or {}).get("conname") or f"{domain.name}_not_null")
        clause = f"CONSTRAINT {name} CHECK (VALUE IS NOT NULL)"
    else:
        start = ctx.node_offset(constraint.get("location", -1))
        clause = ctx.parsed.text[start : clause_end(ctx.parsed.text, start, statement.end)]
    return (
        "Add it NOT VALID, which checks new values at once without scanning the old ones; validate later, "
        "in a migration of its own (before PostgreSQL 19 validation still blocks writes).\n"
        f"ALTER DOMAIN {domain.sql()} ADD {clause} NOT VALID;"
    )
