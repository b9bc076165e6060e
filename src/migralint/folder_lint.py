"""One migrations folder, linted in order through the result cache (cache.py).

A folder is the unit of work: its files share one catalog, so they run in order, in one
process; folders are independent, so workers.py runs them side by side. Everything here is
picklable (a worker gets its FolderJob, and sends its outcomes back, through a pipe).

`probe` reads every file once, computes its keys and looks them up; `finish` lints the files
that missed, restoring the catalog before the first miss from the latest snapshot (or from
nothing) and replaying the hits between it and the miss. `lint_part` lints a stretch of a
folder's files the same way: the files before it are replayed, not linted, which is how one
large folder is shared between workers (workers.py).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, cast

from migralint.cache import Stamp, Store, digest, file_stamp, joined_digest, pack_stamps, settled, stamp_of
from migralint.config import Settings
from migralint.findings import InternalError, LintResult
from migralint.linter import collector
from migralint.linter.catalog import Catalog
from migralint.linter.rule_set import FileReport, RuleSet
from migralint.linter.internal import contained, internal_finding
from migralint.migrations.discover import Planned
from migralint.migrations.layouts import Layout, MigrationFile
from migralint.source import DeferredTexts, display_path, read_bytes


class FileOutcome(NamedTuple):
    """What one planned file adds to the run's LintResult."""

    shown: str
    report: FileReport | None = None  # linted
    text: str | None = None  # for snippets: only when the report has findings or ignored ones
    blank: bool | None = None  # None: not read, or failed
    input_error: str | None = None  # unreadable (said only for linted files)
    errors: tuple[InternalError, ...] = ()  # contained while replaying history
    failed: InternalError | None = None  # contained while linting or replaying the whole file
    # A cache hit whose file was not read (its stamp was trusted): the report reads it from here
    # if it needs the text (snippets), through DeferredTexts.
    source: str | None = None


# A FileOutcome and its FileReport as a forked child sends them: plain tuples of their fields.
# Pickle writes a named tuple through its Python-level __getnewargs__ and reads it back through
# its Python-level __new__: as plain tuples, one child's outcomes over the corpus pickled in
# 38 M instructions instead of 65 M, and were unpickled and rebuilt in 61 M instead of 67 M
# (callgrind).
PackedOutcome = tuple[Any, ...]
_outcome = cast("Callable[[Iterable[Any]], FileOutcome]", partial(tuple.__new__, FileOutcome))
_report = cast("Callable[[Iterable[Any]], FileReport]", partial(tuple.__new__, FileReport))


def packed(outcomes: Iterable[FileOutcome]) -> list[PackedOutcome]:
    return [(o[0], None if o[1] is None else tuple(o[1]), *o[2:]) for o in outcomes]


def unpacked(outcomes: Iterable[PackedOutcome]) -> list[FileOutcome]:
    """The outcomes `packed` gave, as they were (built from C, without the named tuples' __new__)."""
    return [_outcome((o[0], None if o[1] is None else _report(o[1]), *o[2:])) for o in outcomes]


@dataclass(frozen=True, slots=True)
class FolderJob:
    """A folder's planned files in order, and what linting them needs."""

    root: Path
    items: tuple[Planned, ...]
    folder: tuple[MigrationFile, ...]  # every migration of the folder (ory popx releases)
    settings: Settings
    rules: RuleSet
    pending: frozenset[str]
    cwd: str
    run_key: str = ""  # "" when there is no cache
    code_key: str = ""
    cache_dir: Path | None = None
    # What discovery's stat() said of the files named on the command line (str(path) -> result),
    # and when it began asking: their stamps need no stat() of their own.
    stats: Mapping[str, os.stat_result] = field(default_factory=dict)
    stats_ns: int = 0


