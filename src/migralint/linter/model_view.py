"""ModelContext over the PostgreSQL engine's Context: what lets a rule that reads only the statement
model (`migralint.sql.ir`) run beside the rules that read libpg_query's tree.

Each statement's model is built once, when a model rule first asks for it (`later` builds those
of the statements after the current one ahead of their turn), and kept while it may be asked
for again. A file parsed whole holds its trees anyway: its models keep theirs and stay for the
whole section, as `earlier` and `later` read them. In a large file, parsed in pieces whose trees
are let go (linter/pieces.py), a model is let go once its statement is checked and replayed,
until a rule first reads `earlier`: the models before the current statement are then built
again (the same models: see `_rewrites`) and from then on kept, without their trees (the
statement being checked gets its tree back; PostgreSQL's model rules read no other statement's
`raw`). Kept for every statement, the models were a fifth of the memory of a 20 MB migration
of DDL, which no rule asked `earlier` of (docs/robustness.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from migralint.findings import Finding, Fix, InternalError, RuleInfo, Severity
from migralint.linter.rule_set import CheckingRule, RuleSet
from migralint.linter.column_sql import not_null_checks, nullable_column_steps
from migralint.linter.context import Context
from migralint.linter.internal import contained
from migralint.linter.index_tables import index_table_at
from migralint.linter.model_context import IndexOwner, Rows, RowsKind, SqlText
from migralint.linter.parse import subcommand_spans
from migralint.linter.objects import enum_unused
from migralint.linter.table_rows import emptied_before
from migralint.linter.type_changes import alter_type_rewrites
from migralint.linter.volatility import non_volatile_functions, volatile_function_trusting
from migralint.sql import ir
from migralint.sql.dialect import Dialect
from migralint.sql.postgres.model import build_statement, kind_of
from migralint.sql.postgres.nodes import Node, unwrap
# The model's table name as PostgreSQL's, from nodes.shared_name's cache: PgTableName(*name)
# was a Python call for every question (`rows` is asked of almost every statement).
from migralint.sql.postgres.nodes import shared_name as _pg_name
from migralint.sql.postgres.sqltext import PostgresSqlText, type_sql

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.linter.parse import Statement as PgStatement

T = TypeVar("T")


class _FileSqlText(PostgresSqlText):
    """PostgreSQL's help SQL, with what only the file's text and the runner tell: the user's own
    column definition, whether CONCURRENTLY needs a migration of its own."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def add_column_steps(self, statement: ir.Statement, event: ir.AddColumn) -> list[str]:
        ctx = self._ctx
        position = statement.index - ctx.statements[0].index
        commands = [unwrap(c)[1] for c in ctx.statements[position].node.get("cmds", [])]
        # The event's subcommand: the ADD COLUMN of that column (PostgreSQL refuses a name twice).
        number = next(
            k for k, cmd in enumerate(commands)
            if cmd.get("subtype") == "AT_AddColumn" and unwrap(cmd.get("def", {}))[1].get("colname") == event.column.name
        )
        saved = ctx.position
        ctx.at(position)
        try:
            return nullable_column_steps(ctx, number, unwrap(commands[number]["def"])[1])
        finally:
            ctx.at(saved)


def check_model_rules(
    ctx: Context,
    position: int,
    rules: RuleSet,
    collected: list[Finding],
    errors: list[tuple[InternalError, PgStatement | None]],
) -> None:
    """Run the model rules interested in the statement at `position`; a bug is contained to one rule."""
    statement = ctx.statements[position]
    kind = kind_of(statement.kind, statement.node)
    interested = rules.kind_rules(kind)  # loaded at the first statement of its kind
    if not interested:
        return
    view = ModelView(ctx, position, kind)
    ctx.at(position)  # once: rules never move it, and the view's methods point it at this same statement
    try:
        model: ir.Statement | None = view.statement
    except Exception:
        model = None  # each rule asks again below, and a bug is reported for each, as without this
    for rule in interested:
        try:
            collected.extend(rule.check_statement(model if model is not None else view.statement, view))
        except Exception as exc:
            errors.append((contained(ctx.path, exc, f"rule {rule.name}"), statement))


