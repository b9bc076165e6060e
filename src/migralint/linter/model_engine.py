"""The engine for the dialects that have only the statement model (MySQL first).

It does what engine.lint_text does for PostgreSQL, on an `ir.ParsedFile`: hands each statement
to the rules whose `dialects` include the file's and whose `kinds` include the statement's,
replays the statements into the catalog, reports syntax errors and contained bugs per
statement, then applies inline and per-file ignores with the PostgreSQL engine's own code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from migralint import ISSUES_URL
from migralint.findings import Finding, Fix, InternalError, Severity, RuleInfo
from migralint.linter import parse as pg_parse
from migralint.linter.catalog import Catalog
from migralint.linter.context import finding_on_span
from migralint.linter.internal import contained, internal_finding
from migralint.linter.model_context import IndexOwner, Rows, RowsKind, SqlText
from migralint.linter.model_replay import apply_model, model_type
from migralint.linter.objects import enum_unused
from migralint.linter.rule_set import FileReport, RuleSet
from migralint.linter.section_state import SectionState
from migralint.linter.suppressions import apply_ignores
from migralint.sql import ir
from migralint.sql.front_ends import front_end

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.sql.dialect import Dialect
    from migralint.migrations.layouts import RunnerMode, Section

_PRISMA = "Prisma Migrate"
T = TypeVar("T")


class FileState:
    """The ModelContext of one file section: the statement being checked and what came before."""

    def __init__(
        self,
        parsed: ir.ParsedFile,
        statements: tuple[ir.Statement, ...],
        *,
        path: str,
        settings: Settings,
        sql: SqlText,
        catalog: Catalog,
        migration: str,
        pending: frozenset[str],
        tool: str,
        runner: RunnerMode | None = None,
    ) -> None:
        self.path = path
        self.settings = settings
        self.dialect = parsed.dialect
        self.sql = sql
        self.parsed = parsed
        self.statements = statements
        self.catalog = catalog
        self.migration = migration
        self.pending = pending
        self.tool = tool
        # How the runner executes this section (one transaction or not): SQLite's PRAGMA
        # foreign_keys takes effect only outside a transaction.
        self.runner = runner
        self._position = 0
        self._state = SectionState()
        self._transaction_numbers: list[int | None] | None = None
        self._created: dict[tuple[str, str], int] = {}  # table -> position of its CREATE TABLE here
        self._added: set[tuple[str, str, str]] = set()  # (schema, table, column) added in this file
        self._open_tx = False

    @property
    def is_prisma(self) -> bool:
        return self.tool == _PRISMA

    @property
    def statement(self) -> ir.Statement:
        return self.statements[self._position]

    @property
    def earlier(self) -> tuple[ir.Statement, ...]:
        return self.statements[: self._position]

    @property
    def later(self) -> tuple[ir.Statement, ...]:
        return self.statements[self._position + 1 :]

    @property
    def rollback(self) -> bool:
        return False  # rollback sections are not handed to the rules (lint_model skips them)

    def not_null_checks(self, table: ir.TableName, column: str) -> dict[str, bool]:
        return {}  # PostgreSQL's CHECK ... NOT VALID route to NOT NULL; the model dialects have none

    @property
    def in_transaction(self) -> bool:
        return self._open_tx

    def state(self, kind: type[T], owner: str = "") -> T:
        """A rule's own notes for this file section (what it reported once already)."""
        return self._state.of(kind, owner)

    def rows(self, table: ir.TableName) -> Rows:
        if tuple(table) in self._created:
            return Rows(RowsKind.NEW, "created earlier in this file")
        known = self.catalog.tables.get(table)  # type: ignore[call-overload]
        if known is not None and known.origin and known.origin != self.migration and known.origin in self.pending:
            return Rows(RowsKind.NEW, f"created by pending migration {known.origin}")
        return Rows(RowsKind.EXISTING)

    def is_new_column(self, table: ir.TableName, column: str) -> bool:
        if (table.schema, table.name, column) in self._added or not self.rows(table).may_hold_rows:
            return True
        known = self.catalog.column(table, column)  # type: ignore[arg-type]
        return known is not None and bool(known.origin) and known.origin in self.pending

    def column(self, table: ir.TableName, column: str) -> ir.Column | None:
        """The column as the replayed history left it, when known."""
        known = self.catalog.column(table, column)  # type: ignore[arg-type]
        if known is None:
            return None
        kind = model_type(known)
        return ir.Column(known.name, kind or "", known.not_null) if kind is not None else None

    def column_type(self, table: ir.TableName, column: str) -> str | None:
        found = self.column(table, column)
        return found.type if found is not None else None

    def history_note(self, table: ir.TableName, column: str | None = None) -> str:
        subject = self.sql.quote(column) if column else self.sql.table(table)
        known = self.catalog.tables.get(table)  # type: ignore[call-overload]
        parts = []
        origin = ""
        if known is not None:
            origin = known.columns[column].origin if column and column in known.columns else known.origin
        if origin:
            parts.append(f"{subject} was created by migration {origin}")
        uses = self.catalog.still_using(table, column, since=origin)  # type: ignore[arg-type]
        if uses:
            parts.append(f"still used by {', '.join(u.replace(chr(34), '`') for u in uses)}")
        return f" {'; '.join(parts)}." if parts else ""

    def index_owner(self, index: ir.TableName) -> IndexOwner:
        table = None
        for statement in self.statements[: self._position]:  # the file's own CREATE INDEX, latest last
            for event in statement.events:
                if isinstance(event, ir.CreateIndex) and event.name == index.name:
                    table = event.table
        return IndexOwner(table)

    def source(self, statement: ir.Statement) -> str:
        return self.parsed.text[statement.start : statement.end]

    def same_transaction(self, statement: ir.Statement) -> bool:
        blocks = self._transactions()
        here = blocks[self._position]
        return here is not None and here == blocks[statement.index - self.statements[0].index]

    def _transactions(self) -> list[int | None]:
        """For each statement, the number of the explicit transaction it runs in (None: none),
        as `passed` follows them: BEGIN opens one, COMMIT, ROLLBACK and an implicit commit end it."""
        found = self._transaction_numbers
        if found is None:
            found, number, open_tx = [], 0, False
            for statement in self.statements:
                found.append(number if open_tx else None)
                if statement.tx is ir.Tx.BEGIN:
                    number, open_tx = number + 1, True
                elif statement.tx in (ir.Tx.COMMIT, ir.Tx.ROLLBACK) or statement.implicit_commit:
                    open_tx = False
            self._transaction_numbers = found
        return found

    def enum_unused(self, name: ir.TableName) -> bool:
        return enum_unused(self.catalog, name)

    def trigger_function(self, name: ir.TableName) -> bool:
        return name in self.catalog.trigger_functions  # type: ignore[comparison-overlap]

    def finding(
        self,
        rule: RuleInfo,
        message: str,
        *,
        help: str = "",
        span: tuple[int, int] | None = None,
        fix: Fix | None = None,
        table: ir.TableName | None = None,
        severity: Severity | None = None,
        covers: Iterable[ir.Statement] = (),
    ) -> Finding:
        statement = self.statement
        start, end = span if span is not None else (statement.start, statement.end)
        shown = table or (statement.tables[0] if statement.tables else None)
        return finding_on_span(
            self.parsed.index, self.path, (start, max(start, end)), rule, message,
            severity=severity or self.settings.severity_for(rule), help=help, fix=fix,
            table=shown.qualified() if shown is not None else None, covers=(s.index for s in covers),
        )

    # -- the engine moves the cursor ----------------------------------------------------

    def at(self, position: int) -> None:
        self._position = position

    def passed(self, statement: ir.Statement) -> None:
        """`statement` ran: what it created is new for the statements after it."""
        for event in statement.events:
            if isinstance(event, ir.CreateTable):
                self._created[tuple(event.table)] = statement.index  # type: ignore[index]
            elif isinstance(event, ir.DropTable):
                self._created.pop(tuple(event.table), None)  # type: ignore[arg-type]
            elif isinstance(event, ir.RenameTable) and tuple(event.table) in self._created:
                self._created[tuple(event.new)] = self._created.pop(tuple(event.table))  # type: ignore[index,arg-type]
            elif isinstance(event, ir.AddColumn):
                self._added.add((event.table.schema, event.table.name, event.column.name))
        if statement.tx is ir.Tx.BEGIN:
            self._open_tx = True
        elif statement.tx in (ir.Tx.COMMIT, ir.Tx.ROLLBACK) or statement.implicit_commit:
            self._open_tx = False


