"""Whole-run answers: a `lint` run that changes nothing is answered from the cache before click loads.

A run of `migralint lint` depends on its argv, its working directory, its environment, whether
its output is a terminal (and how wide), migralint's code, and what it read: files, folder
listings, config files looked for, git's state. When an eligible run ends, answer_recorder.py
stores what it wrote (stdout and stderr, in the order they were written) and its exit code under
`<cache>/answers/`, with a stamp of every input. The next run with the same key re-stats those
inputs and, if every stamp is the same, writes the stored bytes and exits: no click, no api, no
pglast (docs/cache.md, "Answers"). Anything else falls through to the full command.

Standard library only, and small: this module is on the path of every warm run. Its digest,
code identity and cache folder are the ones the result cache (cache.py) uses.
"""

from __future__ import annotations

import os
import stat
import sys

import migralint

# Not typing.TYPE_CHECKING: typing and collections.abc cost 5-15 ms of an answer's start (mypy
# reads any name TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        # CPython's own sha256, without hashlib's OpenSSL (about 15 ms to load, on every answer);
        # the same digests as hashlib.sha256. _sha256 up to Python 3.11, _sha2 from 3.12.
        from _sha256 import sha256
    except ImportError:
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256

CACHE_DIR_NAME = ".migralint_cache"
ENV_VAR = "MIGRALINT_CACHE_DIR"
ANSWERS = "answers"
FORMAT = 1
HEADER = f"migralint-answer {FORMAT}\n".encode()
CHECK = 4  # the payload's CRC-32
# 2 s: FAT's granularity, the coarsest of the common file systems (ext4 and NTFS record ns,
# from a clock that ticks every few ms; HFS+ and many NFS servers record seconds). A file
# changed within this window of the moment it was looked at could change again without its
# stamp changing (git's "racily clean" entries, https://git-scm.com/docs/racy-git).
RACY_NS = 2_000_000_000

# Variables that change from one shell to the next (or per command) and that neither migralint
# nor git reads: `_` (the shell's last command), `OLDPWD` (the previous cd), `SHLVL` (nesting
# depth). Every other variable is in the key, read or not: a variable missing from the key would
# be a stale answer, one too many only a miss.
ENV_NOT_KEYED = frozenset({"_", "OLDPWD", "SHLVL"})

# lint's options after which an answer is never stored nor read: a database (what it says is not
# a file one can stamp), edits (--fix), a file written (--output), standard input ("-"), the
# cache turned off, or output that is not a lint's (--help).
NOT_ANSWERED = frozenset({"--database-url", "--fix", "--output", "--no-cache", "--stdin-filename", "-",
                          "--help", "-h"})

# The real ones: a recording run wraps os.stat and os.lstat to see what is looked at (answer_recorder.py).
_lstat, _stat = os.lstat, os.stat
Stamp = tuple[int, ...]  # lstat's type, size, mtime, ctime, inode, device, owner (+ the target's for a symlink)


def digest(*parts: object) -> str:
    hasher = sha256()
    update = hasher.update  # a warm run of the corpus keys 5,000 files: the loop is the cost, not sha256
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        update(len(data).to_bytes(8, "little"))  # lengths keep ("ab", "c") apart from ("a", "bc")
        update(data)
    return str(hasher.hexdigest())


def code_version(form: int) -> str:
    """migralint's version, the size and mtime of every migralint module (a checkout or an
    editable install changes its code without changing its version), and the same of pglast's
    modules and parser: which pglast is installed, without importlib.metadata's slow scan of
    sys.path (~50 ms) and without importing pglast. `form`: the format of what it keys."""
    if not _code_stamps:
        # Walked once a process: a run that misses its answer keys it in the launcher and its
        # packs in the API, and the code it runs is the code it loaded at the start.
        mine, *others = code_folders()
        _code_stamps.extend([_module_stamps(mine, recurse=True),
                             *(_module_stamps(folder, recurse=False) for folder in others)])
    return digest(form, migralint.__version__, *_code_stamps)


_code_stamps: list[str] = []


_code_folders: list[str] = []


def code_folders() -> list[str]:
    """migralint's package folder, then pglast's when it is installed: code, in every key."""
    if not _code_folders:
        import importlib.util

        _code_folders.append(os.path.dirname(os.path.abspath(migralint.__file__)))
        spec = importlib.util.find_spec("pglast")
        if spec is not None and spec.origin is not None:
            _code_folders.append(os.path.dirname(spec.origin))
    return _code_folders


