"""The words `apply`, `status` and `resolve` show: lines of text, which the CLI prints."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from migralint.linter.finding import Severity
from migralint.linter.run import LintResult, display_path
from migralint.database.apply import Plan
from migralint.database.apply_checks import NotEmpty
from migralint.database.apply_status import NEEDS_ATTENTION, FolderStatus
from migralint.database.durations import format_duration
from migralint.migrations.history import HistoryProblem
from migralint.migrations.layouts import Layout
from migralint.database.runner_history import FAILED

STATE_ORDER = ("applied", "running", "pending", "out of order", "failed", "edited", "missing")


def plan_lines(plan: Plan) -> list[str]:
    """What apply is about to do (or, with --dry-run, would do)."""
    options = plan.options
    history = plan.table if plan.table_exists else f"{plan.table} (absent: created before the first migration runs)"
    lines = [
        f"Plan for {plan.folder.shown} ({plan.folder.layout}) on {plan.database} ({plan.server}), "
        f"history in {history}:",
        f"  {len(plan.applied)} applied, {len(plan.pending)} pending; lock_timeout {format_duration(options.lock_timeout_ms)}, "
        f"statement_timeout {format_duration(options.statement_timeout_ms)}",
    ]
    width = max((len(p.name) for p in plan.pending), default=0)
    for pending in plan.pending:
        how = f"{pending.mode}: {pending.why}" if pending.why else str(pending.mode)
        if pending.syntax_error:
            how = f"cannot run: PostgreSQL cannot parse it ({pending.syntax_error})"
        lines.append(f"  {pending.name:<{width}}  {how}, {len(pending.steps)} statement(s)")
    if plan.lint is not None:
        lines.append(f"  lint: {lint_verdict(plan.lint, plan.lint_fails)}")
    return lines


def lint_verdict(result: LintResult, fails: bool) -> str:
    counts = Counter(f.severity for f in result.findings)
    found = [f"{counts[s]} {s.value}{'' if counts[s] == 1 else 's'}" for s in (Severity.ERROR, Severity.WARNING)
             if counts[s]]
    accepted = f", {len(result.ignored)} accepted by inline ignores" if result.ignored else ""
    if result.input_errors:
        return f"failed: {len(result.input_errors)} file(s) could not be read"
    return f"{'failed' if fails else 'passed'} ({', '.join(found) or 'no findings'}{accepted})"


def refusal_lines(plan: Plan) -> list[str]:
    """Why apply refuses, for apply and --dry-run alike (both get the same Plan)."""
    if plan.not_empty is not None:
        return _not_empty_lines(plan)
    lines: list[str] = []
    for index in plan.invalid_indexes:
        lines.append(
            f"refusing to apply: the INVALID index {index.index} on {index.table}, left by a failed CONCURRENTLY "
            f"build, has the name {index.migration} creates, which would fail with \"relation already exists\" "
            f"(or keep the broken index); nothing was changed. Drop it first: {index.fix}"
        )
    if plan.problems:
        lines += problem_lines(plan.table, plan.problems)
    return lines


def _not_empty_lines(plan: Plan) -> list[str]:
    found = plan.not_empty
    assert found is not None
    prisma = plan.folder.layout is Layout.PRISMA
    first = plan.pending[0].name if plan.pending else "NAME"
    return [
        f"refusing to apply: {_tables(found)} but no {plan.table_name}, so which migrations already ran there is "
        "unknown and running them all would fail half-way; nothing was changed"
        + (" (`prisma migrate deploy` refuses this too: P3005)." if prisma else "."),
        *baseline_lines(found, plan.folder.shown, prisma, first),
    ]


def _tables(found: NotEmpty) -> str:
    shown = ", ".join(found.tables[:5]) + (f" and {len(found.tables) - 5} more" if len(found.tables) > 5 else "")
    return f"schema {found.schema} holds {len(found.tables)} table(s) ({shown})"


def baseline_lines(found: NotEmpty, folder: str, prisma: bool, first: str) -> list[str]:
    """How to baseline a database that has tables but no history: the `resolve --applied` to run."""
    command = f"migralint resolve {folder} --applied"
    lines = [f"  Baseline it{' (https://pris.ly/d/migrate-baseline)' if prisma else ''}: record each migration whose "
             "changes are already in the database as applied; apply then runs the rest."]
    if found.already_there:
        lines.append("  These create only tables that are already there (check each against the database first):")
        lines += [f"    {command} {name}" for name in found.already_there]
    else:
        lines.append(f"  No pending migration creates only tables that are already there: for each migration that "
                     f"is in the database, in order (the first is {first}), run `{command} NAME`.")
    return lines


def problem_lines(table: str, problems: list[HistoryProblem]) -> list[str]:
    """Why apply refuses to run: each problem with the migration it names and what to do."""
    lines = [f"refusing to apply: the history in {table} needs attention first; nothing was changed:"]
    for problem in problems:
        lines.append(f"  {display_path(problem.path)}: {problem.message}")
        if problem.help:
            lines.append(f"    help: {problem.help}")
    failed = [p.migration for p in problems if p.rule == FAILED and p.migration]
    if failed:
        lines.append(f"  once the database is repaired: `migralint resolve --rolled-back {failed[0]}` to run it again, "
                     f"or `migralint resolve --applied {failed[0]}` if it was completed by hand")
    return lines


def status_lines(status: FolderStatus) -> list[str]:
    """`migralint status` as text: one line per migration, the INVALID indexes, a summary."""
    history = status.table if status.table_exists else f"{status.table} (absent: nothing is applied)"
    lines = [f"{status.folder} ({status.layout}) on {status.database}, history in {history}:"]
    width = max((len(m.name) for m in status.migrations), default=0)
    for migration in status.migrations:
        when = _when(migration.finished_at or migration.started_at)
        detail = f"  {migration.detail}" if migration.detail else ""
        lines.append(f"  {migration.state:<12} {migration.name:<{width}}{f'  {when}' if when else ''}{detail}")
    if status.not_empty is not None:
        lines.append(f"{_tables(status.not_empty)} but no {status.table}: apply refuses to run migrations into it"
                     + (" (as `prisma migrate deploy` does: P3005)." if status.layout == str(Layout.PRISMA) else "."))
        first = status.migrations[0].name if status.migrations else "NAME"
        lines += baseline_lines(status.not_empty, status.folder, status.layout == str(Layout.PRISMA), first)
    if status.invalid_indexes:
        lines.append("INVALID indexes (a failed CONCURRENTLY build leaves one; it slows writes and serves no query):")
        for index in status.invalid_indexes:
            lines.append(f"  {index.index} on {index.table}: {index.fix}")
    counts = Counter(m.state for m in status.migrations)
    parts = [f"{counts[state]} {state}" for state in STATE_ORDER if counts[state]] or ["no migrations"]
    if status.invalid_indexes:
        parts.append(f"{len(status.invalid_indexes)} INVALID index{'es' if len(status.invalid_indexes) > 1 else ''}")
    attention = [state for state in STATE_ORDER if state in NEEDS_ATTENTION and counts[state]]
    if status.not_empty is not None:
        attention.append("tables but no history")
    verdict = "needs attention" if status.needs_attention else "nothing needs attention"
    lines.append(f"{', '.join(parts)}: {verdict}" + (f" ({', '.join(attention)})" if attention else "") + ".")
    return lines


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z}".strip() if moment else ""
