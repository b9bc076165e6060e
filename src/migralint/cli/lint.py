"""lint: the command that lints migration files, and where its inputs come from (registered in
cli/__init__.py; rules and rule are in cli/rules.py, lock in cli/lock.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migralint import ISSUES_URL, answer_recorder
from migralint.cli.output import (
    EXIT_FINDINGS,
    EXIT_INTERNAL_ERROR,
    EXIT_OK,
    EXIT_USER_ERROR,
    error_line,
    fail,
    report,
    silence_stdout,
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
    resolved_cache = None if no_cache else _cache_dir(cache_dir, settings)
    # What a run answered from the cache (answers.py) must know: which cache folder, and that a
    # database was read (its answer is no file one can stamp: never stored).
    answer_recorder.cache_dir_used(str(resolved_cache) if resolved_cache is not None else None)
    if database is not None:
        answer_recorder.refuse("reads a database")
    if database is not None and origin is not None:
        # A development database has the migration being written applied already (prisma
        # migrate dev does that): say where "applied" comes from, so nothing is a surprise.
        click.echo(f"migralint: note: migrations applied in {database.shown} (from {origin}) count as "
                   "applied and are not linted; pass --database-url to choose another", err=True)
    try:
        result = _lint(paths, settings, rules, stdin_filename, fix=fix, git=git, database=database,
                       cache_dir=resolved_cache, jobs=jobs)
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
        jobs=jobs if jobs is not None else default_jobs(_debug_line if os.environ.get("MIGRALINT_DEBUG") else None),
        explain=_debug_line if os.environ.get("MIGRALINT_DEBUG") else None,
    )
    return api.lint(request).result


def _debug_line(text: str) -> None:
    click.echo(f"migralint: debug: {text}", err=True)


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