@dataclass(slots=True)
class Probe:
    """What the cache already knows of a folder before it is linted: each file's text, chain and
    key, the outcomes it answers, and the work left."""

    texts: list[str | None] = field(default_factory=list)  # None: unreadable (its outcome is in `outcomes`)
    chains: list[str] = field(default_factory=list)  # the catalog chain after each file
    keys: list[str] = field(default_factory=list)  # each file's result key
    outcomes: dict[int, FileOutcome] = field(default_factory=dict)  # known without linting
    pack: dict[str, Any] = field(default_factory=dict)
    cost: float = 0.0  # estimated ms of work left to do in `finish`
    # Files whose stamp was trusted: not read yet (their `texts` entry is None until `text` reads it).
    unread: dict[int, str] = field(default_factory=dict)
    # The folder's stamps for the pack, when this run learned one it did not have.
    stamps: dict[str, tuple[Stamp, str]] | None = None
    sizes: list[int] = field(default_factory=list)  # each file's size in bytes (0: unreadable)
    # False: the cache knew nothing of the folder, and its files are keyed where they are linted
    # (keyed()); until then `texts`, `chains` and `keys` hold nothing and `sizes` are stat()'s.
    keyed: bool = True

    def text(self, k: int) -> str:
        """File k's text, read now if its stamp spared the probe reading it."""
        path = self.unread.pop(k, None)
        if path is not None:
            self.texts[k] = _read(path)[0]
        return self.texts[k] or ""


# What replaying a file into the catalog (parse, statement model, events) costs, as a share of
# linting it: 0.23-0.29 for trigger.dev's 820 migrations, in one process, CPU time (2026-12-07).
REPLAY_SHARE = 0.3


def lint_part(job: FolderJob, start: int, stop: int, found: Probe | None = None
              ) -> tuple[list[FileOutcome], dict[str, Any]]:
    """The outcomes of files [start, stop) of the folder, in a worker. The whole folder writes its
    cache pack here; a part gives its new entries back, for the parent to write the folder's pack
    once (two workers writing one pack would each drop the other's entries). A forked worker
    passes the parent's probe of the folder; a spawned one probes it again."""
    store = Store(job.cache_dir) if job.cache_dir is not None else None
    if found is None:
        found = probe(job, store)
    with collector.relaxed():
        outcomes, new = _finish(job, found, store, start, stop)
    if start == 0 and stop == len(job.items):
        save_pack(job, found, store, new)
        return outcomes, {}
    return outcomes, new


def file_costs(job: FolderJob, found: Probe) -> tuple[list[float], list[float]]:
    """Estimated ms of each file's turn (0 for what the cache or a problem already answered; a
    replay for history that is not linted), and of replaying it, for planning how a folder is
    shared between workers."""
    lint: list[float] = []
    replay: list[float] = []
    for k, item in enumerate(job.items):
        readable = found.texts[k] is not None or k in found.unread
        cost = _cost(found.sizes[k]) if readable else 0.0
        lint.append(0.0 if k in found.outcomes else cost if item.lint else REPLAY_SHARE * cost)
        replay.append(REPLAY_SHARE * cost)
    return lint, replay


def probe(job: FolderJob, store: Store | None, planned: bool = True) -> Probe:
    """What the cache already answers of the folder, and each file's size for planning the
    workers' shares (`planned` False: one process lints everything, no share is planned)."""
    if store is None or not job.run_key:
        return _unread(job, planned)
    pack = store.load_pack(store.pack_path(job.run_key, job.root))
    if not pack:
        # The cache knows nothing of the folder (a cold run, other settings): no result to look
        # up, no stamp to trust. The files are read and keyed where they are linted (keyed()), in
        # the forked child that takes the folder: reading, decoding and hashing the corpus's
        # 2,576 files was the largest serial work in the parent before the first fork.
        found = _unread(job, planned)
        found.keyed = False
        return found
    found = Probe()
    found.pack = pack
    shown_paths = _key(job, found)
    cost = 0.0
    first_miss = None
    sizes = found.sizes
    for k, key in enumerate(found.keys):
        if k in found.outcomes:
            continue
        entry = found.pack.get(key)
        if entry is not None:
            found.outcomes[k] = _from_entry(entry, found.texts[k], found.unread.get(k), shown_paths[k])
            continue
        first_miss = k if first_miss is None else first_miss
        cost += _cost(sizes[k])
    if first_miss is not None:  # the replay of the hits before it
        cost += REPLAY_SHARE * sum(_cost(sizes[j]) for j in range(first_miss) if j not in found.outcomes)
    found.cost = cost
    return found


