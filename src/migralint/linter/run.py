"""Lint a list of migration files: read each once, lint it, keep going whatever happens."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from migralint.findings import Finding, InternalError, LintResult
from migralint.linter.catalog import Catalog
from migralint.linter.engine import RuleSet, lint_text, replay_text
from migralint.linter.history_context import HistoryContext
from migralint.linter.internal import contained, internal_finding
from migralint.linter.table_sizes import StatsReader, with_table_sizes
from migralint.migrations.discover import Planned
from migralint.migrations.history import AppliedState, ConfigSource, HistorySource, read_states
from migralint.migrations.layouts import Layout
from migralint.rules.base import HistoryRule
from migralint.source import display_path, read_sql

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.migrations.layouts import MigrationFile


def lint_files(
    files: list[MigrationFile] | list[Planned],
    settings: Settings,
    rules: RuleSet,
    *,
    folders: dict[Path, list[MigrationFile]] | None = None,
    states: dict[Path, AppliedState] | None = None,
    read_stats: StatsReader | None = None,
    asked: set[Path] | None = None,
) -> LintResult:
    """Lint migrations in order; history-only ones (Planned.lint False) are replayed, not linted.

    `folders` holds every migration of each folder and `states` what the sources of truth say
    is applied there; without them, the planned files and `applied_through` stand in.
    `read_stats` reads the size of the tables lock findings name (from the database).
    `asked`: the files the user named (all of a folder's when the folder was named); history
    findings about the folder's other migrations are left out.
    """
    planned = [p if isinstance(p, Planned) else Planned(p, True) for p in files]
    if folders is None:
        folders = {}
        for item in planned:
            folders.setdefault(item.migration.root, []).append(item.migration)
    if states is None:
        sources: list[HistorySource] = [ConfigSource(settings.applied_through)] if settings.applied_through else []
        states = read_states(folders, sources)
    pending = frozenset(name for root, state in states.items() for name in state.pending(folders[root]))
    catalogs: dict[Path, Catalog] = {}
    blank: dict[Path, bool] = {}  # for each file read: parsed cleanly and holds no statement
    result = LintResult()
    cwd = os.getcwd()
    for item in planned:
        migration = item.migration
        catalog = catalogs.setdefault(migration.root, Catalog())
        shown = display_path(migration.path, cwd)
        try:
            text = read_sql(migration.path)
        except UnicodeDecodeError as exc:
            if item.lint:
                result.input_errors.append(f"{shown}: not UTF-8 text (byte {exc.start}); migralint reads UTF-8 files")
            continue
        except OSError as exc:
            if item.lint:
                result.input_errors.append(f"{shown}: cannot read: {exc.strerror or exc}")
            continue
        try:
            if not item.lint:
                replay_errors: list[InternalError] = []
                blank[migration.path] = replay_text(
                    text, migration.sections(text), catalog, migration.name, replay_errors
                )
                result.internal_errors.extend(e._replace(path=shown) for e in replay_errors)
                continue
            report = lint_text(
                text,
                path=shown,
                sections=migration.sections(text),
                settings=settings,
                rules=rules,
                forward_text=_forward_text(migration),
                catalog=catalog,
                migration=migration.name,
                pending=pending | same_release(migration, folders.get(migration.root, [])),
                tool=migration.layout.value,
            )
        except Exception as exc:  # a bug in migralint: report it, keep linting the rest
            _file_failed(result, shown, exc, "linting the file" if item.lint else "replaying history", item.lint)
            continue
        result.add(report, text)
        blank[migration.path] = report.blank
    history = check_history(folders, states, settings, rules, blank=blank, errors=result.internal_errors)
    result.findings.extend(_about(history, asked, folders, cwd) if asked is not None else history)
    result.findings = with_table_sizes(result.findings, states.values(), settings, rules, read_stats)
    return result


_APPLIED_HISTORY_RULES = frozenset(
    {"edited-applied-migration", "deleted-applied-migration", "failed-migration", "missing-applied-migration"}
)


def _file_failed(result: LintResult, shown: str, exc: Exception, where: str, linted: bool) -> None:
    error = contained(shown, exc, where)
    result.internal_errors.append(error)
    if linted:
        result.files_checked += 1
        result.files.append(shown)
        result.findings.append(internal_finding(shown, (1, 1, 1, 1), error))


def _about(
    findings: list[Finding], asked: set[Path], folders: dict[Path, list[MigrationFile]], cwd: str
) -> list[Finding]:
    """The history findings about the files the user asked for, about no migration file (the
    lock file), and what a source of truth says went wrong with applied migrations (edited,
    deleted, failed: a deploy stops on those whichever file is linted). Linting one file of a
    folder of thousands must not judge the names and order of all the others."""
    asked_shown = {display_path(path, cwd) for path in asked}
    others = {display_path(m.path, cwd) for migrations in folders.values() for m in migrations} - asked_shown
    return [f for f in findings if f.path not in others or f.rule in _APPLIED_HISTORY_RULES]


def same_release(migration: MigrationFile, folder: list[MigrationFile]) -> frozenset[str]:
    """ory popx numbers a release's migrations <14-digit timestamp><6-digit step>: they are
    applied together, so what an earlier step of the same release created is still empty."""
    if migration.layout is not Layout.POPX or len(migration.name) < 20 or not migration.name[:20].isdigit():
        return frozenset()
    release = migration.name[:14]
    return frozenset(m.name for m in folder if m.name < migration.name and m.name[:14] == release)


def check_history(
    folders: dict[Path, list[MigrationFile]],
    states: dict[Path, AppliedState],
    settings: Settings,
    rules: RuleSet,
    *,
    blank: dict[Path, bool] | None = None,
    errors: list[InternalError] | None = None,
) -> list[Finding]:
    """What the history rules find in each folder as a whole. A rule that fails on a folder
    costs its own findings there (an internal-error finding and an entry in `errors`)."""
    findings: list[Finding] = []
    history_rules = [r for r in rules.rules if isinstance(r, HistoryRule)]
    for root, migrations in folders.items():
        ctx = HistoryContext(
            root=root, migrations=migrations, state=states.get(root, AppliedState()), settings=settings, blank=blank
        )
        for rule in history_rules:
            try:
                found = [f for f in rule.check_history(ctx) if f.rule not in settings.ignored_in_file(f.path)]
            except Exception as exc:
                shown = display_path(root)
                error = contained(shown, exc, f"rule {rule.name}")
                if errors is not None:
                    errors.append(error)
                found = [internal_finding(shown, (1, 1, 1, 1), error)]
            findings.extend(found)
    return findings


def _forward_text(migration: MigrationFile) -> str | None:
    if not migration.rollback or migration.forward is None:
        return None
    try:
        return read_sql(migration.forward)
    except (OSError, UnicodeDecodeError):
        return None


def lint_stdin(text: str, migration: MigrationFile, name: str, settings: Settings, rules: RuleSet) -> LintResult:
    """Lint text from standard input as if it were `migration` (its layout decides the runner)."""
    result = LintResult()
    try:
        report = lint_text(text, path=name, sections=migration.sections(text), settings=settings, rules=rules)
        result.add(report, text)
    except Exception as exc:
        _file_failed(result, name, exc, "linting the file", True)
    return result
