"""apply, status and resolve: the commands that touch a database, and the lines they print.

Like lint.py, this module only parses options, calls migralint.database and maps outcomes to
exit codes. The database code (all but durations.py) is imported inside the commands that use
it, for start-up time: `migralint lint`, which runs on every commit, should not load it.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migralint import ISSUES_URL
from migralint.cli.output import EXIT_FINDINGS, EXIT_OK, INTERRUPTED_NOTE, error_line, fail, wants_color
from migralint.database.durations import format_duration, parse_duration
from migralint.errors import UserError
from migralint.findings import Severity
from migralint.findings import LintResult
from migralint.report import OutputFormat, reporter
from migralint.report.escape import one_line

if TYPE_CHECKING:
    from migralint.migrations.history import HistoryProblem
    from migralint.rules.migration_order_conflict import OutOfOrder
    from migralint.database.apply import Plan
    from migralint.database.apply_checks import NotEmpty
    from migralint.database.apply_status import FolderStatus

_URL_HELP = ("The database (default: the Prisma datasource's directUrl, else url, else DATABASE_URL; from the "
             "environment or the .env files Prisma reads; see docs/apply.md).")


@click.command("apply")
@click.argument("folder", required=False)
@click.option("--database-url", metavar="URL", help=_URL_HELP)
@click.option("--strict", is_flag=True, default=None, help="Refuse on warnings too.")
@click.option("--dry-run", is_flag=True, help="Print the plan and the lint verdict; change nothing.")
@click.option("--lock-timeout", default="5s", show_default=True, metavar="DURATION",
              help="lock_timeout for each migration (0: none).")
@click.option("--statement-timeout", default="0", show_default=True, metavar="DURATION",
              help="statement_timeout for each migration (0: none).")
@click.option("--wait-for-lock", default="10s", show_default=True, metavar="DURATION",
              help="How long to wait for another migration run to finish (0: as long as it takes).")
@click.option("--lock-timeout-retries", default=0, show_default=True, metavar="N", type=click.IntRange(0, 20),
              help="Rerun a one-transaction migration that hit lock_timeout up to N times (after 1s, 2s, 4s, ...).")
@click.option("--progress-every", default="auto", show_default=True, metavar="DURATION",
              help="A line while a statement runs this long, saying whether it waits for a lock and on whom "
                   "(auto: 5s on a terminal, else 30s; 0: none).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask; needed without a terminal (unless CI=true).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file instead of the nearest one.")
def apply_command(
    folder: str | None, database_url: str | None, strict: bool | None, dry_run: bool, lock_timeout: str,
    statement_timeout: str, wait_for_lock: str, lock_timeout_retries: int, progress_every: str, yes: bool,
    config_path: Path | None,
) -> None:
    """Lint the pending migrations, then apply them; refuse while the lint or the history fails."""
    from migralint.database.apply import ApplyOptions, MigrationFailed, Verdict, apply_folder, open_folder
    from migralint.config_file import load_settings
    from migralint.rules.registry import build_rule_set

    # Ctrl-C while a migration runs: apply_run records it as failed before the interruption
    # reaches the handler in cli/__init__.py, which adds this to its line.
    click.get_current_context().meta[INTERRUPTED_NOTE] = ("a migration that was running is recorded as failed "
                                                          "(see `migralint status`)")
    settings = load_settings(config_path).with_overrides(strict=strict)
    options = ApplyOptions(parse_duration("--lock-timeout", lock_timeout),
                           parse_duration("--statement-timeout", statement_timeout),
                           parse_duration("--wait-for-lock", wait_for_lock), dry_run, lock_timeout_retries,
                           _progress_every(progress_every))
    confirmed = yes or os.environ.get("CI", "").lower() == "true"
    if not dry_run and not confirmed and not sys.stdin.isatty():
        raise UserError("apply changes the database and there is no terminal to confirm on: "
                        "pass --yes (CI=true counts as yes), or --dry-run to see the plan")
    target = open_folder(folder, settings)
    url = _database_url(database_url, target.root)
    try:
        outcome = apply_folder(target, url, settings, build_rule_set(settings), options, _ApplyPrinter(confirmed))
    except MigrationFailed as exc:  # the failure is recorded in the history table: an outcome, not an error
        fail(str(exc), EXIT_FINDINGS)
    plan = outcome.plan
    if outcome.verdict in (Verdict.NOT_EMPTY_REFUSED, Verdict.HISTORY_REFUSED):
        for line in refusal_lines(plan):
            click.echo(f"migralint: {line}", err=True)
    elif outcome.verdict is Verdict.LINT_REFUSED:
        click.echo("migralint: refusing to apply: the lint failed; nothing was changed. Fix the findings above, or "
                   "accept a reviewed risk with an inline ignore and its reason.", err=True)
    elif outcome.verdict is Verdict.DECLINED:
        click.echo("migralint: nothing was applied", err=True)
    elif outcome.verdict is Verdict.DRY_RUN:
        click.echo(f"migralint: dry run: {len(plan.pending)} migration(s) would be applied; nothing was changed",
                   err=True)
    elif outcome.verdict is Verdict.NOTHING:
        click.echo(f"migralint: nothing to apply: all {len(plan.applied)} migration(s) are applied", err=True)
    else:
        click.echo(f"migralint: applied {len(outcome.applied)} migration(s)", err=True)
    refused = (Verdict.NOT_EMPTY_REFUSED, Verdict.HISTORY_REFUSED, Verdict.LINT_REFUSED, Verdict.DECLINED)
    sys.exit(EXIT_FINDINGS if outcome.verdict in refused else EXIT_OK)


def _progress_every(text: str) -> int:
    """Milliseconds between progress lines: a terminal is watched by a person, a CI log is read afterwards."""
    if text.strip().lower() == "auto":
        return 5_000 if sys.stdout.isatty() else 30_000
    return parse_duration("--progress-every", text)


class _ApplyPrinter:
    """apply's Listener: the plan and progress on stdout, notes on stderr."""

    def __init__(self, confirmed: bool) -> None:
        self.confirmed = confirmed

    def note(self, text: str) -> None:
        click.echo(f"migralint: {text}", err=True)

    def lint(self, result: LintResult) -> None:
        reporter(OutputFormat.TEXT)(result, sys.stdout, color=wants_color())
        sys.stdout.flush()
        for message in result.input_errors:
            error_line(message)
        for error in result.internal_errors:
            click.echo(one_line(f"migralint: internal error while linting {error.path}: {error.error}; this is a bug "
                                f"in migralint, please report it at {ISSUES_URL}"), err=True)

    def plan(self, plan: Plan) -> None:
        click.echo("\n".join(plan_lines(plan)))

    def confirm(self, plan: Plan) -> bool:
        if self.confirmed:
            return True
        return click.confirm(f"Apply {len(plan.pending)} migration(s) to {plan.database}?", default=False, err=True)

    def progress(self, text: str) -> None:
        click.echo(text)