def keyed(job: FolderJob, found: Probe) -> None:
    """Reads and keys the folder's files the probe left unread because the cache knew nothing of
    them, as the probe would have: every key a miss, the unreadable files said, the stamps learned."""
    if found.keyed:
        return
    found.texts, found.sizes, found.unread, found.outcomes = [], [], {}, {}
    found.chains, found.keys = [], []
    _key(job, found)
    found.keyed = True


def _key(job: FolderJob, found: Probe) -> list[str]:
    """Each file's text (unless its stamp is trusted), chain and key, into `found`; the paths shown."""
    known = pack_stamps(found.pack)
    learned = dict(known)  # what the pack will hold: stamps of other runs' files are kept
    # Whether a file had settled is judged at the time its stamp was taken (or before).
    now = job.stats_ns or time.time_ns()
    chain = digest("catalog", job.code_key)
    pending = ""  # one bit per file: the pending set up to each file is a prefix of it
    sizes = found.sizes
    shown_paths = []
    for k, item in enumerate(job.items):
        migration = item.migration
        shown = display_path(migration.path, job.cwd)
        shown_paths.append(shown)
        path = str(migration.path)
        # Stat before reading: a write between the two moves the stamp, and the next run reads again.
        info = job.stats.get(path) or file_stamp(path)
        if info is not None and not stat.S_ISREG(info.st_mode):
            info = None
        stamp = stamp_of(info) if info is not None else None
        old = known.get(path)
        if stamp is not None and old is not None and old[0] == stamp:
            text: str | None = None
            body = old[1]
            found.unread[k] = path
            sizes.append(stamp[0])
        else:
            raw, text, problem = _read_raw(path)
            body = digest(raw) if text is not None else f"unreadable {problem}"
            if text is None:
                shown_problem = f"{shown}: {problem}"
                found.outcomes[k] = FileOutcome(shown, input_error=shown_problem) if item.lint else FileOutcome(shown)
            if text is not None and info is not None and stamp is not None and settled(info, now):
                learned[path] = (stamp, body)
            else:  # changed too recently to be trusted by its stamp (or unreadable): read next time
                learned.pop(path, None)
            sizes.append(len(raw))
        found.texts.append(text)
        # A file name holds no NUL (nor does anything else here): joined_digest, not digest. The
        # layout, runner and dialect are str enums: joined as their values, without Enum.value's cost.
        chain = joined_digest(chain, migration.name, migration.layout, migration.runner, migration.dialect,
                              "1" if migration.rollback else "0", "1" if item.lint else "0", body)
        pending += "1" if migration.name in job.pending else "0"
        found.chains.append(chain)
        found.keys.append(joined_digest(job.run_key, chain, pending, shown, _forward_key(migration)))
    if learned != known:
        if len(learned) > 2 * len(job.items) + 16:  # files gone from the folder: keep this run's only
            ours = {str(item.migration.path) for item in job.items}
            learned = {path: value for path, value in learned.items() if path in ours}
        found.stamps = learned
    return shown_paths


def _unread(job: FolderJob, planned: bool) -> Probe:
    """The probe of a run without a cache: no key to compute, so no file is read here. Each is
    read where it is linted, in the forked child that takes its folder, not in the parent before
    the children start (the parent's reading, decoding and hashing of every file was serial work
    in front of the parallel part). A stat() gives the sizes the parts are planned by."""
    found = Probe()
    for k, item in enumerate(job.items):
        path = str(item.migration.path)
        found.texts.append(None)
        found.unread[k] = path
        info = (job.stats.get(path) or file_stamp(path)) if planned else None
        found.sizes.append(info.st_size if info is not None else 0)
    found.chains = found.keys = [""] * len(job.items)  # no cache: nothing is keyed
    found.cost = sum(_cost(size) for size in found.sizes)
    return found


def finish(job: FolderJob, found: Probe, store: Store | None) -> list[FileOutcome]:
    with collector.relaxed():
        outcomes, new = _finish(job, found, store, 0, len(job.items))
    save_pack(job, found, store, new)
    return outcomes


def save_pack(job: FolderJob, found: Probe, store: Store | None, new: dict[str, Any]) -> None:
    """The folder's results for the next run, when some were not in the cache yet, or its stamps
    when the probe learned new ones."""
    if store is not None and job.run_key and (found.stamps is not None or any(key not in found.pack for key in new)):
        store.save_pack(store.pack_path(job.run_key, job.root), found.pack, new, len(job.items), found.stamps)


