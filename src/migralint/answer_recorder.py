"""Recording a run's answer (answers.py): what it wrote, and every input it depended on.

One mechanism sees the inputs, whichever module reads them: a Python audit hook
(https://docs.python.org/3/library/audit_events.html) sees every `open`, `os.listdir` and
`os.scandir` (the files read, the folders listed: a folder's mtime and ctime change when an
entry is added, removed or renamed), every process started, socket and import; `os.stat`,
`os.lstat` and `os.access`, which raise no audit event, are wrapped for the run, so the config
files and folders looked for and not found are stamped as absent. Each input is stamped when
it is first touched, before it is read, and stamped again at the end: a change during the run
leaves nothing stored. The import system's own reads (frozen importlib, code only) are not
inputs: the code is in the key.

A run that does anything that is not a pure function of those stamps stores nothing: it writes
a file outside the cache (--output, --fix, GitLab's report, GITHUB_STEP_SUMMARY), starts a
process other than git, opens a socket or loads psycopg (a database), starts workers, changes
directory, exits with anything but 0 or 1, or touches an input within RACY_NS of its start.
For git, what a git command reads is stamped the moment it starts (git_inputs).
"""

from __future__ import annotations

import io
import os
import stat
import sys
import time
from collections.abc import Callable
from typing import Any

from migralint.answers import (RACY_NS, Stamp, answer_path, changed_at, code_folders, create_temporary, drop_least_recent,
                               encode, stamp)

_WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Importing one of these means a worker process (it may read what the parent did not) or a database.
_REFUSED_IMPORTS = ("psycopg", "multiprocessing.popen_", "migralint.database.connection")
_REFUSED_EVENTS = frozenset({"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
                             "os.startfile", "socket.connect", "socket.getaddrinfo", "os.chdir", "os.fchdir",
                             "ctypes.dlopen", "urllib.Request"})
_CHANGES = frozenset({"os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.utime", "os.chmod", "os.chown",
                      "os.truncate", "os.symlink", "os.link", "shutil.rmtree", "shutil.copyfile", "shutil.move"})
# A quarter of the cache's bound (cache.DEFAULT_LIMIT): the corpus's answer is 6 MB.
ANSWERS_LIMIT = 64 * 1024 * 1024
_FILE_EVENTS = _CHANGES | {"open", "os.listdir", "os.scandir"}
# /proc/loadavg chooses how many workers run (the output is the same whatever it says), and its
# mtime is always now; /dev/null is what a closed pipe's output goes to (refused as a write anyway).
_NOT_INPUTS = ("/proc/", "/dev/")

RECORDER: Recorder | None = None
_POSIX = os.sep == "/"
_SEPARATORS = (os.sep,) if os.altsep is None else (os.sep, os.altsep)


def refuse(why: str) -> None:
    """The run depends on something no stamp can tell (a database): store no answer."""
    if RECORDER is not None:
        RECORDER.refused = why


def cache_dir_used(directory: str | None) -> None:
    """The cache folder the full run resolved (None: no cache). The answer is stored there only
    when it is the folder the launcher looks in."""
    if RECORDER is not None:
        RECORDER.resolved_dir = os.path.abspath(directory) if directory is not None else None


class _TeeRaw(io.RawIOBase):
    """A raw output stream on `fd` that also notes what it writes, in order with the other one,
    until the recorder lets it go (`chunks` None: it only writes)."""

    def __init__(self, fd: int, chunks: list[tuple[int, bytes]]) -> None:
        super().__init__()
        self._fd = fd
        self.chunks: list[tuple[int, bytes]] | None = chunks

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        written = os.write(self._fd, data)
        if self.chunks is not None:
            self.chunks.append((self._fd, bytes(memoryview(data)[:written])))
        return written


def _teed(stream: Any, raw: _TeeRaw) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding=stream.encoding, errors=stream.errors,
                            line_buffering=stream.line_buffering, write_through=stream.write_through)


