from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.linter.concurrently import NON_TRANSACTIONAL_NOTE
from migralint.linter.parse import Statement
from migralint.linter.transactions import BlockOrigin
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context

_BEGIN = ("TRANS_STMT_BEGIN", "TRANS_STMT_START")
_END = ("TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE")
_HALF_APPLIED = "a failure after it leaves the migration half applied"


class TransactionNesting(Rule):
    name = "transaction-nesting"
    severity = Severity.ERROR
    summary = "BEGIN inside a transaction, or COMMIT / ROLLBACK outside the one it means to end."
    why = (
        "PostgreSQL has no nested transactions: a BEGIN inside a transaction is ignored with a "
        "warning, and the first COMMIT ends the outer transaction, so the statements after it run "
        "outside any transaction and a failure there leaves the migration half applied. Runners such "
        "as Flyway, diesel and dbmate already wrap each migration file in a transaction: a BEGIN ... "
        "COMMIT in the file ends the runner's transaction early. Prisma and golang-migrate send a file "
        "of several statements as one query, which PostgreSQL runs as one implicit transaction: a "
        "BEGIN there is fine (it makes that transaction explicit), but a COMMIT or ROLLBACK without "
        "one ends it in the middle of the file. A COMMIT or ROLLBACK with no transaction open at all "
        "does nothing but warn, and shows that the statements before it did not run as one "
        "transaction as the author meant."
    )
    bad = 'BEGIN;\nBEGIN;\nALTER TABLE "User" ADD COLUMN "nickname" TEXT;\nCOMMIT;'
    good = 'BEGIN;\nALTER TABLE "User" ADD COLUMN "nickname" TEXT;\nCOMMIT;'
    options = (
        "How a file runs comes from its migrations layout (Flyway, diesel and dbmate wrap it in a "
        "transaction; Prisma and golang-migrate send it as one query), or `assume_in_transaction = true` "
        "for plain files."
    )
    references = (
        "https://www.postgresql.org/docs/current/sql-begin.html",
        "https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT",
    )

    def check_file(self, ctx: Context) -> Iterable[Finding]:
        if not ctx.transaction_events:
            return ()
        return self._findings(ctx)

    def _findings(self, ctx: Context) -> Iterator[Finding]:
        first = ctx.statements[0].index
        for event in ctx.transaction_events:
            if event.kind == "uncommitted-begin":
                continue
            here = ctx.on(ctx.statements[event.statement - first])
            statement = here.statement
            if event.kind == "nested-begin":
                message, help = _nested_begin(here, statement)
            elif event.kind == "commit-ends-runner-transaction":
                message, help = _early_end(here, statement)
            else:
                word = _word(statement)
                undo = "undoes nothing" if word == "ROLLBACK" else "commits nothing"
                message = (
                    f"{word} with no transaction open: PostgreSQL only warns, and it {undo}. The statements before "
                    "it are already committed (one by one, or by an earlier COMMIT), not as the transaction it "
                    "seems to end."
                )
                help = (
                    f"Remove the {word}, or start the transaction it should end with BEGIN before the statements "
                    f"it covers.\n-- either delete this {word}, or put BEGIN; before the first statement it should "
                    "end (not here: a BEGIN in its place would end nothing)"
                )
            yield here.finding(self, message, help=help)


def _word(statement: Statement) -> str:
    return "ROLLBACK" if statement.node.get("kind") == "TRANS_STMT_ROLLBACK" else "COMMIT"


def _line(ctx: Context, statement: Statement) -> int:
    return ctx.parsed.index.position(statement.start)[0]


def _nested_begin(ctx: Context, statement: Statement) -> tuple[str, str]:
    position = statement.index - ctx.statements[0].index
    end = next((s for s in ctx.statements[position + 1 :] if _kind(s) in _END), None)
    outer = None
    for earlier in reversed(ctx.earlier):
        if _kind(earlier) in _END:
            break
        if _kind(earlier) in _BEGIN:
            outer = earlier
            break
    ends = (
        f"and the {_word(end)} on line {_line(ctx, end)} ends the outer transaction there: the statements after "
        "that line run outside any transaction, so a failure among them leaves the migration half applied."
        if end is not None
        else "so it starts nothing."
    )
    block = ctx.block
    if outer is None and block is not None and block.origin is BlockOrigin.RUNNER:
        return (
            ("BEGIN inside the runner's transaction, which already wraps this migration file: PostgreSQL "
            f"ignores it with a warning, {ends}"),
            ("Remove the BEGIN and its COMMIT: the runner already runs the file in one transaction. If the file "
            "must control its transactions itself, tell the runner not to wrap it.\n"
            f"-- delete this BEGIN and its COMMIT, or:\n{NON_TRANSACTIONAL_NOTE}"),
        )
    where = f"the transaction opened by BEGIN on line {_line(ctx, outer)}" if outer else "a transaction"
    return (
        f"BEGIN inside {where}: PostgreSQL has no nested transactions and ignores it with a warning, {ends}",
        ("Remove the inner BEGIN and its COMMIT; for a part that may fail on its own, use a savepoint.\n"
        "-- delete this BEGIN and its COMMIT, or, for a part that may fail on its own:\n"
        "SAVEPOINT before_step;\n-- ... and on failure:\nROLLBACK TO SAVEPOINT before_step;"),
    )


def _early_end(ctx: Context, statement: Statement) -> tuple[str, str]:
    word = _word(statement)
    block = ctx.block
    runner = block is not None and block.origin is BlockOrigin.RUNNER
    where = (
        "the runner's transaction, which wraps this migration file,"
        if runner
        else "the implicit transaction of the whole file (the runner sends it as one query)"
    )
    if word == "ROLLBACK":
        effect = "undoes every statement before it, and the runner still records the migration as applied."
    else:
        effect = f"commits the statements before it on their own, and {_HALF_APPLIED}."
    after = " The runner's own COMMIT then finds no transaction." if runner else ""
    return (
        f"{word} without BEGIN ends {where} before the end of the file: it {effect}{after}",
        ("Split the file into two migrations instead of ending the transaction in the middle of one.\n"
        f"-- delete this {word}, and move the statements after it into a migration of their own"),
    )


def _kind(statement: Statement) -> str | None:
    return statement.node.get("kind") if statement.kind == "TransactionStmt" else None
