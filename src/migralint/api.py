"""The Python API: lint migrations as `migralint lint` does, and return what it found.

One entry, `lint(LintRequest) -> LintOutcome`, used by the CLI, `apply`, the benchmarks and the
tests. It prints nothing: what the CLI says on stderr comes back as `LintOutcome.notes`. The
database, when there is one, comes in as a `HistorySource` and a `StatsReader`, so this module
never imports psycopg (see CONTRIBUTING.md, Layers, and docs/api.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, cast
from pathlib import Path

from migralint.config import Settings
from migralint.findings import Finding, InternalError, LintResult
from migralint.linter.rule_set import RuleSet
from migralint.linter.history_context import HistoryContext
from migralint.linter.internal import contained, internal_finding
from migralint.linter.table_sizes import StatsReader, with_table_sizes
from migralint.cache import code_version, run_key
from migralint.folder_lint import FileOutcome, FolderJob, add_outcome, read_blanks
from migralint.migrations.discover import Planned, discover, folders_of, with_history
from migralint.migrations.history import (
    AppliedState,
    ConfigSource,
    HistorySource,
    applied_hints,
    only_pending,
    read_states,
)
from migralint.migrations.folder_files import read_folder_files
from migralint.migrations.folders import is_under
from migralint.migrations.layouts import MigrationFile, classify
from migralint.rules.registry import build_rule_set
from migralint.rules.rule_index import RULES
from migralint.source import DeferredTexts, display_path
from migralint.workers import run_folders

__all__ = ["LintOutcome", "LintRequest", "lint", "lint_source"]


@dataclass(frozen=True, slots=True)
class LintRequest:
    """What to lint and what is known about it.

    `paths`: files, folders and globs, as on the command line. `files` (with `folders`, every
    migration of their folders) instead: migrations already found, linted as given (apply
    passes them as it will run them); history findings are then kept for the whole folder.
    `history`: the sources of truth for what is applied (git, the database); with none,
    `settings.applied_through`. Applied migrations are replayed into the schema, not linted.
    `read_stats`: reads the size of the tables lock findings name. `fix`: write the safe fixes
    into migrations not yet applied, then lint again.
    """

    paths: Sequence[str] = ()
    settings: Settings = field(default_factory=Settings)
    rules: RuleSet | None = None  # None: the rules `settings` selects
    history: Sequence[HistorySource] = ()
    read_stats: StatsReader | None = None
    fix: bool = False
    files: Sequence[MigrationFile] | None = None
    folders: Mapping[Path, list[MigrationFile]] | None = None
    # `paths` are the project's migrations folders migralint found itself: say which it lints.
    found_folders: bool = False
    # Check the history of each of `paths` even when it holds no migration file any more (a
    # commit may delete a folder's last one); only a source that knows past files can say more.
    keep_empty_folders: bool = False
    # For the note when every migration is applied: "added since origin/main".
    pending_described: str | None = None
    # Called with each note as soon as it is known (the CLI prints "linting X" before a long
    # lint, not after it); the notes are returned in LintOutcome.notes all the same.
    on_note: Callable[[str], None] | None = None
    # The result cache's folder (docs/cache.md); None: no cache. Never used with `fix`.
    cache_dir: Path | None = None
    # Processes that lint folders side by side (workers.py); 1: this process only.
    jobs: int = 1
    # Told how the folders were shared between processes, or why they were not (MIGRALINT_DEBUG).
    explain: Callable[[str], None] | None = None


@dataclass(slots=True)
class LintOutcome:
    """A lint's result, and the notes the CLI prints on stderr."""

    result: LintResult
    # What the CLI says on stderr after "migralint: " ("note: ...", "linting prisma/migrations (prisma)").
    notes: list[str] = field(default_factory=list)