def _finish(
    job: FolderJob, found: Probe, store: Store | None, start: int, stop: int
) -> tuple[list[FileOutcome], dict[str, Any]]:
    keyed(job, found)
    outcomes: list[FileOutcome] = []
    new: dict[str, Any] = {}
    catalog: Catalog | None = None
    at = -1  # the last file `catalog` holds
    first_lint = next((k for k, item in enumerate(job.items) if item.lint), len(job.items))
    for k in range(start, stop):
        item = job.items[k]
        known = found.outcomes.get(k)
        if known is not None:
            outcomes.append(known)
            if known.report is not None or known.blank is not None:
                new[found.keys[k]] = _entry(known)
            continue
        if k in found.unread:  # read only now; unreadable, it is said as the probe would have
            unreadable = _read_unread(job, found, k)
            if unreadable is not None:
                outcomes.append(unreadable)
                continue
        if catalog is None or at < k - 1:
            catalog, at = _restore(job, found, store, catalog, at, k)
        if k == first_lint and k > 0 and store is not None and not store.has_snapshot(found.chains[k - 1]):
            store.save_snapshot(found.chains[k - 1], catalog)  # the history before the files linted
        outcome = _lint_one(job, item, found.text(k), catalog)
        at = k
        outcomes.append(outcome)
        if outcome.failed is None and not outcome.errors and not (outcome.report and outcome.report.errors):
            new[found.keys[k]] = _entry(outcome)  # a bug is never cached: the next run tries again
    last = len(job.items) - 1
    if store is not None and job.run_key and catalog is not None and at == last:
        if not store.has_snapshot(found.chains[last]):
            store.save_snapshot(found.chains[last], catalog)
    return outcomes, new


def _read_unread(job: FolderJob, found: Probe, k: int) -> FileOutcome | None:
    """Reads file k, which the probe did not; its outcome when it cannot be linted, else None."""
    text, problem = _read(found.unread.pop(k))
    found.texts[k] = text
    if text is not None:
        return None
    item = job.items[k]
    shown = display_path(item.migration.path, job.cwd)
    return FileOutcome(shown, input_error=f"{shown}: {problem}") if item.lint else FileOutcome(shown)


def _restore(
    job: FolderJob, found: Probe, store: Store | None, catalog: Catalog | None, at: int, k: int
) -> tuple[Catalog, int]:
    """The catalog after file k-1: from the latest snapshot (or the live catalog, if later),
    then the files in between replayed (cache hits, or files another worker's part lints)."""
    if store is not None:
        for j in range(k - 1, at, -1):
            if store.has_snapshot(found.chains[j]):
                loaded = store.load_snapshot(found.chains[j])
                if isinstance(loaded, Catalog):
                    catalog, at = loaded, j
                    break
    if catalog is None:
        catalog, at = Catalog(), -1
    from migralint.linter.engine import replay_text  # a miss: a warm run never loads the engine

    for j in range(at + 1, k):
        text = found.text(j)
        if found.texts[j] is None:
            continue
        migration = job.items[j].migration
        replay_text(text, migration.sections(text), catalog, migration.name, [], dialect=migration.dialect)
    return catalog, k - 1


def _lint_one(job: FolderJob, item: Planned, text: str, catalog: Catalog) -> FileOutcome:
    from migralint.linter.engine import lint_text, replay_text  # a miss: a warm run never loads the engine

    migration = item.migration
    shown = display_path(migration.path, job.cwd)
    try:
        if not item.lint:
            errors: list[InternalError] = []
            blank = replay_text(text, migration.sections(text), catalog, migration.name, errors, dialect=migration.dialect)
            return FileOutcome(shown, blank=blank, errors=tuple(e._replace(path=shown) for e in errors))
        report = lint_text(
            text,
            path=shown,
            sections=migration.sections(text),
            settings=job.settings,
            rules=job.rules,
            forward_text=_forward_text(migration),
            catalog=catalog,
            migration=migration.name,
            pending=job.pending | same_release(migration, job.folder),
            tool=migration.layout.value,
            dialect=migration.dialect,
        )
    except Exception as exc:  # a bug in migralint: report it, keep linting the rest
        return FileOutcome(shown, failed=contained(shown, exc, "linting the file" if item.lint else "replaying history"))
    return FileOutcome(shown, report, text if report.findings or report.ignored else None, report.blank)


