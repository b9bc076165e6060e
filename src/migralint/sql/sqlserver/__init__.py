"""The SQL Server front end: a file's text into the statement model (`ir.ParsedFile`).

The file is cut here (`split`: batches at GO, Prisma's TRY/CATCH wrapper taken off), each
statement is read by sqlglot (read="tsql", pinned in pyproject) and turned into events and locks
(`statements`). What sqlglot does not model is read from the statement's words: transactions
(nested BEGIN TRAN counts), `sp_rename`, SET options, `ADD CONSTRAINT ... DEFAULT ... FOR`.

sqlglot is not a T-SQL validator (it refuses procedural T-SQL: IF/BEGIN/END blocks, DECLARE,
WHILE) and SQL Server's own parser is not at hand, so a statement sqlglot refuses is "not
understood" unless it is wrong in any T-SQL: its first word begins no T-SQL statement, or its
parentheses do not balance. Those are syntax errors (`statement_errors`); an unterminated
string, identifier or /* comment stops the file (`syntax_error`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from migralint.source import LineIndex
from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.sqlserver import statements
from migralint.sql.sqlserver.split import split
from migralint.sql.words import Piece, kind_of

logging.getLogger("sqlglot").setLevel(logging.ERROR)

# The first words of T-SQL statements (learn.microsoft.com/sql/t-sql/statements/statements and
# language-elements/control-of-flow): a statement that starts otherwise is an error everywhere.
_STATEMENT_WORDS = frozenset(
    """ADD ALTER BACKUP BEGIN BREAK BULK CHECKPOINT CLOSE COMMIT CONTINUE CREATE DBCC DEALLOCATE
    DECLARE DELETE DENY DISABLE DROP ELSE ENABLE END EXEC EXECUTE FETCH GOTO GRANT IF INSERT KILL
    MERGE MOVE OPEN PRINT RAISERROR READTEXT RECONFIGURE RESTORE RETURN REVERT REVOKE ROLLBACK SAVE
    SELECT SEND SET SETUSER SHUTDOWN THROW TRUNCATE UPDATE UPDATETEXT USE WAITFOR WHILE WITH
    WRITETEXT SP_RENAME SP_EXECUTESQL""".split()
)
_STRING = re.compile(r"N?'((?:[^']|'')*)'", re.I)
_QUOTED = re.compile(r"N?'(?:[^']|'')*'|\[[^\]]*\]|\"[^\"]*\"", re.I)
# Prisma's guarded copy: IF EXISTS(SELECT * FROM [old]) EXEC('INSERT INTO [new] ... FROM [old] ...')
_EXEC_STRING = re.compile(r"^IF\s+EXISTS\s*\(\s*SELECT\s+\*\s+FROM\s+[^()]*\)\s*EXEC(?:UTE)?\s*\(\s*N?'((?:[^']|'')*)'\s*\)\s*\Z", re.I | re.S)
# Dynamic SQL with a literal: EXEC('...'), EXEC sp_executesql N'...'. CREATE VIEW, CREATE TRIGGER and
# the like must begin a batch, so a migration that runs in one batch (Prisma's) writes them so.
_EXEC_LITERAL = re.compile(
    r"^EXEC(?:UTE)?\s*(?:\(\s*N?'(?P<paren>(?:[^']|'')*)'\s*\)|\s+sp_executesql\s+N?'(?P<proc>(?:[^']|'')*)')\s*\Z",
    re.I | re.S,
)
# UPDATE TOP (n) / DELETE TOP (n): a batch of rows, which sqlglot's T-SQL reader refuses.
_TOP = re.compile(r"^(UPDATE|DELETE)\s+TOP\s*\(\s*\d+\s*\)(?:\s*PERCENT)?", re.I)
_NOCHECK = re.compile(r"\bWITH\s+(NO)?CHECK\b(?=\s+ADD\b)", re.I)
_ALTER_HEAD = re.compile(
    r"ALTER\s+TABLE\s+((?:(?:\[[^\]]+\]|\"[^\"]+\"|\w+)\s*\.\s*)?(?:\[[^\]]+\]|\"[^\"]+\"|\w+))\s+ADD\s+(.*)\Z", re.I | re.S
)
_DROP_LIST = re.compile(
    r"ALTER\s+TABLE\s+((?:(?:\[[^\]]+\]|\"[^\"]+\"|\w+)\s*\.\s*)?(?:\[[^\]]+\]|\"[^\"]+\"|\w+))\s+DROP\s+(.*)\Z", re.I | re.S
)
_DROP_ITEM = re.compile(r"\s*(?:(CONSTRAINT|COLUMN)\s+)?(?:IF\s+EXISTS\s+)?(\[[^\]]+\]|\"[^\"]+\"|\w+)\s*(?:,|\Z)", re.I)


def parse(text: str, versions: Mapping[str, object] | None = None) -> ir.ParsedFile:
    """The model of a SQL Server migration file. Never raises on bad SQL."""
    index = LineIndex(text)
    cut = split(text)
    read: list[ir.Statement] = []
    problems: list[ir.SyntaxProblem] = []
    depth = 0  # @@TRANCOUNT as the file runs
    created: set[ir.TableName] = set()
    for number, piece in enumerate(cut.pieces):
        sql = text[piece.start : piece.end]
        tx = _transaction(piece.words)
        if tx is not None:
            statement, depth = _tx_statement(number, piece, tx, depth)
            read.append(statement)
            continue
        statement, problem = _statement(number, piece, sql, created)
        for event in statement.events:
            if isinstance(event, ir.CreateTable):
                created.add(event.table)
        read.append(statement)
        if problem is not None:
            problems.append(problem)
    nul = text.find("\x00")
    return ir.ParsedFile(
        Dialect.SQLSERVER, index, tuple(read), cut.comments, cut.problem,
        nul if nul >= 0 else None, tuple(problems),
    )


class SqlServerText:
    """Help SQL in T-SQL (a linter.model_context.SqlText): names in [], `]` doubled."""

    def quote(self, name: str) -> str:
        return "[" + name.replace("]", "]]") + "]"

    def table(self, table: ir.TableName) -> str:
        name = self.quote(table.name)
        return name if table.schema in ("", statements.DEFAULT_SCHEMA) else f"{self.quote(table.schema)}.{name}"

    def name(self, table: ir.TableName) -> str:
        return table.name if table.schema in ("", statements.DEFAULT_SCHEMA) else table.qualified()

    def alter_table(self, statement: ir.Statement) -> str:
        table = statement.tables[0] if statement.tables else ir.TableName("", "")
        return f"ALTER TABLE {self.table(table)}"

    def add_column_steps(self, statement: ir.Statement, event: ir.AddColumn) -> list[str]:
        """Nullable first, a batched backfill, then NOT NULL: every line runs on SQL Server as
        written (the value to backfill is the user's, so that step is a comment)."""
        column, prefix = event.column, self.alter_table(statement)
        c, t = self.quote(column.name), self.table(event.table)
        return [
            f"{prefix} ADD {c} {column.type} NULL;",
            "-- in a migration of its own, repeat until it updates no rows (the value is yours to choose):",
            f"-- UPDATE TOP (10000) {t} SET {c} = <value> WHERE {c} IS NULL;",
            "-- then, once no row holds NULL (this checks every row under a Sch-M lock):",
            f"{prefix} ALTER COLUMN {c} {column.type} NOT NULL;",
        ]


SQL_TEXT = SqlServerText()


def _transaction(words: tuple[str, ...]) -> ir.Tx | None:
    """BEGIN TRAN[SACTION], BEGIN DISTRIBUTED TRAN, COMMIT [TRAN | WORK], ROLLBACK, SAVE TRAN
    (learn.microsoft.com/sql/t-sql/language-elements/transactions-transact-sql)."""
    first = words[0] if words else ""
    second = words[1] if len(words) > 1 else ""
    tran = ("TRAN", "TRANSACTION")
    if first == "BEGIN" and (second in tran or (second == "DISTRIBUTED" and words[2:3] and words[2] in tran)):
        return ir.Tx.BEGIN
    if first == "COMMIT" and (second in (*tran, "WORK", "") or len(words) == 1):
        return ir.Tx.COMMIT
    if first == "ROLLBACK" and (second in (*tran, "WORK") or len(words) == 1):
        # ROLLBACK TRAN savepoint_name undoes back to the savepoint only; a transaction's own
        # name would be the same shape, but Prisma and hand-written migrations name neither.
        return ir.Tx.ROLLBACK_TO if len(words) > 2 and second in tran else ir.Tx.ROLLBACK
    if first == "SAVE" and second in tran:
        return ir.Tx.SAVEPOINT
    return None


def _tx_statement(number: int, piece: Piece, tx: ir.Tx, depth: int) -> tuple[ir.Statement, int]:
    """Only the outermost BEGIN TRAN and COMMIT begin and end a transaction: an inner BEGIN TRAN
    adds one to @@TRANCOUNT and its COMMIT takes one away, committing nothing; ROLLBACK undoes
    them all (learn.microsoft.com/sql/t-sql/language-elements/commit-transaction-transact-sql).
    The inner ones are kept as transaction statements with no `tx`."""
    shown: ir.Tx | None = tx
    if tx is ir.Tx.BEGIN:
        shown = tx if depth == 0 else None
        depth += 1
    elif tx is ir.Tx.COMMIT:
        shown = tx if depth <= 1 else None
        depth = max(depth - 1, 0)
    elif tx is ir.Tx.ROLLBACK:
        depth = 0
    node_type = "Transaction" if shown is not None else "NestedTransaction"
    return ir.Statement(number, ir.Kind.TRANSACTION, piece.start, piece.end, tx=shown, node_type=node_type), depth


def _statement(
    number: int, piece: Piece, sql: str, created: set[ir.TableName]
) -> tuple[ir.Statement, ir.SyntaxProblem | None]:
    words = piece.words
    if words[:1] == ("SP_RENAME",) or (words[:1] in (("EXEC",), ("EXECUTE",)) and words[1:2] == ("SP_RENAME",)):
        arguments = [m.group(1).replace("''", "'") for m in _STRING.finditer(sql)]
        return _built(number, piece, statements.rename(arguments, created), "sp_rename", None), None
    if words[:1] == ("SET",) and len(words) >= 2:
        value = sql.split(None, 2)[2].strip() if len(sql.split(None, 2)) > 2 else ""
        setting = ir.Setting(words[1].lower(), value)
        return ir.Statement(number, ir.Kind.SET, piece.start, piece.end, node_type="Set", setting=setting), None
    if words[:1] == ("IF",) and (inner := _EXEC_STRING.search(sql)) is not None:
        reading = _prisma_copy(inner.group(1).replace("''", "'"))
        if reading is not None:
            return _built(number, piece, reading, "IfBlock", None), None
    if words[:1] in (("EXEC",), ("EXECUTE",)) and (literal := _EXEC_LITERAL.match(sql)) is not None:
        dynamic = _inner_reading((literal["paren"] if literal["paren"] is not None else literal["proc"]).replace("''", "'"))
        if dynamic is not None:
            return _built(number, piece, dynamic[0], "Exec", dynamic[1]), None
    if (top := _TOP.match(sql)) is not None:
        return _top(number, piece, sql, top)
    try:
        node = sqlglot.parse_one(sql, read="tsql")
    except (ParseError, TokenError) as error:
        return _refused(number, piece, sql, error)
    except RecursionError:
        return ir.Statement(number, kind_of(words, _VERBS), piece.start, piece.end, understood=False), None
    if isinstance(node, exp.Command) or not isinstance(node, exp.Expression):
        reading = _command(sql) if words[:2] == ("ALTER", "TABLE") else None
        if reading is not None:
            return _built(number, piece, reading, "Alter", node), None
        return ir.Statement(number, kind_of(words, _VERBS), piece.start, piece.end, understood=False, node_type="Command", raw=node), None
    return _built(number, piece, statements.read(node, sql), type(node).__name__, node), None


def _inner_reading(inner: str) -> tuple[statements.Reading, object] | None:
    """The one statement inside dynamic SQL, or None (several, or one sqlglot refuses: the EXEC
    stays not understood)."""
    try:
        nodes = sqlglot.parse(inner, read="tsql")
    except (ParseError, TokenError, RecursionError):
        return None
    found = [node for node in nodes if node is not None]
    if len(found) != 1 or isinstance(found[0], exp.Command) or not isinstance(found[0], exp.Expression):
        return None
    reading = statements.read(found[0], inner)
    return (reading, found[0]) if reading.understood else None


def _top(number: int, piece: Piece, sql: str, top: re.Match[str]) -> tuple[ir.Statement, ir.SyntaxProblem | None]:
    """UPDATE TOP (n) ... / DELETE TOP (n) ...: read without TOP, then as the batch it is (not every row)."""
    blanked = top.group(1) + " " * (top.end() - len(top.group(1))) + sql[top.end():]
    try:
        node = sqlglot.parse_one(blanked, read="tsql")
    except (ParseError, TokenError) as error:
        return _refused(number, piece, sql, error)
    except RecursionError:
        return ir.Statement(number, kind_of(piece.words, _VERBS), piece.start, piece.end, understood=False), None
    if not isinstance(node, (exp.Update, exp.Delete)):
        return ir.Statement(number, kind_of(piece.words, _VERBS), piece.start, piece.end, understood=False), None
    reading = statements.read(node, blanked)
    events = tuple(ir.DataChange(e.table, e.op) if isinstance(e, ir.DataChange) else e
                   for e in reading.events)
    locks = tuple(lock._replace(work=None) for lock in reading.locks)
    return _built(number, piece, reading._replace(events=events, locks=locks), type(node).__name__, node), None


def _prisma_copy(inner: str) -> statements.Reading | None:
    # sqlglot wants table hints separated by commas; Prisma writes `WITH (holdlock tablockx)`,
    # spaces being the older, deprecated form SQL Server still reads. The lock is modelled anyway.
    inner = re.sub(r"\bWITH\s*\(\s*holdlock\s+tablockx\s*\)\s*\Z", "", inner.strip(), flags=re.I)
    try:
        node = sqlglot.parse_one(inner, read="tsql")
    except (ParseError, TokenError, RecursionError):
        return None
    return statements.copy(node) if isinstance(node, exp.Insert) else None


def _command(sql: str) -> statements.Reading | None:
    """The ALTER TABLE forms sqlglot leaves a Command: WITH [NO]CHECK ADD CONSTRAINT, ADD
    CONSTRAINT ... DEFAULT ... FOR, DROP of several constraints or columns."""
    nocheck = _NOCHECK.search(sql)
    if nocheck is not None:
        blanked = sql[: nocheck.start()] + " " * (nocheck.end() - nocheck.start()) + sql[nocheck.end() :]
        try:
            node = sqlglot.parse_one(blanked, read="tsql")
        except (ParseError, TokenError, RecursionError):
            return None
        if not isinstance(node, exp.Alter):
            return _command(blanked)
        reading = statements.read(node, blanked)
        if nocheck.group(1):  # NOCHECK: existing rows are not checked
            events = tuple(
                ir.AddConstraint(e.table, e.kind, e.name, e.columns, False, e.references, e.on_delete)
                if isinstance(e, ir.AddConstraint) and e.kind in (ir.ConstraintKind.FOREIGN_KEY, ir.ConstraintKind.CHECK) else e
                for e in reading.events
            )
            locks = tuple(statements.sch_m(lock.table) for lock in reading.locks)
            return reading._replace(events=events, locks=locks)
        return reading
    head = _ALTER_HEAD.match(sql)
    if head is not None:
        return statements.default_constraints(_table(head.group(1)), head.group(2))
    drop = _DROP_LIST.match(sql)
    if drop is not None:
        table = _table(drop.group(1))
        dropped: list[ir.Event] = []
        what = "CONSTRAINT"
        position, rest = 0, drop.group(2)
        while position < len(rest):
            item = _DROP_ITEM.match(rest, position)
            if item is None or item.end() == position:
                return None
            what = (item.group(1) or what).upper()  # a bare name continues the list before it
            column = statements.name(item.group(2))
            dropped.append(ir.DropColumn(table, column) if what == "COLUMN" else ir.DropConstraint(table, column))
            position = item.end()
        return statements.Reading(ir.Kind.ALTER_TABLE, (table,), tuple(dropped), (statements.sch_m(table),))
    return None


def _table(text: str) -> ir.TableName:
    parts = [p.strip().strip("[]\"").lower() for p in re.findall(r"\[[^\]]+\]|\"[^\"]+\"|\w+", text)]
    return ir.TableName(parts[0] if len(parts) > 1 else statements.DEFAULT_SCHEMA, parts[-1])


def _refused(number: int, piece: Piece, sql: str, error: Exception) -> tuple[ir.Statement, ir.SyntaxProblem | None]:
    statement = ir.Statement(number, kind_of(piece.words, _VERBS), piece.start, piece.end, understood=False, node_type="ParseError")
    bare = _QUOTED.sub(lambda m: " " * len(m.group(0)), sql)
    first = re.match(r"\s*(\w+)", bare)
    if first is None or first.group(1).upper() not in _STATEMENT_WORDS:
        return statement, ir.SyntaxProblem(f"a T-SQL statement cannot begin with {sql.split(None, 1)[0]!r}", piece.start)
    opened: list[int] = []
    for offset, ch in enumerate(bare):
        if ch == "(":
            opened.append(offset)
        elif ch == ")":
            if not opened:
                return statement, ir.SyntaxProblem("unbalanced ')'", piece.start + offset)
            opened.pop()
    if opened:  # the outermost one left open: where the reader loses track
        return statement, ir.SyntaxProblem("'(' is never closed", piece.start + opened[0])
    return statement, None


def _built(number: int, piece: Piece, reading: statements.Reading, node_type: str, node: object) -> ir.Statement:
    return ir.Statement(
        number, reading.kind, piece.start, piece.end, reading.tables, reading.locks, reading.events,
        understood=reading.understood, node_type=node_type, raw=node,
    )


# What the first word says of a statement the parser could not read, besides CREATE, ALTER and DROP.
_VERBS = {
    "INSERT": ir.Kind.INSERT, "MERGE": ir.Kind.INSERT, "UPDATE": ir.Kind.UPDATE, "DELETE": ir.Kind.DELETE,
    "SELECT": ir.Kind.SELECT, "TRUNCATE": ir.Kind.TRUNCATE,
}
