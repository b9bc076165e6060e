"""The git repository around one migrations folder, asked through git's plumbing commands.

What git_history.py reads: the commits (HEAD, its upstream, where they meet), the files of a
folder at a commit or in the index, and blobs by id. Each question is one git process (5 to
10 ms each, on every commit the pre-commit hook runs on), so a question asks for as much as
it can at once.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from migralint.errors import UserError
from migralint.frozen import Value, set_field
from migralint.source import display_path

if TYPE_CHECKING:
    # mypy checks GitRepository as the frozen dataclass it behaves as (see migralint/frozen.py).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value


class GitError(UserError):
    """git is missing, the folder is not in a repository, or the commit does not exist there."""


@frozen_value(frozen=True)
class GitRepository(Value):
    """The git repository around one migrations folder; paths are relative to that folder."""

    __slots__ = ("top", "prefix", "option", "merge_head", "upstream", "upstream_asked", "upstream_base")
    top: Path
    prefix: str  # the folder, relative to the top of the repository ("" or ending in "/")
    option: str  # what the user asked for, for messages
    merge_head: str  # where MERGE_HEAD is, while a merge is in progress ("": ask git)
    upstream: str | None  # HEAD's upstream, when `containing` asked for it and there is one
    upstream_asked: bool
    upstream_base: str | None  # where HEAD meets the upstream, when `containing` found one meeting point

    def __init__(
        self, top: Path, prefix: str, option: str, merge_head: str = "", upstream: str | None = None,
        upstream_asked: bool = False, upstream_base: str | None = None,
    ) -> None:
        set_field(self, "top", top)
        set_field(self, "prefix", prefix)
        set_field(self, "option", option)
        set_field(self, "merge_head", merge_head)
        set_field(self, "upstream", upstream)
        set_field(self, "upstream_asked", upstream_asked)
        set_field(self, "upstream_base", upstream_base)

    @classmethod
    def containing(cls, folder: Path, option: str, *, upstream: bool = False, meeting: bool = True) -> GitRepository:
        """The repository around `folder`; with `upstream`, HEAD's upstream asked in the same git
        process (the pre-commit hook runs on every commit, and each process costs 5 to 10 ms),
        and where HEAD meets it: for `A...B`, rev-parse prints A, B and then each merge base as
        `^<id>` (gitrevisions(7), "dotted range notations"), so `git merge-base` need not run."""
        cwd = folder.resolve()
        asked = ["rev-parse", "--show-toplevel", "--show-prefix", "--git-path", "MERGE_HEAD"]
        if upstream:
            asked += ["--abbrev-ref", "--symbolic-full-name", "@{upstream}", *(["@{upstream}...HEAD"] if meeting else [])]
        done = _git(asked, cwd, option)
        lines = done.stdout.decode("utf-8", errors="surrogateescape").split("\n")
        if upstream and meeting and done.returncode != 0 and len(lines) > 4:
            # The upstream answered and the meeting point did not (HEAD has no commit yet): ask
            # without it, so that what follows reads as it always did.
            return cls.containing(folder, option, upstream=True, meeting=False)
        # rev-parse answers its arguments in order and stops at the first it cannot: three whole
        # lines and a failure mean that only the upstream is missing (no upstream, detached HEAD).
        if done.returncode != 0 and not (upstream and len(lines) == 4 and lines[3] == ""):
            error = done.stderr.decode(errors="replace").strip().splitlines()
            if any("not a git repository" in line for line in error):
                raise GitError(f"{option} needs a git repository, and {display_path(folder)} is not in one")
            raise GitError(f"{option}: git failed in {display_path(folder)}: {error[0] if error else 'no reason given'}")
        top, prefix, merge_head = (lines + ["", ""])[:3]
        found = lines[3].strip() or None if upstream and done.returncode == 0 else None
        # One meeting point only: with several (criss-cross merges) `git merge-base` picks one.
        bases = [line[1:] for line in lines[4:] if line.startswith("^")] if found else []
        base = bases[0] if len(bases) == 1 and _is_object_id(bases[0]) else None
        return cls(Path(top), prefix, option, os.path.join(cwd, merge_head) if merge_head else "", found, upstream,
                   base)

    def merging(self) -> bool:
        """Whether a merge may be in progress: MERGE_HEAD exists (git writes it as a file in the
        git directory, whatever stores the other refs). Unknown: yes, and git is asked."""
        return not self.merge_head or os.path.exists(self.merge_head)

    def commit(self, ref: str, *, unborn_ok: bool = False) -> str | None:
        """The commit `ref` names; None for HEAD in a repository with no commit yet (unborn_ok)."""
        if not ref or ref.startswith("-"):
            raise GitError(f"{self.option}: {ref!r} is not a commit")
        done = self._run(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
        if done.returncode == 0:
            return done.stdout.decode().strip()
        if unborn_ok and self._run(["rev-parse", "--verify", "--quiet", "HEAD"]).returncode != 0:
            return None
        raise GitError(f"{self.option}: {ref!r} is not a commit in the git repository at {self.top} "
                       "(in CI, fetch it first: a shallow clone has only the last commit)")

    def pushed(self, configured: str | None) -> tuple[str | None, str]:
        """The commit whose migrations count as applied for --staged, and its name for messages.

        The `base` setting, else the branch's upstream, else the remote's default branch
        (origin/HEAD, as `git clone` sets it), else HEAD. Not the tip but where HEAD meets
        it: a branch behind its upstream has not deleted what the upstream gained since.
        """
        for ref in [configured] if configured else self._candidates():
            # One git process in the usual case (merge-base resolves both): the hook runs on
            # every commit, and each process costs 5 to 10 ms.
            base = self.merge_base(ref) if not ref.startswith("-") else None
            if base is not None:
                return base, ref
            commit = self._resolve(ref)
            if commit is None:
                if configured:
                    self.commit(configured)  # raises: the base setting names no commit
                continue
            return commit, ref  # HEAD has no commit yet, or no history in common with it
        return self.commit("HEAD", unborn_ok=True), "HEAD"

    def _candidates(self) -> Iterator[str]:
        """The upstream, then the remotes' default branches, asked for only when it is needed."""
        upstream = self._upstream()
        if upstream:
            yield upstream
        yield from self._default_branches()

    def commit_or_none(self, ref: str) -> str | None:
        return self._resolve(ref)

    def _resolve(self, ref: str) -> str | None:
        if ref.startswith("-"):
            return None
        done = self._run(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def _upstream(self) -> str | None:
        if self.upstream is not None:
            return self.upstream
        if not self.upstream_asked:
            done = self._run(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"])
            if done.returncode == 0:
                return done.stdout.decode().strip() or None
        # No upstream, or HEAD detached: during a rebase, the branch being rewritten has one.
        if self._run(["symbolic-ref", "-q", "HEAD"]).returncode == 0:
            return None
        branch = self._rebasing()
        if not branch:
            return None
        done = self._run(["rev-parse", "--abbrev-ref", "--symbolic-full-name", f"{branch}@{{upstream}}"])
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def _rebasing(self) -> str:
        """The branch a rebase in progress rewrites (HEAD is detached meanwhile), or ""."""
        for state in ("rebase-merge", "rebase-apply"):
            done = self._run(["rev-parse", "--git-path", f"{state}/head-name"])
            path = self.top / done.stdout.decode().strip()
            try:
                name = path.read_text(encoding="utf-8").strip()
            except OSError:
                continue
            return name.removeprefix("refs/heads/")
        return ""

    def _default_branches(self) -> list[str]:
        """origin/HEAD (or each remote's HEAD), then origin/main and origin/master where those exist."""
        done = self._run(["for-each-ref", "--format=%(refname:short) %(symref:short)", "refs/remotes/"])
        heads, others = [], []
        for line in done.stdout.decode(errors="replace").splitlines():
            name, _, target = line.partition(" ")
            if name.endswith("/HEAD") or target:
                heads.append(target or name)
            elif name.split("/", 1)[-1] in ("main", "master"):
                others.append(name)
        heads.sort(key=lambda ref: not ref.startswith("origin/"))
        others.sort(key=lambda ref: (not ref.startswith("origin/"), ref))
        return heads + others

    def merge_base(self, commit: str) -> str | None:
        """Where HEAD and `commit` forked; None when they share no history or HEAD has no commit."""
        if commit == self.upstream and self.upstream_base is not None:
            return self.upstream_base  # found with the upstream, in the same git process
        done = self._run(["merge-base", commit, "HEAD"])
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def tree(self, commit: str) -> dict[str, str]:
        """path -> blob id of the files under the folder at `commit`."""
        done = self._run(["ls-tree", "-r", "-z", "--full-tree", commit, *self._pathspec()], check=True)
        files: dict[str, str] = {}
        for record in _records(done.stdout):
            info, _, path = record.partition("\t")
            mode, kind, oid = info.split(" ")
            if kind == "blob" and mode != "120000":
                files[path[len(self.prefix):]] = oid
        return files

    def start_index(self) -> subprocess.Popen[bytes]:
        """`git ls-files` for `index`, started now: the hook asks for the tree at the upstream
        and for the index, which do not depend on each other, so the two git processes run side
        by side (one process less of waiting: 2-5 ms of the hook's wall time)."""
        return _start(["ls-files", "-s", "-z", "--full-name", *self._pathspec()], self.top, self.option)

    def index(self, started: subprocess.Popen[bytes] | None = None) -> dict[str, str]:
        """path -> blob id of the files under the folder in the index (what is staged); `started`:
        the process start_index began."""
        args = ["ls-files", "-s", "-z", "--full-name", *self._pathspec()]
        if started is None:
            done = self._run(args, check=True)
        else:
            out, err = started.communicate()
            done = self._checked(args, subprocess.CompletedProcess(started.args, started.returncode, out, err), True)
        files: dict[str, str] = {}
        for record in _records(done.stdout):
            info, _, path = record.partition("\t")
            mode, oid, _stage = info.split(" ")
            if mode != "120000" and mode != "160000":
                files.setdefault(path[len(self.prefix):], oid)
        return files

    def contents(self, oids: Iterable[str]) -> dict[str, bytes]:
        """The content of each blob, read in one `git cat-file --batch`."""
        wanted = sorted(set(oids))
        if not wanted:
            return {}
        done = self._run(["cat-file", "--batch"], input="".join(f"{oid}\n" for oid in wanted).encode(), check=True)
        out, at, found = done.stdout, 0, {}
        for oid in wanted:
            end = out.index(b"\n", at)
            header = out[at:end].split(b" ")
            at = end + 1
            if len(header) < 3:  # "<oid> missing"
                continue
            size = int(header[2])
            found[oid] = out[at : at + size]
            at += size + 1
        return found

    def _pathspec(self) -> list[str]:
        return ["--", self.prefix] if self.prefix else []

    def _run(
        self, args: list[str], *, input: bytes | None = None, check: bool = False
    ) -> subprocess.CompletedProcess[bytes]:
        return self._checked(args, _git(args, self.top, self.option, input=input), check)

    def _checked(
        self, args: list[str], done: subprocess.CompletedProcess[bytes], check: bool
    ) -> subprocess.CompletedProcess[bytes]:
        if check and done.returncode != 0:
            error = done.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(f"{self.option}: git {args[0]} failed: {error[0] if error else 'no reason given'}")
        return done


def _git(args: list[str], cwd: Path, option: str, *, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    started = _start(args, cwd, option, stdin=input is not None)
    try:
        out, err = started.communicate(input)
    except BaseException:  # Ctrl-C while git runs: it is not left behind
        stop(started)
        raise
    return subprocess.CompletedProcess(started.args, started.returncode, out, err)


def _start(args: list[str], cwd: Path, option: str, *, stdin: bool = False) -> subprocess.Popen[bytes]:
    """git's process, not waited for: _git waits for it, and `lint --staged` starts one before
    it needs its answer (start_index)."""
    # Literal pathspecs: a folder name with [ or * in it means itself.
    command = ["git", "--literal-pathspecs", "-c", "core.quotepath=off", *args]
    try:
        return subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE if stdin else None,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise GitError(f"{option} needs git, and no git command was found on PATH") from None
    except NotADirectoryError:
        raise GitError(f"{option}: {cwd} is not a folder") from None


def stop(started: subprocess.Popen[bytes]) -> None:
    """A started process no longer wanted (an error, Ctrl-C): killed and reaped, its pipes closed."""
    started.kill()
    started.communicate()


def _is_object_id(text: str) -> bool:
    """A full SHA-1 or SHA-256 object id, as rev-parse prints one."""
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _records(output: bytes) -> list[str]:
    return [r for r in output.decode("utf-8", errors="surrogateescape").split("\0") if r]
