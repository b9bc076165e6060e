from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import own_migration_note
from migralint.linter.constraint_sql import alter_table_prefix
from migralint.sql.postgres.locks import Lock
from migralint.sql.postgres.nodes import TableName, subcommand_definitions
from migralint.linter.parse import Statement
from migralint.linter.suppressions import ignore_comment
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class RequireConcurrentPartitionDetach(Rule):
    name = "require-concurrent-partition-detach"
    severity = Severity.ERROR
    lock = Lock.ACCESS_EXCLUSIVE
    # The harm is the wait in the lock queue on the partitioned table, whatever its rows.
    empty_table_is_safe = False
    nodes = ("AlterTableStmt",)
    subcommands = ("AT_DetachPartition",)
    summary = "DETACH PARTITION without CONCURRENTLY makes every query on the partitioned table wait."
    why = (
        "ALTER TABLE ... DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table. The "
        "detach itself is quick, but it first waits for every query already running on the table, and "
        "while it waits every new query on the table, reads included, queues behind it. DETACH PARTITION "
        "... CONCURRENTLY (PostgreSQL 14 and later) takes only SHARE UPDATE EXCLUSIVE on the partitioned "
        "table and lets queries go on; it cannot run inside a transaction block, and with a default "
        "partition it is refused. Before PostgreSQL 14 there is no concurrent form: keep the wait short "
        "with lock_timeout. A partitioned table created earlier in the same file is not flagged."
    )
    bad = 'ALTER TABLE "Event" DETACH PARTITION "Event_2023";'
    good = 'ALTER TABLE "Event" DETACH PARTITION "Event_2023" CONCURRENTLY;'
    options = "`pg_version` below 14: the help sets lock_timeout instead, as there is no CONCURRENTLY."
    references = ("https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION",)

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        node = statement.node
        table = ctx.altered_existing_table(statement)
        if table is None:
            return
        for number, _, _, partition_cmd in subcommand_definitions(node, "AT_DetachPartition"):
            if partition_cmd.get("concurrent"):
                continue
            partition = TableName.from_range_var(partition_cmd.get("name", {}))
            detach = f"{alter_table_prefix(node)} DETACH PARTITION {partition.sql()}"
            if ctx.pg_version >= 14:
                help = (
                    "Detach it with CONCURRENTLY, which lets queries go on but cannot run inside a transaction "
                    "(nor with a default partition).\n"
                    f"{own_migration_note(ctx.runner)}\n{detach} CONCURRENTLY;"
                )
            else:
                help = (
                    f"PostgreSQL {ctx.pg_version} has no DETACH PARTITION CONCURRENTLY (it came in 14): keep the "
                    "lock wait short so that queries do not queue behind it, and retry when it times out.\n"
                    f"SET lock_timeout = '5s';\n"
                    f"{ignore_comment(self.name, 'no concurrent form before PostgreSQL 14; lock_timeout is set')}\n"
                    f"{detach};"
                )
            yield ctx.finding(
                self,
                f'DETACH PARTITION "{partition}" takes ACCESS EXCLUSIVE on "{table}": every query on "{table}", '
                "reads included, waits until the transaction commits, and the detach itself waits behind any "
                "long query already running.",
                help=help,
                span=ctx.subcommand_span(number),
            )