def _database_url(option: str | None, root: Path) -> str:
    from migralint.database.connection_url import parse_url
    from migralint.database.database_location import resolve_url

    resolved = resolve_url(option, root)
    assert resolved is not None  # required: UserError when there is none
    shown = parse_url(resolved.url).shown  # a URL migralint cannot use is refused here, in one sentence
    click.echo(f"migralint: database {shown} (from {resolved.origin})", err=True)
    return resolved.url


@click.command("status")
@click.argument("folder", required=False)
@click.option("--database-url", metavar="URL", help=_URL_HELP)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file instead of the nearest one.")
def status_command(folder: str | None, database_url: str | None, output_format: str, config_path: Path | None) -> None:
    """List applied, pending, failed, edited and missing migrations, and INVALID indexes (exit 1: needs attention)."""
    import json

    from migralint.database.apply import open_folder
    from migralint.database.apply_status import folder_status
    from migralint.config_file import load_settings

    target = open_folder(folder, load_settings(config_path))
    status = folder_status(target, _database_url(database_url, target.root))
    if output_format == "json":
        click.echo(json.dumps(status.to_json(), indent=2))
    else:
        click.echo("\n".join(status_lines(status)))
    sys.exit(EXIT_FINDINGS if status.needs_attention else EXIT_OK)