def _module_stamps(package: str, *, recurse: bool) -> str:
    found: list[str] = []
    # Each module's path below the package by slicing, not os.path.relpath: relpath makes both
    # paths absolute and compares them part by part, which was two thirds of this walk (about
    # 10 ms of every run, the answered ones included, for migralint's 270 modules). os.walk
    # yields `package` + separator + the rest, so the slice is relpath's answer whenever the
    # package's path is normal (abspath's); anything else still asks relpath.
    prefix = package.rstrip(os.sep) + os.sep
    normal = os.path.normpath(package) == package
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__") if recurse else []
        for name in sorted(files):
            if name.endswith((".py", ".so", ".pyd")):
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                shown = path[len(prefix):] if normal and path.startswith(prefix) else os.path.relpath(path, package)
                found.append(f"{shown}:{info.st_size}:{info.st_mtime_ns}")
    return digest(package, *found)


def upwards(start: str) -> Iterator[str]:
    """`start` and each folder above it, to the root: where a config file, or a `.git`, is looked for."""
    folder = start
    while True:
        yield folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return
        folder = parent


def find_config_file(start: str) -> str | None:
    """The nearest migralint.toml, or pyproject.toml with [tool.migralint], at or above `start`."""
    for folder in upwards(start):
        candidate = os.path.join(folder, "migralint.toml")
        if os.path.isfile(candidate):  # False, not an error, for a folder we may not enter
            return candidate
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject) and _has_migralint_table(pyproject):
            return pyproject
    return None


def _has_migralint_table(pyproject: str) -> bool:
    try:
        with open(pyproject, encoding="utf-8") as stream:
            return "[tool.migralint" in stream.read()
    except (OSError, UnicodeDecodeError):
        return False


def option_value(args: Sequence[str], name: str) -> str | None:
    """The value of lint's option `name` in `args` (`--name value` or `--name=value`), the last one."""
    value = None
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith(name + "="):
            value = arg[len(name) + 1:]
    return value


def guessed_cache_dir(args: Sequence[str], environ: Mapping[str, str], cwd: str) -> str:
    """Where the cache is, from what is known before the config is parsed: --cache-dir, else
    MIGRALINT_CACHE_DIR, else `.migralint_cache` in the folder of the config file (--config or
    the nearest one), else in the working directory. A config that sets `cache-dir` or
    `cache = false` makes the full run's folder differ: then no answer is stored (recorder)."""
    option = option_value(args, "--cache-dir")
    if option:
        return os.path.join(cwd, option)
    if environ.get(ENV_VAR):
        return os.path.join(cwd, environ[ENV_VAR])
    config = option_value(args, "--config")
    found = os.path.join(cwd, config) if config else find_config_file(cwd)
    root = os.path.dirname(os.path.realpath(found)) if found else cwd
    return os.path.join(root, CACHE_DIR_NAME)


def answerable(args: Sequence[str]) -> bool:
    """Whether argv (after `migralint`) is a lint an answer may stand for."""
    if not args or args[0] != "lint":
        return False
    return not any(arg in NOT_ANSWERED or arg.split("=", 1)[0] in NOT_ANSWERED for arg in args[1:])


def run_key(args: Sequence[str], cwd: str, environ: Mapping[str, str], code: str) -> str:
    """Everything a run's output depends on besides what it reads."""
    terminals: list[str] = []
    for fd in (0, 1, 2):
        try:
            tty = os.isatty(fd)
        except OSError:
            tty = False
        size = ""
        if tty:  # stdin's too: a terminal library may take the width from whichever stream is one
            try:
                size = "x".join(map(str, os.get_terminal_size(fd)))
            except OSError:
                size = "?"
        terminals.append(f"{fd}:{int(tty)}:{size}")
    env = sorted((k, v) for k, v in environ.items() if k not in ENV_NOT_KEYED)
    # Who runs it: another user may not read what this one could (exit 2, never stored).
    user = f"{os.getuid()}:{os.getgid()}:{sorted(os.getgroups())}" if hasattr(os, "getuid") else ""
    # What renders the output besides migralint and pglast (click, rich, the standard library):
    # the interpreter's version, and the folders that hold the packages, whose mtime and ctime
    # move whenever a package in them is installed, upgraded or removed (its dist-info renamed).
    installed = [f"{folder}:{stamp(os.path.dirname(folder))}" for folder in code_folders()]
    return digest(FORMAT, code, sys.executable, sys.version, *installed, cwd, user, *terminals, len(args), *args,
                  *(f"{k}={v}" for k, v in env))


def answer_path(directory: str, key: str) -> str:
    return os.path.join(directory, ANSWERS, key[:40] + ".answer")


