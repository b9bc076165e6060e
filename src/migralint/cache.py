"""The result cache: what linting a file gave, and the schema catalog after it, kept between runs.

The idea is ruff's (https://docs.astral.sh/ruff/settings/#cache-dir: results kept in a
`.ruff_cache` folder in the project root, which holds its own `.gitignore` of `*` and, since ruff
0.0.131, a `CACHEDIR.TAG`; `--no-cache`, `RUFF_CACHE_DIR`), adapted to migrations:
a file's findings depend on every earlier migration of its folder, so each file's key is a
**chain**: the key of the file before it, then this file's bytes, name, layout, runner, dialect and
whether it is linted or only replayed (the idea of migrations.lock, migrations/lockfile.py).
What the rules also read goes into a **run key**: the settings, the rules and their
severities, the dialect, migralint's version and code, pglast's build and the working
directory (paths are shown relative to it and per-file-ignores match them). Which migrations
are pending is a third, per-file chain: a bit per file, so that adding a migration, which
makes it pending, does not change the keys of the files before it.

Stored per migrations folder, one pack of results (findings, ignored findings, blank) keyed
by the result key, and catalog snapshots keyed by the catalog chain alone (settings do not
change what the schema is), so a new migration resumes from the last snapshot instead of
replaying its whole folder. Nothing that git or the database says at run time is stored:
history rules and table sizes are computed on every run (api.py).

Every entry is written whole to a temporary file and renamed into place (atomic on POSIX and
Windows), so concurrent runs never see half an entry; the last writer wins. Each entry starts
with a header and the sha256 of its payload: a truncated, corrupt or foreign file is ignored,
never unpickled. The folder is bounded in size: the least recently used entries go first.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

# Shared with the launcher's answers (answers.py, standard library only); re-exported for the cache's users.
from migralint.answers import ANSWERS
from migralint.answers import CACHE_DIR_NAME as CACHE_DIR_NAME
from migralint.answers import ENV_VAR as ENV_VAR
from migralint.answers import RACY_NS as RACY_NS
from migralint.answers import digest as digest
from migralint.answers import create_temporary, drop_least_recent
from migralint.answers import code_version as _code_version
from migralint.config import Settings

if TYPE_CHECKING:  # the engine loads pglast; a cache module that only keys and stores need not
    from migralint.linter.rule_set import RuleSet

# 2: the pickled Catalog is replayed from events (no handler table, no _origin); 3: an entry is
# a sequence of parts each pickled on its own (a snapshot: the catalog a thousand tables a part).
FORMAT = 3
_HEADER = f"migralint-cache {FORMAT}\n".encode()
_DIGEST = 32  # sha256
DEFAULT_LIMIT = 256 * 1024 * 1024  # bytes; pruned down to 3/4 of it
# A folder of civitai's size (700 migrations) keeps one pack and a few snapshots; old keys are
# kept too, so that switching between two settings (a pre-commit hook and a full lint) stays warm.
_KEPT_PER_FILE = 4
# https://bford.info/cachedir/: backup tools skip a folder that holds this file.
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by migralint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def default_cache_dir(settings: Settings, cwd: Path) -> Path:
    """`.migralint_cache` in the project root: the config file's folder, else the working directory."""
    return (settings.source.parent if settings.source is not None else cwd) / CACHE_DIR_NAME


def joined_digest(*parts: str) -> str:
    """digest() of strings that hold no NUL (names, paths, hex digests, enum values), for the keys
    computed per file: the NUL that joins them keeps them apart, with one call into sha256 each."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


# -- file stamps ---------------------------------------------------------------------------
#
# What a warm run trusts instead of reading a file (docs/cache.md, "Stamps"): its size, mtime,
# ctime, inode and device, as git's index and ruff's cache trust a file's metadata. Any write
# moves the ctime to the current time, and nothing but the clock can set it back (utime sets
# the mtime, and the ctime to now), so a file with the stamp it had when it was hashed still
# holds what was hashed, except in one case: a write within the timestamp granularity of the
# moment it was hashed (git's "racily clean" entries). A stamp is therefore kept only for a file
# whose last change was at least RACY_NS before it was looked at; a younger file is read and
# hashed on every run until it is old enough.

Stamp = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
# RACY_NS (answers.py): 2 s, FAT's granularity, the coarsest of the common file systems.
STAMPS_KEY = "stamps"  # in a pack, beside the result keys (hex digests, so never equal to it)


def file_stamp(path: str) -> os.stat_result | None:
    """The file's metadata (links followed), or None when it is not a regular file one can stat."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found if stat.S_ISREG(found.st_mode) else None