def built_model(ctx: Context, position: int) -> ir.Statement | None:
    """The model of the statement at `position` if a model rule had it built (the replay
    reuses it)."""
    models: list[ir.Statement | None] | None = ctx.scratch("statement-model").get("models")
    return models[position] if models is not None else None


def replayed(ctx: Context, position: int) -> None:
    """The statement at `position` is in the catalog now: its kept model lets go of the parser's
    nodes its events carried for the replay (a column's type and default, a CHECK's expression).
    No rule reads them of another statement, and kept for `earlier` they held a tree for every
    column of a large file (about 40 MiB more at 3 MB of DDL)."""
    if ctx.statements[position].tree_held:
        return  # the tree stays in memory with the statement: nothing to let go
    models: list[ir.Statement | None] | None = ctx.scratch("statement-model").get("models")
    model = models[position] if models is not None else None
    if models is not None and model is not None:
        if "models" not in ctx.scratch("statement-model-earlier"):
            models[position] = None  # no rule read `earlier` yet: built again if one does
        else:
            models[position] = _stripped(model)


def _stripped(model: ir.Statement) -> ir.Statement:
    """`model` without its tree and without the trees its events carry."""
    events = tuple(_without_trees(event) for event in model.events)
    if any(new is not old for new, old in zip(events, model.events)):
        return replace(model, raw=None, events=events)
    return model if model.raw is None else replace(model, raw=None)


