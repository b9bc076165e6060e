"""The command line: parse options, call the library, map outcomes to exit codes.

Exit codes: 0 nothing fails; 1 findings fail the run; 2 the user's mistake (bad option,
config or path, unreadable file); 3 a bug in migralint. This module and cli_apply.py (the
commands that touch a database) are the only ones that print or exit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from migralint import ISSUES_URL, __version__
from migralint.config import Settings, load_settings
from migralint.errors import UserError
from migralint.linter.engine import RuleSet
from migralint.linter.fixing import apply_fixes
from migralint.linter.run import (
    LintResult,
    display_path,
    lint_files,
    lint_stdin,
)
from migralint.migrations.discover import default_folder, discover, folders_of, with_history
from migralint.migrations.history import ConfigSource, HistorySource, only_pending, read_states
from migralint.migrations.layouts import classify
from migralint.report import OutputFormat, reporter
from migralint.rules.registry import ALL_RULES, RULES_BY_NAME, build_rule_set

if TYPE_CHECKING:
    from migralint.migrations.git_history import GitSource
    from migralint.migrations.database import DatabaseSource

EXIT_OK, EXIT_FINDINGS, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR = 0, 1, 2, 3


def _names(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _fail(message: str, code: int = EXIT_USER_ERROR) -> NoReturn:
    click.echo(f"migralint: error: {message}", err=True)
    sys.exit(code)


def _version_text() -> str:
    import pglast

    return f"migralint {__version__} (pglast {pglast.__version__})"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(message="%(prog)s %(version)s", version=__version__, package_name="migralint",
                      prog_name="migralint", help="Show the version and exit.")
def main() -> None:
    """migralint: find the migrations that would lock, break or fail in production."""


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--strict", is_flag=True, default=None, help="Fail on warnings too.")
@click.option("--format", "output_format", type=click.Choice([f.value for f in OutputFormat]),
              default=None, help="Output format (default: text).")
@click.option("--output", "output_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report in --format to this file; the terminal gets text.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file instead of the nearest one.")
@click.option("--pg-version", type=click.IntRange(9, 99), help="PostgreSQL major version (default 15).")
@click.option("--select", help="Only these rules (comma-separated; ALL for every rule).")
@click.option("--extend-select", help="Add these rules to the selection.")
@click.option("--ignore", help="Switch these rules off.")
@click.option("--extend-ignore", help="Switch these rules off, in addition to the config's.")
@click.option("--assume-in-transaction", is_flag=True, default=None,
              help="Plain .sql files run inside a transaction.")
@click.option("--assume-applied-through", "applied_through", metavar="MIGRATION",
              help="Migrations after this one are not applied yet: their tables hold no rows.")
@click.option("--since", metavar="REF",
              help="Migrations that exist at this commit (origin/main, a SHA) are applied: lint only the ones "
                   "added since, and report applied ones edited or deleted.")
@click.option("--staged", is_flag=True,
              help="The same against HEAD for what is staged (the pre-commit hook): lint staged new migrations, "
                   "report staged edits and deletions of committed ones.")
@click.option("--database-url", metavar="URL",
              help="Read the runner's history table in this database (read-only): lint only pending migrations, "
                   "report failed, edited and missing ones, and tell lock findings how big their table is. "
                   "Default: $DATABASE_URL, except with --staged.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes to migrations not yet applied, then lint again.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run.")
@click.option("--stdin-filename", help="The name to report for SQL read from standard input (-).")
def lint(
    paths: tuple[str, ...],
    strict: bool | None,
    output_format: str | None,
    output_path: Path | None,
    config_path: Path | None,
    pg_version: int | None,
    select: str | None,
    extend_select: str | None,
    ignore: str | None,
    extend_ignore: str | None,
    assume_in_transaction: bool | None,
    applied_through: str | None,
    since: str | None,
    staged: bool,
    database_url: str | None,
    fix: bool,
    exit_zero: bool,
    stdin_filename: str | None,
) -> None:
    """Lint migration files, folders or globs (default: the project's migrations folder)."""
    try:
        settings = load_settings(config_path).with_overrides(
            strict=strict,
            pg_version=pg_version,
            select=_names(select),
            extend_select=_names(extend_select),
            ignore=_names(ignore),
            extend_ignore=_names(extend_ignore),
            assume_in_transaction=assume_in_transaction,
            applied_through=applied_through,
        )
        rules = build_rule_set(settings)
        if fix and paths == ("-",):
            raise UserError("--fix edits files; it cannot be used with standard input")
        git = _git_source(since, staged, paths)
        from_environment = database_url is None and not staged
        if from_environment:
            # The pre-commit check (--staged) asks git only: a developer's DATABASE_URL is
            # usually a local database, and a commit should not wait on it.
            database_url = os.environ.get("DATABASE_URL") or None
        database = _database_source(database_url, paths)
        if database is not None and from_environment:
            # A development database has the migration being written applied already (prisma
            # migrate dev does that): say where "applied" comes from, so nothing is a surprise.
            click.echo(f"migralint: note: migrations applied in {database.shown} (DATABASE_URL) count as "
                       "applied and are not linted; pass --database-url to choose another", err=True)
        try:
            result = _lint(paths, settings, rules, stdin_filename, fix=fix, git=git, database=database)
        finally:
            if database is not None:
                database.close()
    except UserError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug: one sentence, where to report it, no traceback unless asked
        _internal_error(f"{type(exc).__name__}: {exc}")
    try:
        _report(result, OutputFormat(output_format) if output_format else None, output_path)
    except OSError as exc:
        _fail(f"cannot write {exc.filename}: {exc.strerror}")
    except Exception as exc:  # a bug in a reporter: one line and exit 3, as for the lint itself
        _internal_error(f"{type(exc).__name__}: {exc} (writing the report)")
    sys.exit(_exit_code(result, settings, exit_zero))


GITLAB_REPORT = "gl-code-quality-report.json"


def _report(result: LintResult, fmt: OutputFormat | None, output_path: Path | None) -> None:
    """Print the result where it is wanted: the terminal, a file, and what the CI reads.

    The terminal gets text (or --format when there is no --output); on GitHub Actions text
    comes with annotations. On GitLab CI with neither option the Code Quality report is
    written to its usual file.
    """
    terminal = OutputFormat.TEXT if output_path is not None else (fmt or OutputFormat.TEXT)
    files: list[tuple[OutputFormat, Path]] = []
    if output_path is not None:
        files.append((fmt or OutputFormat.TEXT, output_path))
    if terminal is OutputFormat.TEXT and os.environ.get("GITHUB_ACTIONS") == "true":
        reporter(OutputFormat.GITHUB)(result, sys.stdout, color=False)
    if fmt is None and output_path is None and os.environ.get("GITLAB_CI") == "true":
        files.append((OutputFormat.GITLAB, Path(GITLAB_REPORT)))
    reporter(terminal)(result, sys.stdout, color=terminal is OutputFormat.TEXT and _wants_color())
    sys.stdout.flush()
    for file_format, path in files:
        with path.open("w", encoding="utf-8") as handle:
            reporter(file_format)(result, handle, color=False)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            reporter(OutputFormat.MARKDOWN)(result, handle, color=False)


def _lint(
    paths: tuple[str, ...],
    settings: Settings,
    rules: RuleSet,
    stdin_filename: str | None,
    *,
    fix: bool = False,
    git: GitSource | None = None,
    database: DatabaseSource | None = None,
) -> LintResult:
    if paths == ("-",):
        name = stdin_filename or "<stdin>"
        migration = classify(Path(name), assume_in_transaction=settings.assume_in_transaction)
        text = sys.stdin.read()
        return lint_stdin(text, migration, name, settings, rules)
    if "-" in paths:
        raise UserError("'-' (standard input) cannot be combined with other paths")
    targets = list(paths)
    if not targets:
        folder = default_folder(Path.cwd(), settings.migrations_dir)
        targets = [display_path(folder)]
    problems: list[str] = []  # what could not be linted (an unreadable folder...): said, never skipped
    files = discover(targets, assume_in_transaction=settings.assume_in_transaction, problems=problems)
    asked = {m.path for m in files}
    if not paths:
        layouts = sorted({str(m.layout) for m in files}) or ["no migration files"]
        click.echo(f"migralint: linting {targets[0]} ({', '.join(layouts)})", err=True)
    elif not files and not problems:
        click.echo(f"migralint: no .sql files found in {', '.join(paths)}", err=True)
    folders = folders_of(files, assume_in_transaction=settings.assume_in_transaction)
    states = read_states(folders, _sources(settings, git, database))
    for note in dict.fromkeys(note for state in states.values() for note in state.notes):
        click.echo(f"migralint: note: {note}", err=True)
    if git is not None or database is not None:  # lint what is pending; the applied migrations are history
        before, files = files, only_pending(files, folders, states)
        if before and not files:
            added = git.added if git is not None else "is pending in the database"
            click.echo(f"migralint: nothing to lint: no migration {added}", err=True)
    planned = with_history(files, assume_in_transaction=settings.assume_in_transaction, folders=folders)
    read_stats = database.table_stats if database is not None else None
    result = lint_files(planned, settings, rules, folders=folders, states=states, read_stats=read_stats, asked=asked)
    result.input_errors[:0] = problems
    if fix:
        applied = frozenset(name for state in states.values() for name in state.applied)
        outcome = apply_fixes(result, planned, applied)
        for shown in outcome.refused:
            click.echo(f"migralint: not fixing {shown}: it is already applied", err=True)
        if outcome.files:
            click.echo(f"migralint: fixed {outcome.fixed} finding(s) in {', '.join(outcome.files)}", err=True)
            result = lint_files(planned, settings, rules, folders=folders, states=states, read_stats=read_stats,
                                asked=asked)
            result.input_errors[:0] = problems
    return result


def _sources(
    settings: Settings, git: GitSource | None = None, database: DatabaseSource | None = None
) -> list[HistorySource]:
    """The sources of truth for what is applied, from the options and the config."""
    sources: list[HistorySource] = []
    if settings.applied_through:
        sources.append(ConfigSource(settings.applied_through))
    if git is not None:
        sources.append(git)
    if database is not None:
        sources.append(database)
    return sources


def _database_source(url: str | None, paths: tuple[str, ...]) -> DatabaseSource | None:
    if not url or paths == ("-",):
        return None
    from migralint.migrations.database import DatabaseSource  # psycopg loads only when a database is given

    return DatabaseSource(url)


def _git_source(since: str | None, staged: bool, paths: tuple[str, ...]) -> GitSource | None:
    if since is not None and staged:
        raise UserError("--since and --staged cannot be used together: --staged compares with HEAD")
    if (since is not None or staged) and paths == ("-",):
        raise UserError(f"{'--staged' if staged else '--since'} needs migration files, not standard input")
    if since is None and not staged:
        return None
    from migralint.migrations.git_history import GitSource  # only when git is asked (difflib, subprocess)

    return GitSource("HEAD", staged=True) if staged else GitSource(since or "HEAD")


def _exit_code(result: LintResult, settings: Settings, exit_zero: bool) -> int:
    for message in result.input_errors:
        click.echo(f"migralint: error: {message}", err=True)
    if result.internal_errors:
        for error in result.internal_errors:
            click.echo(f"migralint: internal error while linting {error.path}: {error.error}", err=True)
            if os.environ.get("MIGRALINT_DEBUG"):
                click.echo(error.trace, err=True)
        click.echo(f"migralint: this is a bug in migralint; please report it at {ISSUES_URL} "
                   "with the file named above (MIGRALINT_DEBUG=1 shows the traceback).", err=True)
        return EXIT_INTERNAL_ERROR
    if result.input_errors:
        return EXIT_USER_ERROR
    if exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if result.fails(settings.strict) else EXIT_OK


def _internal_error(error: str) -> NoReturn:
    if os.environ.get("MIGRALINT_DEBUG"):
        import traceback

        traceback.print_exc()
    _fail(f"internal error: {error}. This is a bug in migralint; please report it at {ISSUES_URL} "
          "(MIGRALINT_DEBUG=1 shows the traceback).", EXIT_INTERNAL_ERROR)


def _wants_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


@main.command("rules")
def rules_command() -> None:
    """List every rule: name, severity, whether it is on by default, summary."""
    width = max(len(rule.name) for rule in ALL_RULES)
    for rule in sorted(ALL_RULES, key=lambda r: r.name):
        default = "" if rule.default_enabled else " (off by default)"
        click.echo(f"{rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary}{default}")


@main.command("rule")
@click.argument("name")
def rule_command(name: str) -> None:
    """Print one rule's documentation."""
    rule = RULES_BY_NAME.get(name)
    if rule is None:
        _fail(f"unknown rule {name!r} (see `migralint rules`)")
    from migralint.rules.docs import render_rule_doc

    click.echo(render_rule_doc(rule), nl=False)


@main.command("lock")
@click.argument("paths", nargs=-1)
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when a migrations.lock is missing or out of date (for CI).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file instead of the nearest one.")
def lock_command(paths: tuple[str, ...], check: bool, config_path: Path | None) -> None:
    """Write migrations.lock in each migrations folder: every migration's sha256, in order, chained."""
    from migralint.migrations.lockfile import lock_folders

    try:
        settings = load_settings(config_path)
        targets = list(paths) or [display_path(default_folder(Path.cwd(), settings.migrations_dir))]
        files = discover(targets, assume_in_transaction=settings.assume_in_transaction)
        if not files:
            raise UserError(f"no migrations found in {', '.join(targets)}")
        statuses = lock_folders(folders_of(files, assume_in_transaction=settings.assume_in_transaction), write=not check)
    except UserError as exc:
        _fail(str(exc))
    except Exception as exc:
        _internal_error(f"{type(exc).__name__}: {exc}")
    stale = False
    for status in statuses:
        shown = display_path(status.path)
        changes = f": {'; '.join(status.changes)}" if status.changes else ""
        if status.state == "written":
            click.echo(f"migralint: wrote {shown} ({status.migrations} migrations){changes}", err=True)
        elif status.state == "up to date":
            click.echo(f"migralint: {shown} is up to date ({status.migrations} migrations)", err=True)
        else:
            stale = True
            click.echo(f"migralint: {shown} is {status.state}{changes}; run `migralint lock` and commit it", err=True)
    sys.exit(EXIT_FINDINGS if stale else EXIT_OK)


# --- apply, status, resolve ------------------------------------------------------------------


# The commands that run migrations live in cli_apply.py; importing it registers them on `main`.
from migralint import cli_apply  # noqa: E402,F401
