"""lock: the command that writes and checks migrations.lock (registered in cli/__init__.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from migralint.cli.output import EXIT_FINDINGS, EXIT_OK
from migralint.errors import UserError

# Discovery and the lock file are imported inside the command: `--help` loads click and this module only.


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
