"""The commands that touch a database: apply, status, resolve (registered on cli.main).

Like cli.py, this module only parses options, calls the library and maps outcomes to exit
codes; the work is in migralint.database.apply and its neighbours.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migralint import ISSUES_URL
from migralint.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    _fail,
    _internal_error,
    _wants_color,
    main,
)
from migralint.config import load_settings
from migralint.errors import UserError
from migralint.linter.run import LintResult
from migralint.report import OutputFormat, reporter
from migralint.rules.registry import build_rule_set

if TYPE_CHECKING:
    from migralint.database.apply import Plan

_URL_HELP = ("The database (default: the Prisma datasource's directUrl, else url, else DATABASE_URL; from the "
             "environment or the .env files Prisma reads; see docs/apply.md).")


@main.command("apply")
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
    from migralint.migrations.apply_text import refusal_lines
    from migralint.database.durations import parse_duration

    try:
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
        outcome = apply_folder(target, url, settings, build_rule_set(settings), options, _ApplyPrinter(confirmed))
    except MigrationFailed as exc:
        _fail(str(exc), EXIT_FINDINGS)
    except UserError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; a migration that was running is recorded as failed (see `migralint status`)",
              EXIT_FINDINGS)
    except Exception as exc:
        _internal_error(f"{type(exc).__name__}: {exc}")
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
    from migralint.database.durations import parse_duration

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
        reporter(OutputFormat.TEXT)(result, sys.stdout, color=_wants_color())
        sys.stdout.flush()
        for message in result.input_errors:
            click.echo(f"migralint: error: {message}", err=True)
        for error in result.internal_errors:
            click.echo(f"migralint: internal error while linting {error.path}: {error.error}; this is a bug in "
                       f"migralint, please report it at {ISSUES_URL}", err=True)

    def plan(self, plan: Plan) -> None:
        from migralint.migrations.apply_text import plan_lines

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


@main.command("status")
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
    from migralint.migrations.apply_text import status_lines

    try:
        target = open_folder(folder, load_settings(config_path))
        status = folder_status(target, _database_url(database_url, target.root))
    except UserError as exc:
        _fail(str(exc))
    except Exception as exc:
        _internal_error(f"{type(exc).__name__}: {exc}")
    if output_format == "json":
        click.echo(json.dumps(status.to_json(), indent=2))
    else:
        click.echo("\n".join(status_lines(status)))
    sys.exit(EXIT_FINDINGS if status.needs_attention else EXIT_OK)


@main.command("resolve")
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
    from migralint.database.durations import parse_duration

    try:
        if (rolled_back is None) == (applied is None):
            raise UserError("give one of --rolled-back NAME and --applied NAME")
        wait = parse_duration("--wait-for-lock", wait_for_lock)
        target = open_folder(folder, load_settings(config_path))
        url = _database_url(database_url, target.root)
        done = resolve(target, url, applied or rolled_back or "", applied=applied is not None, wait_for_lock_ms=wait)
    except UserError as exc:
        _fail(str(exc))
    except Exception as exc:
        _internal_error(f"{type(exc).__name__}: {exc}")
    click.echo(f"migralint: {done}", err=True)
    sys.exit(EXIT_OK)