class Recorder:
    def __init__(self, key: str, guessed_dir: str) -> None:
        self.key = key
        self.guessed_dir = os.path.abspath(guessed_dir)
        self.resolved_dir: str | None = None
        self._refused: str | None = None
        self._tees: list[_TeeRaw] = []
        self.started_ns = time.time_ns()
        self.inputs: dict[str, tuple[bool, Stamp | None]] = {}  # path -> (listed or read, stamp)
        self.chunks: list[tuple[int, bytes]] = []
        self._git_cwds: set[str] = set()
        self._real: dict[str, Callable[..., Any]] = {}
        # Not inputs: the cache (derived from the inputs, never a source of truth) and the code (keyed).
        skipped = (os.path.abspath(guessed_dir), *code_folders())
        self._skipped = frozenset(skipped)
        self._skipped_under = tuple(_under(folder) for folder in skipped)  # _within, asked of them all at once

    # -- watching ------------------------------------------------------------------------------

    def start(self) -> None:
        """Watch the run; with streams it cannot tee (none, or not files: pythonw), nothing is
        watched and nothing will be stored. Never raises."""
        global RECORDER
        try:
            stdout, stderr = sys.stdout, sys.stderr
            if stdout is None or stderr is None or stdout.fileno() != 1 or stderr.fileno() != 2:
                return
            stdout.flush()
            stderr.flush()
            self._tees = [_TeeRaw(1, self.chunks), _TeeRaw(2, self.chunks)]
            teed = _teed(stdout, self._tees[0]), _teed(stderr, self._tees[1])
        except Exception:
            return
        sys.stdout, sys.stderr = teed
        for name in ("lstat", "stat", "access"):  # lstat first: the watched stat calls the real one
            real = getattr(os, name)
            self._real[name] = real
            setattr(os, name, self._watched_on_lstat(real, name == "stat") if name != "access" else self._watched(real))
        RECORDER = self
        sys.addaudithook(self._audit)  # for good (hooks cannot be removed): it checks RECORDER

    @property
    def refused(self) -> str | None:
        """Why this run's answer will not be stored (the first reason), or None."""
        return self._refused

    @refused.setter
    def refused(self, why: str | None) -> None:
        if self._refused is not None or why is None:
            return
        self._refused = why
        self._unwatch()

    def _unwatch(self) -> None:
        """Once refused (workers forked, a database...), nothing of the run is stored: watching and
        keeping the rest of it would be work for nothing, in the parent and in the children forked
        after. The real os functions go back, the output is no longer kept (the corpus's report is 6
        MB), and the audit hook, which cannot be removed, returns at its first test. A corpus run
        forks its workers after discovery: until this, the children inherited the wrapped os.stat."""
        self._real_os_back()
        for tee in self._tees:
            tee.chunks = None
        self.chunks.clear()

    def _real_os_back(self) -> None:
        """os.stat, os.lstat and os.access as they were before start()."""
        for name, real in self._real.items():
            setattr(os, name, real)

    def _watched(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def watched(path: Any, *args: Any, **kwargs: Any) -> Any:
            if RECORDER is self and self._refused is None and kwargs.get("dir_fd") is None:
                self._note(path, whole=False)
            return real(path, *args, **kwargs)

        return watched

    def _watched_on_lstat(self, real: Callable[..., Any], follows: bool) -> Callable[..., Any]:
        """os.lstat or (`follows`) os.stat, watched, on one lstat(): what it says is the path's
        stamp (answers.stamp lstat()s it too), and, unless the path is a symlink, what stat() would
        say (both follow the links before the last name). Discovery stat()s every file named on the
        command line: one system call each, not two."""
        generic = self._watched(real)
        lstat = self._real["lstat"] if follows else real

        def watched(path: Any, *args: Any, **kwargs: Any) -> Any:
            if args or kwargs or RECORDER is not self or self._refused is not None or isinstance(path, int):
                return generic(path, *args, **kwargs)
            try:
                spelled = os.fspath(path)
            except TypeError:
                return generic(path, *args, **kwargs)  # refused there, as any input it cannot name
            if not isinstance(spelled, str) or spelled.endswith(_SEPARATORS):
                # "link/" is looked up through the link, and the stamp is of "link": the two calls.
                return generic(path, *args, **kwargs)
            try:
                found = lstat(path)
            except BaseException:
                self._note(path, whole=False)  # absent, or not to be looked at: stamped as stamp() says
                raise
            self._note(path, whole=False, found=found)
            return real(path) if follows and stat.S_ISLNK(found.st_mode) else found

        return watched

    def _note(self, path: Any, *, whole: bool = True, found: os.stat_result | None = None) -> None:
        if isinstance(path, int):
            return  # an open file: it was stamped when it was opened
        try:
            # On POSIX, abspath of a path from the root is its normpath, asked without abspath's
            # own tests (on Windows "\\x" is not absolute: abspath puts the drive in front).
            text = os.path.normpath(path) if _POSIX and type(path) is str and path.startswith("/") \
                else os.path.abspath(os.fsdecode(path))
        except (TypeError, ValueError):
            self.refused = f"an input named by {type(path).__name__}"
            return
        known = self.inputs.get(text)
        if (known is not None and (known[0] or not whole)) or text.startswith(_NOT_INPUTS) \
                or text in self._skipped or text.startswith(self._skipped_under):
            return
        if known is not None and stamp(text, False) != known[1]:
            self.refused = f"{text} changed during the run"  # looked at, then changed, then read
        self.inputs[text] = (whole, stamp(text, whole, found))

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if RECORDER is not self or self._refused is not None:
            return
        if event == "os.scandir":
            # Discovery lists every folder so, and the import system never does (it lists with
            # os.listdir): noted without asking who listed it (sys._getframe and f_code raise
            # audit events of their own, each a call of this hook again).
            self._note(args[0] if args[0] is not None else ".")
            return
        if event in _FILE_EVENTS and sys._getframe(1).f_code.co_filename.startswith("<frozen importlib"):
            return  # the import system reading code, writing its .pyc: the code is in the key
        if event == "open" or event == "os.listdir":
            path = args[0] if args[0] is not None else "."
            if event == "open" and _writes(args) and not isinstance(path, int):
                where = os.path.abspath(os.fsdecode(path))
                if not (_within(where, self.guessed_dir) or where.startswith("/dev/null")):
                    self.refused = f"writes {where}"
                elif where.startswith("/dev/null"):
                    self.refused = "output discarded"
                return
            self._note(path)
        elif event == "import":
            if str(args[0]).startswith(_REFUSED_IMPORTS):
                self.refused = f"imports {args[0]}"
        elif event == "subprocess.Popen":
            self._process(args)
        elif event in _REFUSED_EVENTS:
            self.refused = event
        elif event in _CHANGES:
            named = [arg for arg in args[:2] if isinstance(arg, (str, bytes, os.PathLike))]  # rename: both
            if not named or not all(_within(os.path.abspath(os.fsdecode(arg)), self.guessed_dir) for arg in named):
                self.refused = event

    def _process(self, args: tuple[Any, ...]) -> None:
        executable, argv, cwd, env = args
        program = os.path.basename(os.fsdecode(executable or (argv[0] if argv else "")))
        if program not in ("git", "git.exe") or env is not None:
            self.refused = f"runs {program}"
            return
        where = os.path.abspath(os.fsdecode(cwd)) if cwd is not None else os.getcwd()
        if where not in self._git_cwds:
            self._git_cwds.add(where)
            from migralint.git_inputs import git_inputs  # only a run that asks git

            found = git_inputs(where, dict(os.environ))
            if found is None:
                self.refused = "git state that cannot be stamped"
                return
            for path in found:
                self._note(path)

    # -- storing -------------------------------------------------------------------------------

    def finish(self, code: object) -> None:
        """Store the answer, if the run allows one. Never raises: the run's exit code stands."""
        global RECORDER
        if RECORDER is not self:
            return  # never started
        RECORDER = None
        self._real_os_back()
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            return  # a closed pipe: what was written is not the whole answer
        try:
            self._store(0 if code is None else code)
        except Exception:
            if os.environ.get("MIGRALINT_DEBUG"):
                raise
            return

    def _store(self, code: object) -> None:
        trace = os.environ.get("MIGRALINT_DEBUG_ANSWERS")
        why = self._why_not(code)
        if why is not None:
            if trace:
                os.write(2, f"migralint: answer not stored: {why}\n".encode(errors="replace"))
            return
        assert isinstance(code, int)
        path = answer_path(self.guessed_dir, self.key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, temporary = create_temporary(os.path.dirname(path), ".answer")
        try:
            merged = _merged(self.chunks)
            self.chunks.clear()  # the run's output held once, not twice, while it is stored
            with os.fdopen(fd, "wb") as stream:
                for part in encode(self.key, code, merged, self.inputs):
                    stream.write(part)
            del merged
            os.replace(temporary, path)  # whole or not at all: a concurrent reader never sees half
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
        if trace:
            os.write(2, f"migralint: answer stored: {path} ({len(self.inputs)} inputs)\n".encode(errors="replace"))
        # Answers on their own get a quarter of the cache's bound; the newest, just stored, stays.
        drop_least_recent([os.path.dirname(path)], ANSWERS_LIMIT, keep=path)

    def _why_not(self, code: object) -> str | None:
        if self.refused is not None:
            return self.refused
        if not isinstance(code, int) or isinstance(code, bool) or code not in (0, 1):
            return f"exit code {code}"
        if self.resolved_dir != self.guessed_dir:
            return f"the cache is {self.resolved_dir}, not {self.guessed_dir}"
        if not os.path.isdir(self.guessed_dir):
            return "no cache folder"
        newest = self.started_ns - RACY_NS
        for path, (whole, first) in self.inputs.items():
            if stamp(path, whole) != first:
                return f"{path} changed during the run"
            if first is not None and changed_at(first) >= newest:
                return f"{path} changed within {RACY_NS // 10**9} s of the run"
        return None


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(_under(folder))


def _under(folder: str) -> str:
    """What every path inside `folder` starts with."""
    return folder.rstrip(os.sep) + os.sep


def _writes(args: tuple[Any, ...]) -> bool:
    mode, flags = (args[1], args[2]) if len(args) >= 3 else (None, 0)
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and bool(flags & _WRITES)


def _merged(chunks: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """The chunks, each run of writes to one fd joined into one: a corpus's report is 700 writes
    of 8 KiB, and joining them pairwise copied megabytes hundreds of times over."""
    merged: list[tuple[int, bytes]] = []
    run: list[bytes] = []
    current = -1
    for fd, data in chunks:
        if fd != current and run:
            merged.append((current, b"".join(run)))
            run = []
        current = fd
        if data:
            run.append(data)
    if run:
        merged.append((current, b"".join(run)))
    return merged