def stamp(path: str, whole: bool = True, found: os.stat_result | None = None) -> Stamp | None:
    """The path's metadata, not following a final symlink, and its target's too when it is one;
    None when there is nothing there ("absent" is a stamp too).

    `whole` False: a folder only looked at, not listed (a config file looked for beside it, a path
    resolved through it): its type, identity and owner, not its times, which change whenever any
    entry in it does (a home folder's shell history). `found`: what lstat() said of it just now."""
    if found is None:
        try:
            found = _lstat(path)
        except (OSError, ValueError):
            return None
    own = _of(found, whole)
    if not stat.S_ISLNK(found.st_mode):
        return own
    try:
        target = _stat(path)
    except (OSError, ValueError):
        return (*own, -1)
    return (*own, *_of(target, whole))


def _of(found: os.stat_result, whole: bool) -> Stamp:
    if whole or not stat.S_ISDIR(found.st_mode):
        return (found.st_mode, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev,
                found.st_uid)
    return (found.st_mode, found.st_ino, found.st_dev, found.st_uid)


def changed_at(found: Stamp) -> int:
    """The latest mtime or ctime in a stamp (0 for a folder's reduced stamp)."""
    times = [found[2], found[3]] if len(found) >= 7 else []
    if len(found) > 8:
        rest = found[7:]
        times += [rest[2], rest[3]] if len(rest) >= 7 else []
    return max(times, default=0)


def load(path: str, key: str) -> tuple[list[tuple[int, bytes]], int] | None:
    """The stored answer at `path` for `key` (what was written, in order, per fd; the exit code)
    when every input it depends on still has its stamp; None for anything else."""
    import marshal
    from binascii import crc32

    try:
        with open(path, "rb") as stream:
            data = stream.read()
        if not data.startswith(HEADER) or len(data) < len(HEADER) + CHECK:
            return None
        payload = memoryview(data)[len(HEADER) + CHECK:]
        # A CRC catches a truncated or damaged file (the header and the key catch a foreign one)
        # at a fifteenth of sha256's cost over the corpus's 6 MB answer.
        if crc32(payload).to_bytes(CHECK, "little") != data[len(HEADER):len(HEADER) + CHECK]:
            return None
        stored_key, code, chunks, inputs = marshal.loads(payload)
        if stored_key != key or not isinstance(code, int):
            return None
        for input_path, whole, input_stamp in inputs:
            if stamp(input_path, whole) != input_stamp:
                return None
        return [(int(fd), bytes(chunk)) for fd, chunk in chunks], code
    except Exception:  # missing, truncated, corrupt, foreign: the full run answers
        return None


def encode(key: str, code: int, chunks: list[tuple[int, bytes]],
           inputs: Mapping[str, tuple[bool, Stamp | None]]) -> tuple[bytes, bytes]:
    """An answer file's two parts, written one after the other (not joined: the payload holds the
    run's whole output, megabytes for a corpus, and a join would copy it once more)."""
    import marshal

    from binascii import crc32

    payload = marshal.dumps((key, code, chunks, [(path, whole, found) for path, (whole, found) in sorted(inputs.items())]))
    return HEADER + crc32(payload).to_bytes(CHECK, "little"), payload


def drop_least_recent(folders: Sequence[str], limit: int, keep: str | None = None) -> None:
    """When the files in `folders` pass `limit` bytes, delete the least recently used (oldest
    mtime: a hit touches what it reads) down to 3/4 of it, never `keep`. The cache's packs and
    catalogs (cache.Store.prune) and the answers on their own (answer_recorder) are bounded so."""
    entries: list[tuple[int, int, str]] = []
    for folder in folders:
        try:
            with os.scandir(folder) as found:
                for entry in found:
                    try:
                        info = entry.stat()
                    except OSError:
                        continue
                    entries.append((info.st_mtime_ns, info.st_size, entry.path))
        except OSError:
            continue
    total = sum(size for _, size, _ in entries)
    if total <= limit:
        return
    for _, size, path in sorted(entries):
        if total <= limit * 3 // 4:
            break
        if path == keep:
            continue
        try:
            os.unlink(path)
        except OSError:
            pass
        total -= size


def create_temporary(directory: str, suffix: str) -> tuple[int, str]:
    """A new file `.tmp-<random><suffix>` in `directory`, open for writing, readable by its owner
    only, as tempfile.mkstemp makes it (O_EXCL: never a file that was there; O_NOFOLLOW: never
    through a link). Not tempfile itself: it imports random and shutil (zlib, bz2, lzma), about
    8 ms of every run that writes the cache, which is every run the launcher could not answer."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = os.path.join(directory, f".tmp-{os.urandom(8).hex()}{suffix}")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue  # 64 random bits taken already: draw again, as tempfile does
    raise FileExistsError(f"no free temporary name in {directory}")


def touch(path: str) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def replay(chunks: list[tuple[int, bytes]]) -> None:
    """Write what the run wrote, in the order it wrote it; a closed pipe ends it quietly."""
    try:
        for fd, chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
    except BrokenPipeError:
        pass