def lint(request: LintRequest) -> LintOutcome:
    """Lint the pending migrations of `request`, with the applied ones as their history."""
    settings = request.settings
    rules = request.rules if request.rules is not None else build_rule_set(settings)
    assume = settings.assume_in_transaction
    notes: list[str] = []

    def say(*lines: str) -> None:
        notes.extend(lines)
        if request.on_note is not None:
            for line in lines:
                request.on_note(line)

    problems: list[str] = []  # what could not be linted (an unreadable folder...): said, never skipped
    shown_paths = _ShownPaths(os.getcwd())
    asked: set[Path] | None = None
    stats: dict[str, os.stat_result] = {}  # what discovery's stat() said of each file named
    stats_ns = 0
    if request.files is not None:
        files = list(request.files)
        folders = dict(request.folders) if request.folders is not None else folders_of(files, assume_in_transaction=assume)
    else:
        paths = list(request.paths)
        stats_ns = time.time_ns()  # before any stat(): see FolderJob.stats_ns
        files = discover(paths, assume_in_transaction=assume, problems=problems, dialect=settings.dialect, stats=stats)
        asked = {m.path for m in files}
        if request.found_folders:
            for target in paths:
                layouts = sorted({str(m.layout) for m in files if is_under(m.path, target)}) or ["no migration files"]
                say(f"linting {target} ({', '.join(layouts)})")
        elif not files and not problems:
            say(f"no .sql files found in {', '.join(paths)}")
        folders = folders_of(files, assume_in_transaction=assume)
        if request.keep_empty_folders:
            for target in paths:
                folders.setdefault(Path(target), [])
    sources = list(request.history)
    if not sources and settings.applied_through:
        sources.append(ConfigSource(settings.applied_through))
    states = read_states(folders, sources)
    say(*(f"note: {note}" for note in dict.fromkeys(n for state in states.values() for n in state.notes)))
    before, files = files, only_pending(files, folders, states)
    if before and not files:
        described = request.pending_described or (
            "is pending" if request.history else f"after applied_through = {settings.applied_through}")
        say(f"nothing to lint: no migration {described}")
    planned = with_history(files, assume_in_transaction=assume, folders=folders)
    cache_dir = None if request.fix else request.cache_dir
    result = _lint_planned(planned, settings, rules, folders, states, request.read_stats, asked, cache_dir, request.jobs,
                           (stats, stats_ns), shown_paths, request.explain)
    result.input_errors[:0] = problems
    if request.fix:
        from migralint.linter.fixing import apply_fixes  # only --fix: a lint need not load it

        applied = frozenset(name for state in states.values() for name in state.applied)
        outcome = apply_fixes(result, planned, applied)
        say(*(f"not fixing {shown}: it is already applied" for shown in outcome.refused))
        if outcome.files:
            say(f"fixed {outcome.fixed} finding(s) in {', '.join(outcome.files)}")
            result = _lint_planned(planned, settings, rules, folders, states, request.read_stats, asked, None, request.jobs,
                                   shown=shown_paths, explain=request.explain)
            result.input_errors[:0] = problems
    if not sources:
        say(*(f"note: {note}" for note in applied_hints(result.findings, folders, shown_paths)))
    return LintOutcome(result, notes)


def lint_source(text: str, name: str, settings: Settings, rules: RuleSet | None = None) -> LintResult:
    """Lint SQL text (standard input) as if it were a file called `name` (its layout decides the runner)."""
    from migralint.linter.engine import lint_text  # standard input only: a warm lint never loads the engine

    rules = rules if rules is not None else build_rule_set(settings)
    migration = classify(Path(name), assume_in_transaction=settings.assume_in_transaction, dialect=settings.dialect)
    result = LintResult()
    try:
        report = lint_text(text, path=name, sections=migration.sections(text), settings=settings, rules=rules,
                           dialect=migration.dialect)
        result.add(report, text)
    except Exception as exc:
        _file_failed(result, name, exc, "linting the file", True)
    return result


def _lint_planned(
    planned: list[Planned],
    settings: Settings,
    rules: RuleSet,
    folders: dict[Path, list[MigrationFile]],
    states: dict[Path, AppliedState],
    read_stats: StatsReader | None,
    asked: set[Path] | None,
    cache_dir: Path | None = None,
    workers: int = 1,
    stats: tuple[dict[str, os.stat_result], int] = ({}, 0),
    shown: _ShownPaths | None = None,
    explain: Callable[[str], None] | None = None,
) -> LintResult:
    """Lint migrations in order; history-only ones (Planned.lint False) are replayed, not linted.

    `asked`: the files the user named (all of a folder's when the folder was named); history
    findings about the folder's other migrations are left out. `cache_dir`: the result
    cache (cache.py), None for none; `workers`: processes for folders (workers.py).
    """
    pending = frozenset(name for root, state in states.items() for name in state.pending(folders[root]))
    cwd = os.getcwd()
    shown = shown if shown is not None and shown.cwd == cwd else _ShownPaths(cwd)
    # One job per folder, its files in order; the outcomes go back into the planned order.
    by_root: dict[Path, list[int]] = {}
    for k, item in enumerate(planned):
        by_root.setdefault(item.migration.root, []).append(k)
    code = code_version() if cache_dir is not None else ""
    keys = (run_key(settings, rules, cwd, code), code) if cache_dir is not None else ("", "")
    named_stats, stats_ns = stats  # without a cache, the sizes the workers' shares are planned by

    def stats_of(indices: list[int]) -> dict[str, os.stat_result]:
        return {name: named_stats[name] for k in indices if (name := str(planned[k].migration.path)) in named_stats}

    jobs = [
        FolderJob(root, tuple(planned[k] for k in indices), tuple(folders.get(root, ())), settings, rules,
                  pending, cwd, keys[0], keys[1], cache_dir, stats_of(indices), stats_ns)
        for root, indices in by_root.items()
    ]

    def folder_history(k: int, folder_outcomes: list[FileOutcome]) -> tuple[list[Finding], list[InternalError]] | None:
        """check_history of job k's folder, from its outcomes alone (in the child that linted it)."""
        root = jobs[k].root
        if root not in folders:
            return None
        errors: list[InternalError] = []
        blank = read_blanks(jobs[k].items, folder_outcomes)
        return check_history({root: folders[root]}, states, settings, rules, blank=blank, errors=errors), errors

    outcomes: list[FileOutcome | None] = [None] * len(planned)
    by_folder, histories = run_folders(jobs, workers, folder_history, explain)
    for indices, folder_outcomes in zip(by_root.values(), by_folder):
        for k, outcome in zip(indices, folder_outcomes):
            outcomes[k] = outcome
    result = LintResult(sources=DeferredTexts())  # a cache hit's text is read only if a report shows it
    linted: list[FileOutcome] = []
    for item, found in zip(planned, outcomes):
        assert found is not None
        add_outcome(result, item, found)
        linted.append(found)
        if found.shown:
            shown.known.setdefault(item.migration.path, found.shown)
    done = {jobs[k].root: found for k, found in histories.items()}
    history = check_history(folders, states, settings, rules, blank=read_blanks(planned, linted),
                            errors=result.internal_errors, done=done)
    result.findings.extend(_about(history, asked, folders, shown) if asked is not None else history)
    if read_stats is not None or any(state.table_stats for state in states.values()):
        # Else no size is known nor can be read, and with_table_sizes changes nothing; it would
        # still look at every finding's rule and load the lock rules' metadata: 8 ms under
        # cProfile of the parent's serial work after the join over the corpus (2026-12-07).
        result.findings = with_table_sizes(result.findings, states.values(), settings, rules, read_stats)
    return result


