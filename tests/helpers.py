"""Shared helpers for tests: lint SQL text the way the CLI would, with real rules."""

from __future__ import annotations

import signal

from migralint.config import Settings
from migralint.linter.engine import lint_text
from migralint.linter.rule_set import FileReport
from migralint.migrations.layouts import Section
from migralint.migrations.layouts import RunnerMode
from migralint.rules.registry import build_rule_set
from migralint.sql.dialect import Dialect

rule_set = build_rule_set  # the engine's rule set for some settings, as the CLI builds it


def lint_sql(
    sql: str,
    *,
    runner: RunnerMode = RunnerMode.AUTOCOMMIT,
    settings: Settings | None = None,
    path: str = "migration.sql",
    forward_sql: str | None = None,
    rollback: bool = False,
    dialect: Dialect = Dialect.POSTGRESQL,
) -> FileReport:
    settings = settings or Settings(select=("ALL",))
    return lint_text(
        sql,
        path=path,
        sections=[Section(0, len(sql), runner, rollback)],
        settings=settings,
        rules=rule_set(settings),
        forward_text=forward_sql,
        dialect=dialect,
    )


def rules_found(sql: str, **kwargs: object) -> list[str]:
    return [f.rule for f in lint_sql(sql, **kwargs).findings]  # type: ignore[arg-type]


def sigint_as_a_terminal_gives_it() -> None:
    """A subprocess's preexec_fn for the tests that press Ctrl-C: SIGINT back to its default in the
    child. A process inherits an ignored SIGINT, and a shell script's background job (`pytest &`,
    `nohup pytest &`) starts with it ignored; Python then installs no KeyboardInterrupt handler, and
    the command under test would never see the Ctrl-C that a terminal delivers to its foreground job."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
