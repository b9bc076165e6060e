"""The engine: one file in, findings out.

It parses the file once, works out the transaction each statement runs in and which tables
the file creates, hands each statement to the rules that asked for its type, then applies
inline ignores and per-file ignores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from migralint.findings import Finding, RuleInfo
from migralint.findings import InternalError
from migralint.linter.catalog import Catalog
from migralint.linter.context import Context
from migralint.linter.file_schema import FileSchema, forget_creates, schema_entries
from migralint.linter.internal import contained, internal_finding
from migralint.linter.parse import ParsedSource, Statement
from migralint.linter import collector, pieces
from migralint.linter.pieces import parse_large, parsed_in_pieces
from migralint.linter.table_rows import row_effects
from migralint.linter.model_engine import lint_model_text, replay_model_text
from migralint.linter.model_replay import apply_postgres
from migralint.linter.model_view import built_model, check_model_rules, finish_model_rules, replayed
from migralint.linter.rule_set import FileReport, RuleSet
from migralint.linter.suppressions import apply_ignores
from migralint.linter.transactions import transaction_blocks
from migralint.migrations.layouts import Section
from migralint.sql.dialect import Dialect
from migralint.sql.front_ends import MODEL_DIALECTS

if TYPE_CHECKING:
    from migralint.config import Settings


# What passes over a whole section need of each statement before the rules read the trees in
# order (the file's schema, and the index of emptied tables), kept while the tree is parsed.
_FILE_FACTS = (schema_entries, row_effects)


class _History(NamedTuple):
    catalog: Catalog
    migration: str
    pending: frozenset[str]
    tool: str


def lint_text(
    text: str,
    *,
    path: str,
    sections: list[Section],
    settings: Settings,
    rules: RuleSet,
    forward_text: str | None = None,
    catalog: Catalog | None = None,
    migration: str = "",
    pending: frozenset[str] = frozenset(),
    tool: str = "",
    dialect: Dialect = Dialect.POSTGRESQL,
) -> FileReport:
    """Lint one file's text. `forward_text` is the migration a rollback file undoes.

    `catalog` holds the schema the earlier migrations built; the file's forward statements
    are replayed into it as they are checked. `migration` is this file's migration name and
    `pending` the names of migrations not applied yet.
    """
    if dialect in MODEL_DIALECTS:
        return lint_model_text(text, dialect=dialect, path=path, sections=sections, settings=settings, rules=rules,
                               catalog=catalog, migration=migration, pending=pending, tool=tool)
    history = _History(catalog if catalog is not None else Catalog(), migration, pending, tool)
    if len(text) <= pieces.LINT_PIECE:  # most files: no context manager (2 us) entered for nothing
        return _lint_text(text, path, sections, settings, rules, forward_text, history)
    # Large files only: the collector's full passes grow with what is alive (collector.py).
    with collector.paused():
        return _lint_text(text, path, sections, settings, rules, forward_text, history)


def _lint_text(
    text: str,
    path: str,
    sections: list[Section],
    settings: Settings,
    rules: RuleSet,
    forward_text: str | None,
    history: _History,
) -> FileReport:
    # A large file's trees are let go statement by statement and parsed again when a rule
    # reads one (linter/pieces.py): memory grows with the statements, not with their trees.
    parsed = parse_large(text, facts=_FILE_FACTS)
    collected: list[Finding] = []
    errors: list[tuple[InternalError, Statement | None]] = []
    forward_schema = FileSchema.of(parse_large(forward_text).statements) if forward_text else None
    planned = []
    for section in sections:
        statements = tuple(s for s in parsed.statements if section.start <= s.start < section.end)
        if len(statements) == len(parsed.statements):
            statements = parsed.statements  # one tuple of a large file's statements, not two
        inherited = forward_schema if section.rollback else None
        if section.rollback and forward_schema is None and len(sections) > 1:
            # dbmate: the down section undoes the up section of the same file.
            up = tuple(s for s in parsed.statements if s.start < section.start)
            inherited = FileSchema.of(up)
        planned.append((section, statements, FileSchema.of(statements, inherited)))
    forget_creates(parsed.statements)  # every schema is built: nothing reads them again
    for section, statements, schema in planned:
        _check_section(parsed, statements, section, settings, rules, collected, path, schema, history, errors)
    if "syntax-error" in rules.enabled:
        if parsed.syntax_error is not None:
            collected.append(_syntax_finding(parsed, path, settings, rules.by_name["syntax-error"]))
        if parsed.nul_offset is not None:
            collected.append(_nul_finding(parsed, path, settings, rules.by_name["syntax-error"]))
    report = apply_ignores(parsed, path, collected, settings, rules)
    # A bug is never hidden by an ignore comment or a per-file ignore: its findings go in last.
    bugs = tuple(_bug_finding(parsed, path, error, at) for error, at in errors)
    return report._replace(
        findings=report.findings + bugs,
        blank=parsed.syntax_error is None and not parsed.statements,
        errors=tuple(error for error, _ in errors),
    )


def replay_text(
    text: str, sections: list[Section], catalog: Catalog, migration: str, errors: list[InternalError] | None = None,
    dialect: Dialect = Dialect.POSTGRESQL,
) -> bool:
    """Replay a migration that is history only (not linted) into the catalog; True when blank.

    A statement the schema model fails on is left out of it (and said in `errors`): the
    files linted after it are still linted.
    """
    if dialect in MODEL_DIALECTS:
        return replay_model_text(text, dialect, sections, catalog, migration, errors)
    blank = True
    for offset, parsed in parsed_in_pieces(text, _REPLAY_PIECE):
        blank = blank and parsed.syntax_error is None and not parsed.statements
        for section in sections:
            if section.rollback:
                continue
            for statement in parsed.statements:
                if section.start <= offset + statement.start < section.end:
                    try:
                        apply_postgres(catalog, statement, migration)
                    except Exception as exc:
                        if errors is not None:
                            errors.append(contained(migration, exc, "the schema model, replaying history"))
    return blank


# A history file is parsed a piece at a time, so that a 20 MB seed-data migration beside the
# one linted costs the parse tree of one piece, not of the whole file.
_REPLAY_PIECE = 200_000  # characters


def _check_section(
    parsed: ParsedSource,
    statements: tuple[Statement, ...],
    section: Section,
    settings: Settings,
    rules: RuleSet,
    collected: list[Finding],
    path: str,
    schema: FileSchema,
    history: _History,
    errors: list[tuple[InternalError, Statement | None]],
) -> None:
    if not statements:
        return
    blocks, events = transaction_blocks(statements, section.runner)
    ctx = Context(
        path=path,
        parsed=parsed,
        statements=statements,
        blocks=blocks,
        transaction_events=events,
        runner=section.runner,
        settings=settings,
        schema=schema,
        rollback=section.rollback,
        catalog=history.catalog,
        migration=history.migration,
        pending=history.pending,
        tool=history.tool,
    )
    model_rules = bool(rules.by_kind)
    replay = not section.rollback  # a rollback undoes; the history stays as the forward file left it
    # A bug in one rule costs that rule's findings on one statement (or, in check_file, one
    # file section), never the file's: each call is contained.
    for position, statement in enumerate(statements):
        ctx.at(position)  # once: rules never move it (tests/rules/test_rules_keep_no_cursor.py)
        # First, while the tree is parsed: the rules then read the locks from the context, and
        # the check_file passes ask every statement for them (a failure here is a bug that the
        # rule asking reports, with its name).
        try:
            ctx.locks(statement)
        except Exception:
            pass
        for rule in rules.statement_rules(statement):  # loaded at the first statement of its type
            try:
                # Almost every hook finds nothing and returns () (rules/base.py): extend only
                # what may hold findings (a generator is true).
                found = rule.check(statement, ctx)
                if found:
                    collected.extend(found)
            except Exception as exc:
                errors.append((contained(path, exc, f"rule {rule.name}"), statement))
        if model_rules:
            check_model_rules(ctx, position, rules, collected, errors)
        if replay:
            try:
                apply_postgres(history.catalog, statement, history.migration, built_model(ctx, position))
            except Exception as exc:
                errors.append((contained(path, exc, "the schema model"), statement))
            replayed(ctx, position)
    if rules.model_rules:
        finish_model_rules(ctx, rules.section_rules(), collected, errors)
    ctx.at(0)  # rules never move it (they report on other statements through ctx.on)
    for rule in rules.file_rules():  # the rules that override check_file: the others' is empty
        try:
            collected.extend(rule.check_file(ctx))
        except Exception as exc:
            errors.append((contained(path, exc, f"rule {rule.name}"), None))


def _syntax_finding(parsed: ParsedSource, path: str, settings: Settings, rule: RuleInfo) -> Finding:
    error = parsed.syntax_error
    assert error is not None
    index = parsed.index
    line, column = index.position(error.offset)
    end = error.offset + max(1, _token_length(parsed.text, error.offset))
    end_line, end_column = index.position(end)
    message = error.message[:1].upper() + error.message[1:]
    return Finding(
        path=path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        rule=rule.name,
        severity=settings.severity_for(rule),
        message=f"{message}: PostgreSQL cannot parse this file, and nothing after this point was checked.",
        help="Fix the SQL so that PostgreSQL can parse it; `psql -f` on a scratch database shows the same error.",
    )


def _nul_finding(parsed: ParsedSource, path: str, settings: Settings, rule: RuleInfo) -> Finding:
    assert parsed.nul_offset is not None
    line, column = parsed.index.position(parsed.nul_offset)
    return Finding(
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column + 1,
        rule=rule.name,
        severity=settings.severity_for(rule),
        message="A NUL byte: PostgreSQL refuses a query that holds one (invalid byte sequence for encoding "
        '"UTF8": 0x00), so this migration fails. The rest of the file was checked as if it were a space.',
        help="Delete the NUL byte (\\0); an editor or `tr -d '\\000'` removes it.",
    )


def _bug_finding(parsed: ParsedSource, path: str, error: InternalError, at: Statement | None) -> Finding:
    index = parsed.index
    start, end = (at.start, at.end) if at is not None else (0, 0)
    return internal_finding(path, (*index.position(start), *index.position(max(start, end))), error)


def _token_length(text: str, offset: int) -> int:
    end = offset
    while end < len(text) and not text[end].isspace() and text[end] not in ";,()":
        end += 1
    return end - offset