def stamp_of(found: os.stat_result) -> Stamp:
    return (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev)


def settled(found: os.stat_result, now_ns: int) -> bool:
    """Whether the file's last change is old enough for its stamp to be trusted next time."""
    return max(found.st_mtime_ns, found.st_ctime_ns) < now_ns - RACY_NS


def pack_stamps(pack: Mapping[str, Any]) -> dict[str, tuple[Stamp, str]]:
    """The stamps a pack holds (path -> (stamp, digest of the bytes)); {} for anything else."""
    stamps = pack.get(STAMPS_KEY)
    return stamps if isinstance(stamps, dict) else {}


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # Path, Severity


# Settings that choose where the cache is, not what a file's findings are.
_NOT_KEYED = frozenset({"cache", "cache_dir"})


def settings_digest(settings: Settings) -> str:
    """Every setting (a new one is keyed without anyone remembering to add it)."""
    values = {f.name: _canonical(getattr(settings, f.name)) for f in fields(settings) if f.name not in _NOT_KEYED}
    return digest(json.dumps(values, sort_keys=True))


def run_key(settings: Settings, rules: RuleSet, cwd: str, code: str) -> str:
    """What every file's findings depend on besides the migrations: settings, rules, dialect,
    cwd, and `code` (code_version)."""
    severities = [(rule.name, type(rule).__module__, type(rule).__qualname__, settings.severity_for(rule).value)
                  for rule in rules.rules]
    return digest(FORMAT, code, "postgresql", settings_digest(settings), *map(str, severities), *sorted(rules.known), cwd)


def code_version() -> str:
    """migralint's and pglast's code (answers.code_version), keyed with this cache's format."""
    return _code_version(FORMAT)


