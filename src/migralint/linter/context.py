"""What a rule may know while it checks one statement: the file, its schema, its transactions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from migralint.findings import Finding, Fix, Severity, RuleInfo
from migralint.linter.catalog import Catalog
from migralint.linter.file_schema import FileSchema
from migralint.sql.postgres.locks import LockTaken, statement_locks
from migralint.sql.postgres.nodes import Node, TableName
from migralint.linter.parse import ParsedSource, Statement, subcommand_spans
from migralint.linter.section_state import SectionState, StateOf
from migralint.linter.transactions import TransactionBlock, TransactionEvent
from migralint.migrations.layouts import RunnerMode

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.source import LineIndex

T = TypeVar("T")


class Context:
    def __init__(
        self,
        *,
        path: str,
        parsed: ParsedSource,
        statements: tuple[Statement, ...],
        blocks: Sequence[TransactionBlock | None],
        transaction_events: Sequence[TransactionEvent] = (),
        runner: RunnerMode,
        settings: Settings,
        schema: FileSchema,
        rollback: bool = False,
        catalog: Catalog | None = None,
        migration: str = "",
        pending: frozenset[str] = frozenset(),
        tool: str = "",
    ) -> None:
        self.path = path
        self.parsed = parsed
        self.statements = statements
        self.runner = runner
        self.settings = settings
        self.schema = schema
        self.rollback = rollback
        # The schema replayed from earlier migrations and from this file up to the current
        # statement; `pending` names the migrations not applied yet (their tables are empty).
        self.catalog = catalog if catalog is not None else Catalog()
        self.migration = migration
        self.pending = pending
        self.tool = tool  # the layout's tool, e.g. "Prisma Migrate"; "" when unknown
        self._blocks = blocks
        # Transaction control the runner would trip over: nested BEGIN, stray COMMIT, open BEGIN.
        self.transaction_events = tuple(transaction_events)
        # Index into self.statements of the statement being checked: only the engine moves it
        # (at); a rule that speaks of another statement asks for a view of it (on).
        self._position = 0
        self._scratch: dict[str, dict[Any, Any]] = {}  # the engine's own notes (model_view.py)
        # state(kind, owner=""): the section's one instance of `kind` (made with no arguments when
        # first asked for): what a rule gathers statement by statement and reports in check_file.
        # `owner` keeps apart the instances of rules that share a class. Rules keep no state of
        # their own. SectionState.of itself, bound: asked some 40,000 times over the Prisma
        # corpus, a method that called it cost a Python call more each time (`on` shares it).
        self.state: StateOf = SectionState().of
        # Many rules ask the same question of the same statement: answer it once. The answers
        # for one statement are kept until another is asked about: for every statement of a
        # large file they added up to tens of megabytes (docs/robustness.md).
        self._new_tables: dict[TableName, bool] = {}  # at _new_tables_at
        self._new_tables_at = -1
        # The answer for one statement (Statement.index, table): every rule that asks does so
        # while the engine checks that statement. A dict of every ALTER TABLE's answer, kept
        # for the whole section, cost 0.3 MiB per MB of DDL (docs/robustness.md).
        self._altered: tuple[int, TableName | None] = (-1, None)
        self._spans: dict[int, list[tuple[int, int]]] = {}
        # The last statement asked for its locks, and its answer: the engine and several rules
        # ask of the same statement in turn, and the fact's lookup cost more than the answer.
        self._last_locks: tuple[Statement | None, tuple[LockTaken, ...]] = (None, ())
        # Each statement's locks by position, in a file parsed whole (its trees held anyway):
        # the statement's fact, there for a large file whose trees are let go, cost twice the
        # locks' own computing in lookups and sharing.
        self._locks: list[tuple[LockTaken, ...] | None] | None = (
            [None] * len(statements) if statements and statements[0].tree_held else None
        )

    @property
    def is_prisma(self) -> bool:
        return self.tool == "Prisma Migrate"

    def scratch(self, owner: str) -> dict[Any, Any]:
        """The engine's notes for this file section (the models it built); rules use `state`."""
        return self._scratch.setdefault(owner, {})

    # -- where we are ----------------------------------------------------------------

    def at(self, position: int) -> None:
        """Move to the statement at `position`: the engine's alone (tests/rules/test_rules_keep_no_cursor.py)."""
        self._position = position

    def on(self, statement: Statement) -> Context:
        """This context as `statement` sees it: `finding`, `block`, `earlier`, `is_new_table`
        answer for it, with the file, schema and state shared. For check_file, which reports on
        statements other than the one the engine is at, without moving the engine's cursor."""
        view = object.__new__(Context)
        view.__dict__.update(self.__dict__)
        view._position = self._position_of(statement)
        # Answers kept for one position; the caches keyed by statement are shared.
        view._new_tables = {}
        view._new_tables_at = -1
        return view

    @property
    def statement(self) -> Statement:
        return self.statements[self._position]

    @property
    def position(self) -> int:
        """The current statement's place in this section (what `earlier` would count)."""
        return self._position

    @property
    def earlier(self) -> tuple[Statement, ...]:
        """The statements before the current one, nearest last."""
        return self.statements[: self._position]

    @property
    def pg_version(self) -> int:
        return self.settings.pg_version

    # -- the schema ------------------------------------------------------------------

    def table(self, range_var: Node) -> TableName:
        return TableName.from_range_var(range_var)

    def is_new_table(self, table: TableName | Node) -> bool:
        """True when the table holds no rows yet: created earlier in this file, or by a
        migration that is not applied yet."""
        if not isinstance(table, TableName):
            table = TableName.from_range_var(table)
        if self._new_tables_at != self._position:
            self._new_tables.clear()
            self._new_tables_at = self._position
        new = self._new_tables.get(table)
        if new is None:
            known = self.catalog.tables.get(table)
            new = self._new_tables[table] = self.schema.table_is_new(table, self.statement.index) or (
                known is not None and known.origin != self.migration and known.origin in self.pending
            )
        return new

    def origin_of(self, table: TableName) -> str | None:
        """The migration that created `table`, when the replayed history knows it."""
        known = self.catalog.tables.get(table)
        return known.origin if known is not None else None

    def altered_existing_table(self, statement: Statement) -> TableName | None:
        """The table an ALTER TABLE changes, when it may hold rows (not new, not a view or index)."""
        if self._altered[0] == statement.index:
            return self._altered[1]
        node = statement.node
        table = None
        if node.get("objtype") == "OBJECT_TABLE" and "relation" in node:
            table = TableName.from_range_var(node["relation"])
            if self.is_new_table(table):
                table = None
        self._altered = (statement.index, table)
        return table

    def is_new_column(self, table: TableName, column: str) -> bool:
        return self.schema.column_is_new(table, column, self.statement.index)

    def history_note(self, table: TableName, column: str | None = None) -> str:
        """A sentence on where the table (or column) comes from and what still uses it, or ""."""
        subject = f'"{column}"' if column else f'"{table}"'
        parts = []
        known = self.catalog.tables.get(table)
        origin = (known.columns[column].origin if column and column in known.columns else known.origin) if known else ""
        if origin:
            parts.append(f"{subject} was created by migration {origin}")
        uses = self.catalog.still_using(table, column, since=origin)
        if uses:
            parts.append(f"still used by {', '.join(uses)}")
        return f" {'; '.join(parts)}." if parts else ""

    # -- transactions ----------------------------------------------------------------

    def block_of(self, statement: Statement) -> TransactionBlock | None:
        return self._blocks[self._position_of(statement)]

    @property
    def block(self) -> TransactionBlock | None:
        return self._blocks[self._position]

    @property
    def in_transaction(self) -> bool:
        return self.block is not None

    def same_transaction(self, statement: Statement) -> bool:
        here, there = self.block, self.block_of(statement)
        return here is not None and there is not None and here.id == there.id

    def _position_of(self, statement: Statement) -> int:
        return statement.index - self.statements[0].index

    # -- findings --------------------------------------------------------------------

    def node_offset(self, location: int | None) -> int:
        """A node's character offset from libpg_query's byte location (-1 or None: the statement)."""
        if location is None or location < 0:
            return self.statement.start
        return self.parsed.index.char_offset(location)

    def subcommand_span(self, number: int) -> tuple[int, int]:
        """The span of the `number`-th subcommand of the current ALTER TABLE."""
        statement = self.statement
        spans = self._spans.get(statement.index)
        if spans is None:
            self._spans.clear()
            count = len(statement.node.get("cmds", ()))
            spans = self._spans[statement.index] = subcommand_spans(self.parsed, statement, count)
        return spans[number]

    def locks(self, statement: Statement) -> tuple[LockTaken, ...]:
        """The table locks `statement` takes (see sql/postgres/locks.py): a fact of the
        statement, so that the passes over a whole file read them without its tree."""
        last, answer = self._last_locks
        if last is statement:
            return answer
        kept = self._locks
        position = statement.index - self.statements[0].index
        if kept is not None and 0 <= position < len(kept) and self.statements[position] is statement:
            found = kept[position]
            if found is None:
                found = kept[position] = tuple(statement_locks(statement.kind, statement.node))
            answer = found
        else:
            taken = statement.fact(_locks_of)
            answer = (taken,) if isinstance(taken, LockTaken) else taken
        self._last_locks = (statement, answer)
        return answer

    def finding(
        self,
        rule: RuleInfo,
        message: str,
        *,
        help: str = "",
        span: tuple[int, int] | None = None,
        location: int | None = None,
        fix: Fix | None = None,
        table: TableName | None = None,
        severity: Severity | None = None,
        covers: Iterable[Statement] = (),
    ) -> Finding:
        """A finding on the current statement, or on `span` (characters), or from a node's `location`.

        `covers`: the other statements a finding reported once for several is about."""
        if span is None:
            start = self.node_offset(location)
            end = self.statement.end
            span = (start, end if end > start else start)
        return self._finding(rule, message, span, help, fix, table, severity, covers)

    def finding_at(
        self,
        rule: RuleInfo,
        message: str,
        span: tuple[int, int],
        *,
        help: str = "",
        fix: Fix | None = None,
        table: TableName | None = None,
        severity: Severity | None = None,
        covers: Iterable[Statement] = (),
    ) -> Finding:
        """`severity`: for the one finding of an error rule that is only a caution (a warning)."""
        return self._finding(rule, message, span, help, fix, table, severity, covers)

    def _finding(
        self, rule: RuleInfo, message: str, span: tuple[int, int], help: str, fix: Fix | None,
        table: TableName | None, severity: Severity | None, covers: Iterable[Statement],
    ) -> Finding:
        # finding's and finding_at's one body, called by position: asked for every finding, where
        # a call of keywords cost a finding's construction a fifth more (callgrind, 2026-12-07).
        return finding_on_span(
            self.parsed.index, self.path, span, rule, message, severity or self.settings.severity_for(rule), help, fix,
            _qualified(table or self._statement_table()), [s.index for s in covers] if covers else (),
        )

    def _statement_table(self) -> TableName | None:
        relation = self.statement.node.get("relation")
        return TableName.from_range_var(relation) if isinstance(relation, dict) and "relname" in relation else None


