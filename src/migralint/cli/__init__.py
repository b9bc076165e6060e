"""The command line: parse options, call the library, map outcomes to exit codes.

Exit codes: 0 nothing fails; 1 findings fail the run; 2 the user's mistake (bad option,
config or path, unreadable file); 3 a bug in migralint; 130 interrupted (Ctrl-C). The
commands live in lint.py (lint), rules.py (rules, rule), lock.py (lock) and database.py (apply,
status, resolve); this package is the only place that prints or exits, and `Commands.invoke` below is the one
place where an exception becomes an exit code.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from migralint import __version__
from migralint.cli.lint import lint
from migralint.cli.lock import lock_command
from migralint.cli.rules import rule_command, rules_command
from migralint.cli.output import EXIT_INTERRUPTED, INTERRUPTED_NOTE, fail, internal_error
from migralint.errors import UserError
from migralint.report.escape import escape_unencodable


# The database commands, by name: their module (apply, status, resolve and what they print) costs
# about 20 ms to import, which a lint would pay on every commit for commands it never runs. Loaded
# when one of them runs, or when the group's help lists them.
_DATABASE_COMMANDS = {"apply": "apply_command", "status": "status_command", "resolve": "resolve_command"}


class Commands(click.Group):
    """The group every command runs under: one error handler for all of them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_DATABASE_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # Any name not loaded yet (a typo included: click suggests "Did you mean 'apply'?" from
        # the commands it holds) loads the database commands.
        if cmd_name not in self.commands and not _DATABASE_COMMANDS.keys() <= self.commands.keys():
            from migralint.cli import database

            for name in _DATABASE_COMMANDS.values():
                self.add_command(getattr(database, name))
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors (exit 2), --help, a declined prompt
        except BrokenPipeError:
            raise  # the reader closed the pipe: click quiets the streams and exits 1, as before
        except UserError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            # 128 + SIGINT, what a shell reports for a command Ctrl-C stopped; a command may say
            # what the interruption left behind (apply: the running migration is recorded as failed).
            note = ctx.meta.get(INTERRUPTED_NOTE)
            fail(f"interrupted{f'; {note}' if note else ''}", EXIT_INTERRUPTED)
        except Exception as exc:  # a bug: one sentence, where to report it, no traceback unless asked
            internal_error(f"{type(exc).__name__}: {exc}")


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(message="%(prog)s %(version)s", version=__version__, package_name="migralint",
                      prog_name="migralint", help="Show the version and exit.")
def main() -> None:
    """migralint: find the migrations that would lock, break or fail in production."""
    escape_unencodable(sys.stdout, sys.stderr)  # file names that are not UTF-8, shown as \xNN


main.add_command(lint)
main.add_command(rules_command)
main.add_command(rule_command)
main.add_command(lock_command)