class Store:
    """The cache folder: packs of results (one per migrations folder and run key) and snapshots."""

    def __init__(self, directory: Path, limit: int = DEFAULT_LIMIT) -> None:
        self.directory = directory
        self.limit = limit
        self._results = directory / f"v{FORMAT}" / "results"
        self._catalogs = directory / f"v{FORMAT}" / "catalogs"
        self.wrote = False

    # -- results ------------------------------------------------------------------------

    def pack_path(self, run_key: str, root: Path) -> Path:
        return self._results / f"{digest(run_key, os.path.abspath(root))[:40]}.pack"

    def load_pack(self, path: Path) -> dict[str, Any]:
        loaded = self._load(path)
        if not isinstance(loaded, dict):
            return {}
        _touch(path)  # used: the pruning keeps it
        return loaded

    def save_pack(
        self, path: Path, old: dict[str, Any], new: dict[str, Any], files: int,
        stamps: dict[str, tuple[Stamp, str]] | None = None,
    ) -> None:
        """The results this run used or made, after those of earlier runs still within bounds,
        and the folder's file stamps (the old ones when `stamps` is None)."""
        merged = {key: value for key, value in old.items() if key not in new and key != STAMPS_KEY}
        merged.update(new)
        keep = max(len(new), files) * _KEPT_PER_FILE + 16
        if len(merged) > keep:
            merged = dict(list(merged.items())[-keep:])  # dicts keep insertion order: oldest first
        kept_stamps = stamps if stamps is not None else pack_stamps(old)
        if kept_stamps:
            merged[STAMPS_KEY] = kept_stamps
        self._save(path, merged)

    # -- catalog snapshots -----------------------------------------------------------------

    def snapshot_path(self, chain: str) -> Path:
        return self._catalogs / f"{chain[:40]}.catalog"

    def has_snapshot(self, chain: str) -> bool:
        return os.path.exists(self.snapshot_path(chain))

    def load_snapshot(self, chain: str) -> Any:
        path = self.snapshot_path(chain)
        loaded = self._load(path)
        if loaded is not None:
            _touch(path)
        return loaded

    def save_snapshot(self, chain: str, catalog: object) -> None:
        """`catalog` in parts (its `snapshot_parts()`, the Catalog's) or whole (anything else)."""
        parts = getattr(catalog, "snapshot_parts", None)
        self._save(self.snapshot_path(chain), catalog, parts() if callable(parts) else None)

    # -- the envelope --------------------------------------------------------------------

    def _load(self, path: Path) -> Any:
        """What `_save` wrote at `path`, or None for anything else (missing, truncated, corrupt, foreign)."""
        try:
            with open(path, "rb") as stream:
                head = stream.read(len(_HEADER) + _DIGEST)
                if not head.startswith(_HEADER) or len(head) < len(_HEADER) + _DIGEST:
                    return None
                # Hashed a block at a time, then read again to unpickle: the entry is never held
                # whole beside what it holds (the file stays the same: a writer renames a new one
                # into place).
                hasher = hashlib.sha256()
                for block in iter(lambda: stream.read(1 << 20), b""):
                    hasher.update(block)
                if hasher.digest() != head[len(_HEADER):]:
                    return None
                end = stream.tell()
                stream.seek(len(head))
                return _joined(_parts(stream, end))
        except OSError:
            return None
        except Exception:  # written by another build whose classes differ: a miss, never a crash
            return None

    def _save(self, path: Path, value: object, parts: Iterable[object] | None = None) -> None:
        """Write `value`, or the `parts` it was cut into, each pickled on its own, straight into
        the file, hashed as it goes.

        The catalog after a 20 MB migration pickles to tens of megabytes, which pickle.dumps held
        whole on top of the catalog; and one pickle of it remembers every object it wrote (its
        memo, which also keeps alive the list of fields it made for each object) until the end:
        as much again as the catalog (docs/robustness.md). A part's memo goes with the part."""
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = create_temporary(str(path.parent), path.suffix)
            try:
                with os.fdopen(fd, "wb") as stream:
                    stream.write(_HEADER)
                    stream.write(bytes(_DIGEST))  # the payload's digest, once it is written
                    payload = _HashingWriter(stream)
                    try:
                        for part in parts if parts is not None else (value,):
                            # A pickler of its own: a pickle ends where it says, so the parts
                            # are read back one after the other (`_parts`).
                            pickle.dump(part, payload, protocol=pickle.HIGHEST_PROTOCOL)
                    except Exception:  # something unpicklable (a custom rule's finding): not cached
                        stream.close()
                        _remove(temporary)
                        return
                    stream.seek(len(_HEADER))
                    stream.write(payload.digest())
                os.replace(temporary, path)
            except BaseException:
                _remove(temporary)
                raise
        except OSError:
            return  # a read-only or full disk: the lint goes on uncached
        self.wrote = True

    def _prepare(self) -> None:
        if os.path.isdir(self.directory):
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        # Never committed, never backed up: the folder says so itself, wherever it is.
        for name, text in ((".gitignore", "# Created by migralint automatically.\n*\n"), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
            try:
                with open(self.directory / name, "x", encoding="utf-8") as stream:
                    stream.write(text)
            except FileExistsError:
                pass

    def prune(self) -> None:
        """Drop the least recently used entries while the folder is over its limit."""
        if not self.wrote:
            return
        drop_least_recent([str(self._results), str(self._catalogs), str(self.directory / ANSWERS)], self.limit)


class _HashingWriter:
    """A binary stream's `write` that also hashes what goes through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        return self._stream.write(data)

    def digest(self) -> bytes:
        return self._hash.digest()


def _parts(stream: BinaryIO, end: int) -> Iterator[Any]:
    """The parts `Store._save` wrote, unpickled one at a time up to `end`."""
    while stream.tell() < end:
        yield pickle.load(stream)


def _joined(parts: Iterator[Any]) -> Any:
    """The value of an entry: its only part, or the first part's class joins the rest to it."""
    first = next(parts)
    join = getattr(type(first), "from_snapshot_parts", None)
    if callable(join):
        return join(first, parts)
    return first if next(parts, None) is None else None


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _remove(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