_APPLIED_HISTORY_RULES = frozenset(entry.name for entry in RULES if entry.about_applied)


def _file_failed(result: LintResult, shown: str, exc: Exception, where: str, linted: bool) -> None:
    error = contained(shown, exc, where)
    result.internal_errors.append(error)
    if linted:
        result.files_checked += 1
        result.files.append(shown)
        result.findings.append(internal_finding(shown, (1, 1, 1, 1), error))


class _ShownPaths:
    """display_path for one run, each path worked out once: the probe shows every file already,
    and the history findings and notes ask again for thousands of them."""

    __slots__ = ("cwd", "known")

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.known: dict[Path, str] = {}

    def __call__(self, path: Path) -> str:
        found = self.known.get(path)
        if found is None:
            found = self.known[path] = display_path(path, self.cwd)
        return found


def _about(
    findings: list[Finding], asked: set[Path], folders: dict[Path, list[MigrationFile]], shown: Callable[[Path], str]
) -> list[Finding]:
    """The history findings about the files the user asked for, about no migration file (the
    lock file), and what a source of truth says went wrong with applied migrations (edited,
    deleted, failed: a deploy stops on those whichever file is linted). Linting one file of a
    folder of thousands must not judge the names and order of all the others."""
    others = {shown(m.path) for migrations in folders.values() for m in migrations if m.path not in asked}
    if others:  # a file shown as an asked one is the asked one
        others -= {shown(path) for path in asked}
    return [f for f in findings if f.path not in others or f.rule in _APPLIED_HISTORY_RULES]


def check_history(
    folders: dict[Path, list[MigrationFile]],
    states: dict[Path, AppliedState],
    settings: Settings,
    rules: RuleSet,
    *,
    blank: dict[Path, bool] | None = None,
    errors: list[InternalError] | None = None,
    done: Mapping[Path, tuple[list[Finding], list[InternalError]]] | None = None,
) -> list[Finding]:
    """What the history rules find in each folder as a whole. A rule that fails on a folder
    costs its own findings there (an internal-error finding and an entry in `errors`). `done`:
    the findings and errors of folders already checked (by the worker that linted them)."""
    findings: list[Finding] = []
    history_rules = [cast("_HistoryChecking", r) for r in rules.rules if _is_history_rule(r)]
    for root, migrations in folders.items():
        if done and root in done:
            findings.extend(done[root][0])
            if errors is not None:
                errors.extend(done[root][1])
            continue
        state = states.get(root, AppliedState())
        # What the rules need from files they do not lint, read here: a rule reads no file.
        applied = frozenset(state.applied if state.known else ())
        files = read_folder_files(root, migrations, blank=blank, applied=applied)
        ctx = HistoryContext(root=root, migrations=migrations, state=state, settings=settings, files=files)
        for rule in history_rules:
            if not _has_something_to_check(rule, state):
                continue  # not imported either: a run with no problem of its kind never loads the rule
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


class _HistoryChecking(Protocol):
    """What check_history calls of a history rule (rules/base.py's HistoryRule, or its stand-in)."""

    @property
    def name(self) -> str: ...
    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]: ...


def _is_history_rule(rule: object) -> bool:
    """A stand-in says so (its index entry); a rule class is a HistoryRule when it has check_history,
    which Rule has not."""
    history = getattr(rule, "history", None)
    return bool(history) if history is not None else hasattr(rule, "check_history")


def _has_something_to_check(rule: object, state: AppliedState) -> bool:
    """False for an applied-history rule (edited, deleted, failed, missing) when no source found a
    problem of its event: its check_history reports those problems and nothing else. The stand-ins
    of the index know their event as its value; a rule class's `event` is the HistoryEvent itself,
    a string enum, equal to it."""
    event = getattr(rule, "event", "")
    return not event or any(problem.event == event for problem in state.problems)