# A model class's `raw...` fields, and its other fields (where a column or a constraint may nest),
# found once per class: this runs for every statement of a file.
_FIELD_NAMES: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _field_names(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = _FIELD_NAMES.get(cls)
    if found is None:
        names = [item.name for item in fields(cls)]
        found = _FIELD_NAMES[cls] = (
            tuple(n for n in names if n.startswith("raw")), tuple(n for n in names if not n.startswith("raw"))
        )
    return found


def _without_trees(value: Any) -> Any:
    """`value` (an event, or a column of one) with every `raw...` field None, nested ones included."""
    if not hasattr(type(value), "__dataclass_fields__"):
        return value
    raw, other = _field_names(type(value))
    changes: dict[str, Any] = {name: None for name in raw if getattr(value, name) is not None}
    for name in other:
        current = getattr(value, name)
        if isinstance(current, tuple):
            if current and hasattr(type(current[0]), "__dataclass_fields__"):
                stripped_all = tuple(_without_trees(part) for part in current)
                if any(a is not b for a, b in zip(stripped_all, current)):
                    changes[name] = stripped_all
        elif hasattr(type(current), "__dataclass_fields__"):
            stripped = _without_trees(current)
            if stripped is not current:
                changes[name] = stripped
    return replace(value, **changes) if changes else value


def finish_model_rules(
    ctx: Context,
    rules: tuple[CheckingRule, ...],
    collected: list[Finding],
    errors: list[tuple[InternalError, PgStatement | None]],
) -> None:
    """Each model rule's findings on the whole section, once its last statement was checked."""
    view = ModelView(ctx, len(ctx.statements) - 1)
    ctx.at(len(ctx.statements) - 1)  # once, as in check_model_rules
    for rule in rules:
        try:
            collected.extend(rule.finish_section(view))
        except Exception as exc:
            errors.append((contained(ctx.path, exc, f"rule {rule.name}"), None))


class ModelView:
    """The ModelContext of one statement of a PostgreSQL file section."""

    # One is made for every statement a model rule checks: slots, and the help SQL made when a
    # rule first writes help, as few do.
    __slots__ = ("_ctx", "_position", "_kind", "path", "settings", "_current")
    dialect = Dialect.POSTGRESQL

    def __init__(self, ctx: Context, position: int, kind: ir.Kind | None = None) -> None:
        """`kind`: the statement's model Kind, when the caller has it already."""
        self._ctx = ctx
        self._position = position
        self._kind = kind
        self.path = ctx.path
        self.settings: Settings = ctx.settings
        self._current: ir.Statement | None = None

    @property
    def sql(self) -> SqlText:
        return _FileSqlText(self._ctx)

    @property
    def is_prisma(self) -> bool:
        return self._ctx.is_prisma

    @property
    def statement(self) -> ir.Statement:
        current = self._current
        if current is None:
            models = self._models()
            kept = models[self._position]
            if kept is None:  # built with its tree; kept without it in a large file
                current = self._build(self._position, self._kind)
                models[self._position] = self._kept(self._position, current)
            elif kept.raw is None:  # kept without its tree
                current = replace(kept, raw=self._ctx.statements[self._position].node)
            else:
                current = kept
            self._current = current
        return current

    @property
    def earlier(self) -> tuple[ir.Statement, ...]:
        # Kept in order as the section is checked: a slice, not a loop, for each statement.
        built: list[ir.Statement] = self._ctx.scratch("statement-model-earlier").setdefault("models", [])
        for k in range(len(built), self._position):
            built.append(self._model(k))
        return tuple(built[: self._position])

    @property
    def later(self) -> tuple[ir.Statement, ...]:
        return tuple(self._model(k) for k in range(self._position + 1, len(self._ctx.statements)))

    @property
    def in_transaction(self) -> bool:
        return self._ctx.block_of(self._ctx.statements[self._position]) is not None

    @property
    def rollback(self) -> bool:
        return self._ctx.rollback

    def rows(self, table: ir.TableName) -> Rows:
        ctx = self._ctx
        ctx.at(self._position)
        pg_table = _pg_name(*table)
        if ctx.is_new_table(pg_table):
            if ctx.schema.table_is_new(pg_table, ctx.statement.index):
                return Rows(RowsKind.NEW, "created earlier in this file")
            return Rows(RowsKind.NEW, f"created by pending migration {ctx.origin_of(pg_table)}")
        emptied = emptied_before(ctx, pg_table)
        if emptied is not None:
            return Rows(RowsKind.EMPTIED, f"emptied by a {emptied} earlier in this file", emptied == "TRUNCATE")
        return Rows(RowsKind.EXISTING)

    def is_new_column(self, table: ir.TableName, column: str) -> bool:
        self._ctx.at(self._position)
        return self._ctx.is_new_column(_pg_name(*table), column)

    def column(self, table: ir.TableName, column: str) -> ir.Column | None:
        known = self._ctx.catalog.column(_pg_name(*table), column)
        if known is None:
            return None
        default = ir.Default.CONSTANT if known.default is not None else ir.Default.NONE
        return ir.Column(column, type_sql(known.type_name) if known.type_name else "", known.not_null, default)

    def not_null_checks(self, table: ir.TableName, column: str) -> dict[str, bool]:
        return not_null_checks(self._ctx.catalog, _pg_name(*table), column)

    def column_type(self, table: ir.TableName, column: str) -> str | None:
        known = self._ctx.catalog.column(_pg_name(*table), column)
        return type_sql(known.type_name) if known is not None and known.type_name else None

    def history_note(self, table: ir.TableName, column: str | None = None) -> str:
        return self._ctx.history_note(_pg_name(*table), column)

    def state(self, kind: type[T], owner: str = "") -> T:
        return self._ctx.state(kind, owner)

    def index_owner(self, index: ir.TableName) -> IndexOwner:
        ctx = self._ctx
        found = index_table_at(ctx.schema, _pg_name(*index), ctx.statements[self._position].index)
        table = ir.TableName(*found.table) if found.table is not None else None
        return IndexOwner(table, found.from_later_create)

    def source(self, statement: ir.Statement) -> str:
        return self._ctx.parsed.text[statement.start : statement.end]

    def same_transaction(self, statement: ir.Statement) -> bool:
        ctx = self._ctx
        ctx.at(self._position)
        return ctx.same_transaction(ctx.statements[statement.index - ctx.statements[0].index])

    def enum_unused(self, name: ir.TableName) -> bool:
        return enum_unused(self._ctx.catalog, name)

    def trigger_function(self, name: ir.TableName) -> bool:
        return _pg_name(*name) in self._ctx.catalog.trigger_functions

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
        ctx = self._ctx
        ctx.at(self._position)
        return ctx.finding(
            rule, message, help=help, span=span, fix=fix, severity=severity,
            table=_pg_name(*table) if table is not None else None,
            covers=[ctx.statements[s.index - ctx.statements[0].index] for s in covers],
        )

    def _models(self) -> list[ir.Statement | None]:
        scratch = self._ctx.scratch("statement-model")
        models: list[ir.Statement | None] | None = scratch.get("models")
        if models is None:  # by position: a dict of them cost 100 bytes more a statement
            models = scratch["models"] = [None] * len(self._ctx.statements)
        return models

    def _model(self, position: int) -> ir.Statement:
        models = self._models()
        model = models[position]
        if model is None:
            model = self._kept(position, self._build(position))
            if position < self._position and not self._ctx.statements[position].tree_held:
                model = _stripped(model)  # replayed already (or let go by `replayed`): as it leaves one
            models[position] = model
        return model

    def _kept(self, position: int, model: ir.Statement) -> ir.Statement:
        return model if self._ctx.statements[position].tree_held else replace(model, raw=None)

    def _build(self, position: int, kind: ir.Kind | None = None) -> ir.Statement:
        ctx = self._ctx
        statement = ctx.statements[position]
        # Found when a finding first asks where an event is written (ir.LazySpans).
        spans: Callable[[], list[tuple[int, int]]] | tuple[()] = ()
        if statement.kind == "AlterTableStmt" and statement.node.get("cmds"):
            spans = partial(subcommand_spans, ctx.parsed, statement, len(statement.node["cmds"]))

        # Whether each ALTER COLUMN TYPE rewrites its table, as first answered: from the catalog
        # as the file had left it then. Built again for `earlier`, once the catalog holds the new
        # types, the model says what the first one said. Only the few statements asked keep a
        # list of answers, found when first asked: most statements have no type change.
        answers: list[bool] | None = None
        asked = 0

        def type_rewrites(table: ir.TableName, cmd: Node) -> bool:
            nonlocal answers, asked
            if answers is None:
                answers = ctx.scratch("statement-model-rewrites").setdefault(position, [])
            if asked < len(answers):
                answer = answers[asked]
            else:
                known = ctx.catalog.column(_pg_name(*table), str(cmd.get("name", "")))
                answer = alter_type_rewrites(known.type_name if known is not None else None, cmd)
                answers.append(answer)
            asked += 1
            return answer

        def is_volatile(expression: Node) -> bool:
            return volatile_function_trusting(expression, lambda: self._trusted_functions(position)) is not None

        return build_statement(
            statement.index, statement.kind, statement.node, statement.start, statement.end,
            command_spans=spans, type_rewrites=type_rewrites, is_volatile=is_volatile,
            pg_version=ctx.settings.pg_version, pg_lock_list=ctx.locks(statement), model_kind=kind,
        )

    def _trusted_functions(self, position: int) -> frozenset[str]:
        """Functions created STABLE or IMMUTABLE before `position`; the file's CREATE FUNCTIONs
        are found once, not by rescanning every earlier statement for each default."""
        scratch = self._ctx.scratch("statement-model-functions")
        creates: list[int] | None = scratch.get("creates")
        if creates is None:
            creates = scratch["creates"] = [
                k for k, s in enumerate(self._ctx.statements) if s.kind == "CreateFunctionStmt"
            ]
        return non_volatile_functions(self._ctx.statements[k] for k in creates if k < position)
