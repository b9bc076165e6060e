"""rules and rule: the commands that show what the rules are (registered in cli/__init__.py)."""

from __future__ import annotations

import os
import sys

import click

from migralint.cli.output import silence_stdout, terminal_width
from migralint.errors import UserError
from migralint.sql.dialect import Dialect
from migralint.sql.front_ends import DIALECT_NAMES

# The registry and the docs are imported inside the commands: `--help` loads click and this module only.


@click.command("rules")
@click.option("--dialect", type=click.Choice(DIALECT_NAMES, case_sensitive=False),
              help="Only the rules that check this database's migrations.")
def rules_command(dialect: str | None) -> None:
    """List every rule: name, severity, whether it is on by default, summary, and the databases
    it covers when not every one."""
    import textwrap

    from migralint.rules.rule_index import RULES

    every_dialect = tuple(sorted(d.value for d in Dialect))
    chosen = Dialect.parse(dialect) if dialect else None
    shown = [rule for rule in RULES if chosen is None or chosen.value in rule.dialects]
    width = max(len(rule.name) for rule in RULES)
    indent = " " * (width + 11)  # name, two spaces, severity (7), two spaces
    columns = terminal_width()
    # On a terminal the summary wraps between words under its own column; on a pipe one rule
    # stays one line, for grep.
    wrap = columns is not None and columns - len(indent) >= 30
    try:
        for rule in sorted(shown, key=lambda r: r.name):
            default = "" if rule.default_enabled else " (off by default)"
            databases = "" if rule.dialects == every_dialect else (
                f" [{', '.join(sorted(Dialect(d).display_name for d in rule.dialects))}]")
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
    from migralint.rules.rule_index import BY_NAME

    entry = BY_NAME.get(name)
    if entry is None:
        raise UserError(f"unknown rule {name!r}{did_you_mean(name, BY_NAME) or ' (see `migralint rules`)'}")
    from migralint.rules.docs import rule_doc_for_reading

    text = rule_doc_for_reading(entry.load())  # the page is the class's: its examples, options, references
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