def lint_model(
    parsed: ir.ParsedFile,
    *,
    path: str,
    sections: list[Section],
    settings: Settings,
    rules: RuleSet,
    sql: SqlText,
    catalog: Catalog,
    migration: str,
    pending: frozenset[str],
    tool: str,
) -> FileReport:
    collected: list[Finding] = []
    errors: list[tuple[InternalError, ir.Statement | None]] = []
    interested = [r for r in rules.rules if parsed.dialect in r.dialects]
    for section in sections:
        statements = tuple(s for s in parsed.statements if section.start <= s.start < section.end)
        if not statements or section.rollback:
            continue  # a rollback undoes: its rules and history are next (see docs/dialects.md)
        state = FileState(parsed, statements, path=path, settings=settings, sql=sql, catalog=catalog,
                          migration=migration, pending=pending, tool=tool, runner=section.runner)
        for position, statement in enumerate(statements):
            state.at(position)
            for rule in interested:
                if rule.kinds and statement.kind not in rule.kinds:
                    continue
                try:
                    collected.extend(rule.check_statement(statement, state))
                except Exception as exc:
                    errors.append((contained(path, exc, f"rule {rule.name}"), statement))
            state.passed(statement)
            try:
                apply_model(catalog, statement, migration)
            except Exception as exc:
                errors.append((contained(path, exc, "the schema model"), statement))
        state.at(len(statements) - 1)
        for rule in interested:
            if rule.kinds:
                try:
                    collected.extend(rule.finish_section(state))
                except Exception as exc:
                    errors.append((contained(path, exc, f"rule {rule.name}"), None))
    syntax = rules.by_name.get("syntax-error")
    if syntax is not None:
        collected.extend(_syntax_findings(parsed, path, settings, syntax))
    shaped = as_parsed_source(parsed)
    report = apply_ignores(shaped, path, collected, settings, rules)
    bugs = tuple(_bug(parsed, path, error, at) for error, at in errors)
    return report._replace(
        findings=report.findings + bugs,
        blank=parsed.syntax_error is None and not parsed.statements,
        errors=tuple(error for error, _ in errors),
    )