def add_outcome(result: LintResult, item: Planned, outcome: FileOutcome) -> None:
    """Add one file's outcome to the run's result, in the planned order."""
    if outcome.input_error is not None:
        result.input_errors.append(outcome.input_error)
        return
    if outcome.failed is not None:
        result.internal_errors.append(outcome.failed)
        if item.lint:
            result.files_checked += 1
            result.files.append(outcome.shown)
            result.findings.append(internal_finding(outcome.shown, (1, 1, 1, 1), outcome.failed))
        return
    result.internal_errors.extend(outcome.errors)
    if outcome.report is not None:
        result.add(outcome.report, outcome.text or "")
        if outcome.source is not None and outcome.text is None and (outcome.report.findings or outcome.report.ignored):
            if isinstance(result.sources, DeferredTexts):
                result.sources.defer(outcome.report.path, outcome.source)
            else:
                result.sources[outcome.report.path] = _read(outcome.source)[0] or ""


def read_blanks(items: Iterable[Planned], outcomes: Iterable[FileOutcome]) -> dict[Path, bool]:
    """For each file read without failing, whether it parsed cleanly and holds no statement:
    what the history rules are told of the files (api.check_history's `blank`), for the whole
    run or for one folder in the child that linted it."""
    return {
        item.migration.path: outcome.blank
        for item, outcome in zip(items, outcomes)
        if outcome.input_error is None and outcome.failed is None and outcome.blank is not None
    }


def same_release(migration: MigrationFile, folder: tuple[MigrationFile, ...] | list[MigrationFile]) -> frozenset[str]:
    """ory popx numbers a release's migrations <14-digit timestamp><6-digit step>: they are
    applied together, so what an earlier step of the same release created is still empty."""
    if migration.layout is not Layout.POPX or len(migration.name) < 20 or not migration.name[:20].isdigit():
        return frozenset()
    release = migration.name[:14]
    return frozenset(m.name for m in folder if m.name < migration.name and m.name[:14] == release)


def _entry(outcome: FileOutcome) -> tuple[FileReport | None, bool | None]:
    # The text is not stored: the file is read for its key anyway.
    return (outcome.report, outcome.blank)


def _from_entry(
    entry: tuple[FileReport | None, bool | None], text: str | None, source: str | None, shown: str
) -> FileOutcome:
    report, blank = entry
    if report is None:
        return FileOutcome(shown, blank=blank)
    if text is None:  # not read: the report reads it from `source` if it shows a snippet
        return FileOutcome(report.path, report, None, blank, source=source)
    return FileOutcome(report.path, report, text if report.findings or report.ignored else None, blank)


def _read(path: Path | str) -> tuple[str | None, str]:
    _, text, problem = _read_raw(path)
    return text, problem


def _read_raw(path: Path | str) -> tuple[bytes, str | None, str]:
    """The file's bytes and text, or b"", None and why it cannot be linted."""
    try:
        raw = read_bytes(path)
        return raw, raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        return b"", None, f"not UTF-8 text (byte {exc.start}); migralint reads UTF-8 files"
    except OSError as exc:
        return b"", None, f"cannot read: {exc.strerror or exc}"


def _forward_text(migration: MigrationFile) -> str | None:
    if not migration.rollback or migration.forward is None:
        return None
    text, _ = _read(migration.forward)
    return text


def _forward_key(migration: MigrationFile) -> str:
    if not migration.rollback or migration.forward is None:
        return ""
    text = _forward_text(migration)
    return digest(text) if text is not None else "unreadable"


def _cost(size: int) -> float:
    # Fitted on the corpus: 0.55 ms a file and 0.82 ms a KiB (of text; bytes here, the same for
    # the ASCII most migrations are), least squares over the CPU time of linting each folder of
    # ../shared/corpus/prisma in one process, on a quiet machine, 2026-12-07. The fit of
    # ../shared/design/performance-notes.md (5b), 0.31 ms and 0.47 ms, had fallen to half the
    # cost as rules were added.
    return 0.55 + 0.82 * size / 1024