@click.command("resolve")
@click.argument("folder", required=False)
@click.option("--rolled-back", "rolled_back", metavar="NAME", help="The failed migration was undone: run it again.")
@click.option("--applied", metavar="NAME", help="The failed migration was completed by hand: record it as applied.")
@click.option("--database-url", metavar="URL", help=_URL_HELP)
@click.option("--wait-for-lock", default="10s", show_default=True, metavar="DURATION",
              help="How long to wait for another migration run to finish.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file instead of the nearest one.")
def resolve_command(
    folder: str | None, rolled_back: str | None, applied: str | None, database_url: str | None,
    wait_for_lock: str, config_path: Path | None,
) -> None:
    """Record a failed migration as rolled back or applied, as `prisma migrate resolve` does."""
    from migralint.database.apply import open_folder
    from migralint.database.apply_status import resolve
    from migralint.config_file import load_settings

    if (rolled_back is None) == (applied is None):
        raise UserError("give one of --rolled-back NAME and --applied NAME")
    wait = parse_duration("--wait-for-lock", wait_for_lock)
    target = open_folder(folder, load_settings(config_path))
    url = _database_url(database_url, target.root)
    done = resolve(target, url, applied or rolled_back or "", applied=applied is not None, wait_for_lock_ms=wait)
    click.echo(f"migralint: {done}", err=True)
    sys.exit(EXIT_OK)


# --- the lines apply, status and resolve print ---------------------------------------------


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
    if plan.problems or plan.out_of_order:
        lines += problem_lines(plan.table, plan.problems, plan.out_of_order)
    return lines


def _not_empty_lines(plan: Plan) -> list[str]:
    found = plan.not_empty
    assert found is not None
    from migralint.migrations.layouts import Layout  # loaded already: the plan came from discovery

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


def problem_lines(table: str, problems: list[HistoryProblem], out_of_order: list[OutOfOrder]) -> list[str]:
    """Why apply refuses to run: each problem with the migration it names and what to do, in the
    words the rule that reports it uses in `migralint lint`."""
    # Loaded here, not at the top: `migralint --help` imports this module and must not load the rules.
    from migralint.migrations.folder_files import folder_listing
    from migralint.migrations.history import HistoryEvent
    from migralint.migrations.versions import split_name
    from migralint.rules.applied_history import words_for
    from migralint.rules.migration_order_conflict import BY_APPLY, describe_out_of_order
    from migralint.rules.registry import ALL_RULES
    from migralint.source import display_path

    lines = [f"refusing to apply: the history in {table} needs attention first; nothing was changed:"]
    said = [(problem.path, *words_for(problem, ALL_RULES)[1:]) for problem in problems]
    taken = {parts.version for c in out_of_order if (parts := split_name(c.migration)) is not None}
    listing = folder_listing(c.migration for c in out_of_order)
    said += [(c.migration.path, *describe_out_of_order(c, table, taken, listing, BY_APPLY)) for c in out_of_order]
    for path, message, help in said:
        lines.append(f"  {display_path(path)}: {message}")
        if help:
            lines.append("    help: " + help.replace("\n", "\n          "))
    failed = [p.migration for p in problems if p.event is HistoryEvent.FAILED and p.migration]
    if failed:
        lines.append(f"  once the database is repaired: `migralint resolve --rolled-back {failed[0]}` to run it again, "
                     f"or `migralint resolve --applied {failed[0]}` if it was completed by hand")
    return lines


def status_lines(status: FolderStatus) -> list[str]:
    """`migralint status` as text: one line per migration, the INVALID indexes, a summary."""
    from migralint.migrations.layouts import Layout  # loaded already: `status` discovered the folder

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
    from migralint.database.apply_status import NEEDS_ATTENTION  # loaded already: `status` read the database

    attention = [state for state in STATE_ORDER if state in NEEDS_ATTENTION and counts[state]]
    if status.not_empty is not None:
        attention.append("tables but no history")
    verdict = "needs attention" if status.needs_attention else "nothing needs attention"
    lines.append(f"{', '.join(parts)}: {verdict}" + (f" ({', '.join(attention)})" if attention else "") + ".")
    return lines


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z}".strip() if moment else ""