def _locks_of(statement: Statement) -> LockTaken | tuple[LockTaken, ...]:
    # A tuple: a list cost 16 bytes more, for each of a large file's statements, and an equal
    # tuple is shared with a neighbouring statement's (Statement.fact); one lock alone, as most
    # statements take, without a tuple of its own (48 bytes a statement).
    taken = tuple(statement_locks(statement.kind, statement.node))
    return taken[0] if len(taken) == 1 else taken


def _qualified(table: TableName | None) -> str | None:
    return f"{table.schema}.{table.name}" if table is not None else None


def finding_on_span(
    index: LineIndex,
    path: str,
    span: tuple[int, int],
    rule: RuleInfo,
    message: str,
    severity: Severity,
    help: str = "",
    fix: Fix | None = None,
    table: str | None = None,
    covers: Iterable[int] = (),
) -> Finding:
    """A finding on the characters `span` of a file: the one place a rule's finding gets its
    lines and columns, for the PostgreSQL engine and the model engine alike."""
    line, column = index.position(span[0])
    end_line, end_column = index.position(span[1])
    # By position: keywords cost a finding's construction a fifth more.
    return Finding(
        path, line, column, end_line, end_column, rule.name, severity, message, help, fix, table,
        tuple(sorted(set(covers))) if covers else (),
    )