def lint_model_text(
    text: str,
    *,
    dialect: Dialect,
    path: str,
    sections: list[Section],
    settings: Settings,
    rules: RuleSet,
    catalog: Catalog | None,
    migration: str,
    pending: frozenset[str],
    tool: str,
) -> FileReport:
    """engine.lint_text for a dialect with a model front end (sql.FRONT_ENDS)."""
    front = front_end(dialect)
    parsed = front.parse(text, _versions(settings))
    return lint_model(parsed, path=path, sections=_sections(sections, front.rollback_from(text)), settings=settings,
                      rules=rules,
                      sql=front.sql, catalog=catalog if catalog is not None else Catalog(), migration=migration,
                      pending=pending, tool=tool)


def replay_model_text(
    text: str, dialect: Dialect, sections: list[Section], catalog: Catalog, migration: str,
    errors: list[InternalError] | None, settings: Settings | None = None,
) -> bool:
    """engine.replay_text for a dialect with a model front end."""
    front = front_end(dialect)
    parsed = front.parse(text, _versions(settings))
    return replay_model(parsed, _sections(sections, front.rollback_from(text)), catalog, migration, errors)


def _versions(settings: Settings | None) -> dict[str, tuple[int, ...] | None]:
    if settings is None:
        return {}
    return {"mysql": settings.mysql_version, "mariadb": settings.mariadb_version}


def _sections(sections: list[Section], rollback_from: int | None) -> list[Section]:
    """The layout's sections, each cut where the file's own rollback part begins."""
    if rollback_from is None:
        return sections
    cut = []
    for section in sections:
        if section.start < rollback_from < section.end:
            cut.append(section._replace(end=rollback_from))
            cut.append(section._replace(start=rollback_from, rollback=True))
        else:
            cut.append(section)
    return cut


def replay_model(parsed: ir.ParsedFile, sections: list[Section], catalog: Catalog, migration: str,
                 errors: list[InternalError] | None) -> bool:
    """Replay a history-only file into the catalog; True when it holds no statement."""
    for statement in parsed.statements:
        if not any(s.start <= statement.start < s.end and not s.rollback for s in sections):
            continue
        try:
            apply_model(catalog, statement, migration)
        except Exception as exc:
            if errors is not None:
                errors.append(contained(migration, exc, "the schema model, replaying history"))
    return parsed.syntax_error is None and not parsed.statements


def as_parsed_source(parsed: ir.ParsedFile) -> pg_parse.ParsedSource:
    """The file in the shape suppressions.apply_ignores reads (statements' spans,
    comments, the line index), so that ignores work exactly as they do for PostgreSQL."""
    statements = tuple(pg_parse.Statement(s.index, s.kind.value, {}, s.start, s.end) for s in parsed.statements)
    comments = tuple(pg_parse.Comment(*c) for c in parsed.comments)
    problem = parsed.syntax_error
    error = pg_parse.SyntaxProblem(*problem) if problem is not None else None
    return pg_parse.ParsedSource(parsed.index, statements, comments, error, parsed.nul_offset)


def _syntax_findings(parsed: ir.ParsedFile, path: str, settings: Settings, rule: RuleInfo) -> list[Finding]:
    name = parsed.dialect.display_name
    found = []
    problems = [(p, False) for p in parsed.statement_errors]
    if parsed.syntax_error is not None:
        problems.append((parsed.syntax_error, True))
    for problem, rest_unread in problems:
        line, column = parsed.index.position(problem.offset)
        end = problem.offset + max(1, _token_length(parsed.text, problem.offset))
        end_line, end_column = parsed.index.position(end)
        tail = ("nothing after this point was checked" if rest_unread
                else "this statement was not checked; the others were")
        message = problem.message[:1].upper() + problem.message[1:]
        found.append(Finding(
            path, line, column, end_line, end_column, rule.name, settings.severity_for(rule),
            f"{message}: this is not {name} as migralint reads it, and {tail}.",
            f"Fix the SQL; if {name} runs it as written (try it on a scratch database), accept it with "
            f"`-- migralint: ignore syntax-error -- <why>` and report the statement at {ISSUES_URL}.",
        ))
    return found


def _token_length(text: str, offset: int) -> int:
    end = offset
    while end < len(text) and not text[end].isspace() and text[end] not in ";,()":
        end += 1
    return end - offset


def _bug(parsed: ir.ParsedFile, path: str, error: InternalError, at: ir.Statement | None) -> Finding:
    start, end = (at.start, at.end) if at is not None else (0, 0)
    index = parsed.index
    return internal_finding(path, (*index.position(start), *index.position(max(start, end))), error)
