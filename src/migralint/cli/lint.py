"""lint, rules, rule and lock: the commands that read migration files (registered in cli/__init__.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migralint import ISSUES_URL
from migralint.cli.output import (
    EXIT_FINDINGS,
    EXIT_INTERNAL_ERROR,
    EXIT_OK,
    EXIT_USER_ERROR,
    error_line,
    fail,
    report,
    silence_stdout,
    terminal_width,
)
from migralint.errors import UserError
from migralint.report import OutputFormat
from migralint.report.escape import one_line
from migralint.sql.dialect import Dialect
from migralint.sql.front_ends import DIALECT_NAMES, LINTED_NAMES

# The linter (pglast, the rules, discovery) is imported inside the commands that use it:
# `migralint --version`, `--help` and every command's help load click and this module only.
if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.database.connection import DatabaseSource
    from migralint.findings import LintResult
    from migralint.linter.rule_set import RuleSet
    from migralint.migrations.git_history import GitSource


def _names(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(name.strip() for name in value.split(",") if name.strip())


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--strict", is_flag=True, default=None, help="Fail on warnings too.")
@click.option("--format", "output_format", type=click.Choice([f.value for f in OutputFormat]),
              default=None, help="Output format (default: text).")
@click.option("--output", "output_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report in --format to this file; the terminal gets text.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file instead of the nearest one.")
@click.option("--pg-version", type=click.IntRange(9, 99), help="PostgreSQL major version (default 15).")
@click.option("--dialect", type=click.Choice(DIALECT_NAMES, case_sensitive=False),
              help="The database of files whose folder does not say it (Prisma's provider and popx names do; "
                   "default postgresql).")
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
              help="The same for what is staged (the pre-commit hook), against what is pushed (the upstream, "
                   "else the remote's default branch, else HEAD; the base setting overrides): lint the "
                   "migrations not pushed yet, report staged edits and deletions of pushed ones.")
@click.option("--ci-base", is_flag=True,
              help="--since the commit the CI run compares with, from its own variables: a GitHub pull "
                   "request's base or a push's previous commit, a GitLab merge request's diff base.")
@click.option("--database-url", metavar="URL",
              help="Read the runner's history table in this database (read-only): lint only pending migrations, "
                   "report failed, edited and missing ones, and tell lock findings how big their table is. "
                   "Default: the URL apply would use (see docs/apply.md), except with --staged.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes to migrations not yet applied, then lint again.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run.")
@click.option("--stdin-filename", help="The name to report for SQL read from standard input (-).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache (docs/cache.md).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The result cache's folder (default: .migralint_cache in the project root; "
                   "or MIGRALINT_CACHE_DIR).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Lint this many folders at once, in worker processes (default: the idle cores).")
def lint(
    paths: tuple[str, ...],
    strict: bool | None,
    output_format: str | None,
    output_path: Path | None,
    config_path: Path | None,
    pg_version: int | None,
    dialect: str | None,
    select: str | None,
    extend_select: str | None,
    ignore: str | None,
    extend_ignore: str | None,
    assume_in_transaction: bool | None,
    applied_through: str | None,
    since: str | None,
    staged: bool,
    ci_base: bool,
    database_url: str | None,
    fix: bool,
    exit_zero: bool,
    stdin_filename: str | None,
    no_cache: bool,
    cache_dir: Path | None,
    jobs: int | None,
) -> None:
    """Lint migration files, folders or globs (default: the project's migrations folder)."""
    from migralint.config_file import load_settings
    from migralint.rules.registry import build_rule_set

    settings = load_settings(config_path).with_overrides(
        strict=strict,
        pg_version=pg_version,
        dialect=Dialect.parse(dialect) if dialect else None,
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
    if ci_base:
        since = _since_from_ci(since, staged)
    git = _git_source(since, staged, paths, settings.base)
    origin = None
    if database_url is None and not staged and paths != ("-",):
        # The pre-commit check (--staged) asks git only: a developer's database is usually a
        # local one, and a commit should not wait on it. Otherwise the URL is found as apply finds it.
        database_url, origin = _resolved_database_url(paths, settings)
    database = _database_source(database_url, paths)
    if database is not None and origin is not None:
        # A development database has the migration being written applied already (prisma
        # migrate dev does that): say where "applied" comes from, so nothing is a surprise.
        click.echo(f"migralint: note: migrations applied in {database.shown} (from {origin}) count as "
                   "applied and are not linted; pass --database-url to choose another", err=True)
    try:
        result = _lint(paths, settings, rules, stdin_filename, fix=fix, git=git, database=database,
                       cache_dir=None if no_cache else _cache_dir(cache_dir, settings), jobs=jobs)
    finally:
        if database is not None:
            database.close()
    try:
        report(result, OutputFormat(output_format) if output_format else None, output_path, settings.strict)
    except BrokenPipeError:
        silence_stdout()
    except OSError as exc:
        fail(f"cannot write {exc.filename}: {exc.strerror}")
    sys.exit(_exit_code(result, settings, exit_zero))


def _lint(
    paths: tuple[str, ...],
    settings: Settings,
    rules: RuleSet,
    stdin_filename: str | None,
    *,
    fix: bool = False,
    git: GitSource | None = None,
    database: DatabaseSource | None = None,
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> LintResult:
    from migralint import api
    from migralint.findings import LintResult
    from migralint.workers import default_jobs

    if paths == ("-",):
        return api.lint_source(sys.stdin.read(), stdin_filename or "<stdin>", settings, rules)
    if "-" in paths:
        raise UserError("'-' (standard input) cannot be combined with other paths")
    targets = list(paths) or _default_targets(settings, staged=git is not None and git.staged)
    if not targets:
        click.echo("migralint: nothing to lint: no staged change under a migrations folder", err=True)
        return LintResult()
    request = api.LintRequest(
        paths=targets,
        settings=settings,
        rules=rules,
        history=[source for source in (git, database) if source is not None],
        read_stats=database.table_stats if database is not None else None,
        fix=fix,
        found_folders=not paths,
        keep_empty_folders=not paths and git is not None,
        pending_described=git.added if git is not None else "is pending in the database" if database is not None else None,
        on_note=lambda note: click.echo(f"migralint: {note}", err=True),  # as they come: a lint can be long
        cache_dir=cache_dir,
        jobs=jobs if jobs is not None else default_jobs(),
    )
    return api.lint(request).result


def _cache_dir(option: Path | None, settings: Settings) -> Path | None:
    """--cache-dir, else MIGRALINT_CACHE_DIR, else the config's cache-dir, else the project root's."""
    from migralint.cache import ENV_VAR, default_cache_dir

    if option is not None:
        return option
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    if not settings.cache:
        return None
    if settings.cache_dir is not None:
        return settings.root / settings.cache_dir
    return default_cache_dir(settings, Path.cwd())


def _default_targets(settings: Settings, *, staged: bool) -> list[str]:
    """Every migrations folder under the working directory; with --staged, those the index changes."""
    from migralint.migrations.discover import FoundFolders, default_folders
    from migralint.migrations.folders import folders_changed
    from migralint.migrations.staged import staged_changes
    from migralint.source import display_path

    cwd = Path.cwd()
    try:
        found = default_folders(cwd, settings.migrations_dir)
    except UserError:
        if not staged or settings.migrations_dir:
            raise
        found = FoundFolders([], [])  # the commit may delete a folder's last migration: git still knows it
    for skipped in found.skipped:
        click.echo(f"migralint: note: not linting {skipped}: migralint lints {LINTED_NAMES} migrations",
                   err=True)
    targets = [display_path(folder) for folder in found.folders]
    if not staged:
        return targets
    changed = staged_changes(str(cwd))
    if changed is None:
        raise UserError(f"--staged needs git and a git repository, and git found none at {cwd}")
    return folders_changed(targets, changed)


def _database_source(url: str | None, paths: tuple[str, ...]) -> DatabaseSource | None:
    if not url or paths == ("-",):
        return None
    from migralint.database.connection_url import parse_url
    from migralint.database.connection import DatabaseSource  # psycopg loads only when a database is given

    parse_url(url)  # a URL migralint cannot use is refused before anything is linted
    return DatabaseSource(url)


def _resolved_database_url(paths: tuple[str, ...], settings: Settings) -> tuple[str | None, str | None]:
    """The URL `apply` would use for the first path's migrations folder, and where it came from."""
    from migralint.database.database_location import resolve_url  # the database code loads only when needed
    from migralint.migrations.discover import default_folder

    try:
        start = Path(paths[0]) if paths else default_folder(Path.cwd(), settings.migrations_dir)
    except UserError:
        return None, None
    start = start.resolve()
    root = start if start.is_dir() else start.parent
    for folder in (root, *root.parents):
        if (folder / "migration_lock.toml").is_file():
            root = folder
            break
    try:
        resolved = resolve_url(None, root, required=False)
    except UserError as exc:
        click.echo(f"migralint: note: the database is not read: {exc}", err=True)
        return None, None
    if resolved is None:
        return None, None
    scheme = resolved.url.partition("://")[0].lower()
    if scheme in ("mysql", "mariadb"):
        # A MySQL project's own database (its .env, its schema.prisma): linted without it.
        click.echo(f"migralint: note: the database is not read: {resolved.origin} names a {scheme}:// database, "
                   "and migralint reads PostgreSQL databases only", err=True)
        return None, None
    return resolved.url, resolved.origin


def _git_source(since: str | None, staged: bool, paths: tuple[str, ...], base: str | None = None) -> GitSource | None:
    if since is not None and staged:
        raise UserError("--since and --staged cannot be used together: --staged compares with the upstream "
                        "(set base in the config to choose another commit)")
    if (since is not None or staged) and paths == ("-",):
        raise UserError(f"{'--staged' if staged else '--since'} needs migration files, not standard input")
    if since is None and not staged:
        return None
    from migralint.migrations.git_history import GitSource  # only when git is asked (difflib, subprocess)

    return GitSource(base, staged=True) if staged else GitSource(since or "HEAD")


def _since_from_ci(since: str | None, staged: bool) -> str | None:
    if since is not None or staged:
        raise UserError("--ci-base chooses the base commit itself: drop --since and --staged")
    from migralint.migrations.ci_base import ci_base

    base = ci_base(os.environ, Path.cwd())
    if base.commit is None:
        click.echo(f"migralint: note: no base commit ({base.why}): every migration is linted", err=True)
    else:
        click.echo(f"migralint: comparing with {base.commit[:12]}, {base.why}", err=True)
    return base.commit


def _exit_code(result: LintResult, settings: Settings, exit_zero: bool) -> int:
    for message in result.input_errors:
        error_line(message)
    if result.internal_errors:
        for error in result.internal_errors:
            click.echo(one_line(f"migralint: internal error while linting {error.path}: {error.error}"), err=True)
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


@click.command("rules")
@click.option("--dialect", type=click.Choice(DIALECT_NAMES, case_sensitive=False),
              help="Only the rules that check this database's migrations.")
def rules_command(dialect: str | None) -> None:
    """List every rule: name, severity, whether it is on by default, summary, and the databases
    it covers when not every one."""
    import textwrap

    from migralint.rules.base import EVERY_DIALECT
    from migralint.rules.registry import ALL_RULES

    chosen = Dialect.parse(dialect) if dialect else None
    shown = [rule for rule in ALL_RULES if chosen is None or chosen in rule.dialects]
    width = max(len(rule.name) for rule in ALL_RULES)
    indent = " " * (width + 11)  # name, two spaces, severity (7), two spaces
    columns = terminal_width()
    # On a terminal the summary wraps between words under its own column; on a pipe one rule
    # stays one line, for grep.
    wrap = columns is not None and columns - len(indent) >= 30
    try:
        for rule in sorted(shown, key=lambda r: r.name):
            default = "" if rule.default_enabled else " (off by default)"
            databases = "" if rule.dialects == EVERY_DIALECT else (
                f" [{', '.join(sorted(d.display_name for d in rule.dialects))}]")
            line = f"{rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary}{default}{databases}"
            if wrap and columns is not None:
                line = textwrap.fill(line, columns, subsequent_indent=indent, break_long_words=False,
                                     break_on_hyphens=False)
            click.echo(line)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()


@click.command("rule")
@click.argument("name")
def rule_command(name: str) -> None:
    """Print one rule's documentation (rendered on a terminal, Markdown text on a pipe)."""
    from migralint.config import did_you_mean
    from migralint.rules.registry import RULES_BY_NAME

    rule = RULES_BY_NAME.get(name)
    if rule is None:
        raise UserError(f"unknown rule {name!r}{did_you_mean(name, RULES_BY_NAME) or ' (see `migralint rules`)'}")
    from migralint.rules.docs import rule_doc_for_reading

    text = rule_doc_for_reading(rule)
    try:
        if sys.stdout.isatty():
            from rich.console import Console
            from rich.markdown import Markdown

            Console(no_color=bool(os.environ.get("NO_COLOR"))).print(Markdown(text, hyperlinks=True))
        else:
            click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()


@click.command("lock")
@click.argument("paths", nargs=-1)
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when a migrations.lock is missing or out of date (for CI).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this config file instead of the nearest one.")
def lock_command(paths: tuple[str, ...], check: bool, config_path: Path | None) -> None:
    """Write migrations.lock in each migrations folder: every migration's sha256, in order, chained."""
    from migralint.config_file import load_settings
    from migralint.migrations.discover import default_folders, discover, folders_of
    from migralint.migrations.lockfile import lock_folders
    from migralint.source import display_path

    settings = load_settings(config_path)
    targets = list(paths) or [display_path(f) for f in default_folders(Path.cwd(), settings.migrations_dir).folders]
    files = discover(targets, assume_in_transaction=settings.assume_in_transaction)
    if not files:
        raise UserError(f"no migrations found in {', '.join(targets)}")
    statuses = lock_folders(folders_of(files, assume_in_transaction=settings.assume_in_transaction), write=not check)
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

