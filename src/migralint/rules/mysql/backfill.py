"""unbatched-backfill's verdict on MySQL and MariaDB: an UPDATE or DELETE of every row of a table that
may hold rows, in one statement.

InnoDB locks every row the statement changes until it commits (MySQL 8.4 manual, 17.7.3 "Locks Set
by Different SQL Statements in InnoDB": UPDATE ... WHERE and DELETE set an exclusive next-key lock on
every record the search encounters), keeps an undo log record of each (17.6.6 "Undo Logs"), and a
replica applies the statement, or its row events, as one transaction after the source committed it:
the replica falls behind by as long as the statement ran (19.4.11 "Delayed Replication" on lag;
binlog transactions are applied whole). UPDATE and DELETE on one table take LIMIT (15.2.17
"UPDATE Statement", 15.2.2 "DELETE Statement"), which is what batching needs.
"""

from __future__ import annotations

from collections.abc import Iterator

from migralint.findings import Finding, RuleInfo
from migralint.linter.model_context import ModelContext
from migralint.sql import ir
from migralint.sql.mysql.readings import MySqlNode

# Functions whose value changes between batches: a WHERE built on them never runs out of rows.
_VOLATILE = frozenset({"NOW", "CURRENT_TIMESTAMP", "CURRENTTIMESTAMP", "SYSDATE", "UTC_TIMESTAMP", "RAND", "UUID",
                       "UUID_SHORT", "UNIX_TIMESTAMP", "CURTIME", "CURRENT_TIME", "CURRENTTIME"})


def backfill_findings(rule: RuleInfo, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
    change = next((e for e in statement.events if isinstance(e, ir.DataChange)), None)
    if change is None or not change.all_rows or change.op not in ("update", "delete") or not change.table.name:
        return
    if not ctx.rows(change.table).may_hold_rows:
        return
    shown = ctx.sql.table(change.table)
    updating = change.op == "update"
    what = "changes" if updating else "deletes"
    yield ctx.finding(
        rule,
        f"{'UPDATE' if updating else 'DELETE'} without WHERE or LIMIT {what} every row of {shown} in one statement: "
        "InnoDB holds a row lock on each of them until it commits, so other writes to those rows wait; it keeps an "
        "undo record of every row; and replicas apply it as one transaction, falling behind by as long as it runs.",
        table=change.table,
        help=_help(statement, ctx, change.table, updating),
    )


def _help(statement: ir.Statement, ctx: ModelContext, table: ir.TableName, updating: bool) -> str:
    first = (
        "Change the rows in batches, each committed on its own, from a script or a job once the migration is "
        "deployed; repeat the statement until it changes no rows:"
    )
    shown = ctx.sql.table(table)
    raw = statement.raw
    node = raw.node if isinstance(raw, MySqlNode) else None
    if node is None or node.this is None or node.this.args.get("joins"):
        # A multi-table UPDATE / DELETE takes no LIMIT: batch on the key instead.
        return (f"{first}\n-- restrict it to a range of {shown}'s primary key per batch "
                "(WHERE id > <last> AND id <= <last> + 1000): a multi-table statement takes no LIMIT")
    if not updating:
        return "\n".join([
            first,
            f"DELETE FROM {shown} LIMIT 1000;",
            f"-- or, to empty the table at once: TRUNCATE TABLE {shown}; (DDL: it recreates the table, commits, and "
            "takes an exclusive metadata lock for a moment)",
        ])
    assignments = [a.sql(dialect="mysql") for a in node.expressions]
    settled = _settled(node)
    if settled is None:
        return "\n".join([
            first,
            f"-- UPDATE {shown} SET {', '.join(assignments)} WHERE <a condition true only for rows not yet "
            "changed> LIMIT 1000;",
        ])
    return "\n".join([first, f"UPDATE {shown} SET {', '.join(assignments)} WHERE {settled} LIMIT 1000;"])


def _settled(node: object) -> str | None:
    """A WHERE true only for the rows the UPDATE has not changed yet: NOT (column <=> value) for each
    assignment, when no value reads a column the statement sets or changes between batches."""
    from sqlglot import exp  # loaded already: a MySQL file was parsed

    if not isinstance(node, exp.Update):
        return None
    targets: list[str] = []
    conditions: list[str] = []
    for assignment in node.expressions:
        if not isinstance(assignment, exp.EQ) or not isinstance(assignment.this, exp.Column):
            return None
        targets.append(assignment.this.name.lower())
    for assignment in node.expressions:
        value = assignment.expression
        if any(c.name.lower() in targets for c in value.find_all(exp.Column)):
            return None  # SET n = n + 1: every batch changes it again
        names = {f.sql_name().upper() for f in value.find_all(exp.Func)} | {
            f.name.upper() for f in value.find_all(exp.Anonymous)}
        if names & _VOLATILE or isinstance(value, exp.Select) or value.find(exp.Select) is not None:
            return None
        conditions.append(f"NOT ({assignment.this.sql(dialect='mysql')} <=> {value.sql(dialect='mysql')})")
    return " OR ".join(conditions) if conditions else None
