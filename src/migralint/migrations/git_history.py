"""Git as a source of truth: what exists at a commit is applied, what came after is pending.

`GitSource("origin/main")` (`lint --since origin/main`) calls every migration that exists at
that commit applied, and reports those edited or deleted since (in the working tree, the
index or later commits). `GitSource(staged=True)` (`lint --staged`, the pre-commit hook) does
the same for what is staged, against what is pushed: the migrations where the branch meets
its upstream (else the remote's default branch; else HEAD, in a repository with no remote)
are applied, and the index is compared with them, whatever the working tree holds. A
migration committed but not pushed yet is no production's history: amending, rebasing or
fixing it is allowed, and its tables are still empty.

Git runs as a subprocess in the repository that holds the migrations folder, wherever the
working directory is. Files are compared by blob hash first; only those that differ are read
from git, all in one `git cat-file --batch`. Line-ending changes (CRLF and LF) are not edits:
Prisma's checksum treats them as equal, and `core.autocrlf` makes them on checkout.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from migralint.errors import UserError
from migralint.migrations.layouts import RunnerMode
from migralint.migrations.changes import describe_changes, lines, renamed_to
from migralint.migrations.history import AppliedState, HistoryEvent, HistoryProblem, Runner
from migralint.migrations.layouts import Layout, MigrationFile, classify
from migralint.source import display_path, read_bytes

_HEAD_BYTES = 4096


class GitError(UserError):
    """git is missing, the folder is not in a repository, or the commit does not exist there."""


@dataclass(frozen=True, slots=True)
class GitSource:
    """Migrations present at `ref` are applied; with `staged`, the index is what is compared."""

    ref: str | None = None  # None with `staged`: the upstream, found per repository
    staged: bool = False

    @property
    def option(self) -> str:
        return "--staged" if self.staged else f"--since {self.ref}"

    @property
    def added(self) -> str:
        """Which migrations are pending, in words."""
        return "staged that the upstream (with none, HEAD) lacks" if self.staged else f"added since {self.ref}"

    def read(self, root: Path, migrations: list[MigrationFile]) -> AppliedState:
        repo = _Repository.containing(root, self.option, upstream=self.staged and not self.ref)
        if self.staged:
            commit, against = repo.pushed(self.ref)
        else:
            commit, against = repo.commit(self.ref or "HEAD"), self.ref or "HEAD"
        mine = {_relative(m.path, root): m for m in migrations}
        tree = repo.tree(commit) if commit else {}
        layouts = {m.layout for m in migrations} or _layouts_in(root, tree)
        at_ref = _migrations_in(tree, layouts)
        # What the folder holds now: the index with --staged, the working tree otherwise.
        index = None
        if self.staged:
            index = {p: oid for p, oid in repo.index().items() if p in mine or _could_be_migration(p, layouts)}
        changed: dict[str, str] = {}  # path -> object id now, for files whose content differs by hash
        gone: list[str] = []
        for path, oid in at_ref.items():
            current = _oid_now(root, path, index, len(oid))
            if current is None:
                gone.append(path)
            elif current != oid:
                changed[path] = current
        # A branch behind REF lacks what REF gained after they forked: no edit or deletion of
        # its own. What the branch did is what changed since the merge base.
        at_base: dict[str, str] = {}
        if commit and not self.staged and (changed or gone):
            base = repo.merge_base(commit)
            if base is not None and base != commit:
                at_base = _migrations_in(repo.tree(base), layouts)
                gone = [p for p in gone if p in at_base]
        added = [p for p in (index if index is not None else mine) if p not in at_ref]
        wanted = {at_ref[p] for p in at_ref if p in changed or p in gone or p not in mine}
        wanted |= {at_base[p] for p in changed if p in at_base}
        if index is not None:
            wanted |= set(changed.values()) | ({index[p] for p in added} if gone else set())
        contents = repo.contents(wanted)

        def now(path: str) -> bytes:
            return contents[index[path]] if index is not None else _read(root / path)

        added_contents = {p: now(p) for p in added} if gone else {}
        applied: set[str] = set()
        problems: list[HistoryProblem] = []
        for path, oid in at_ref.items():
            old = contents.get(oid, b"")
            migration = mine.get(path) or _classify_gone(root, path, old, at_ref)
            if migration.layout not in layouts or migration.root != root:
                continue
            applied.add(migration.name)
            if path in changed:
                text = now(path)
                if path in at_base and lines(contents[at_base[path]]) == lines(text):
                    continue  # as it was where the branch forked: REF changed it, not the branch
                problem = self._edited(migration, root / path, old, text, against)
                if problem:
                    problems.append(problem)
            elif path in gone:
                problems.append(self._deleted(migration, root, path, old, added_contents, mine, against))
        if index is not None:
            applied |= self._merged_in(repo, root, index, added, mine)
        source = f"git {against} (staged)" if self.staged else f"git {against}"
        return AppliedState(True, applied, problems, sources=[source])

    @staticmethod
    def _merged_in(
        repo: _Repository, root: Path, index: dict[str, str], added: list[str], mine: dict[str, MigrationFile]
    ) -> set[str]:
        """Migrations a merge in progress brings, unchanged: the other branch linted them already.

        Merging main into a branch stages main's new migrations; committing the merge must not
        lint them again as this branch's own.
        """
        merging = repo.commit_or_none("MERGE_HEAD") if added and repo.merging() else None
        if merging is None:
            return set()
        theirs = repo.tree(merging)
        return {mine[p].name if p in mine else classify(root / p).name for p in added if theirs.get(p) == index[p]}

    def _edited(
        self, migration: MigrationFile, path: Path, old: bytes, new: bytes, against: str
    ) -> HistoryProblem | None:
        change = describe_changes(old, new)
        if change is None:
            return None  # only line endings changed
        line, where = change
        return HistoryProblem(
            HistoryEvent.EDITED, Runner.GIT, path, migration.name, line, since=against, staged=self.staged, change=where
        )

    def _deleted(
        self,
        migration: MigrationFile,
        root: Path,
        path: str,
        old: bytes,
        added: dict[str, bytes],
        mine: dict[str, MigrationFile],
        against: str,
    ) -> HistoryProblem:
        renamed = renamed_to(migration.name, old, {p: mine.get(p) for p in added}, added)
        target = mine.get(renamed) if renamed is not None else None
        return HistoryProblem(
            HistoryEvent.DELETED, Runner.GIT, root / path, migration.name, 1, since=against, staged=self.staged,
            renamed_to=root / renamed if renamed is not None else None,
            renamed_name=(target.name if target else renamed) if renamed is not None else "",
        )


def _migrations_in(tree: dict[str, str], layouts: set[Layout]) -> dict[str, str]:
    return {path: oid for path, oid in tree.items() if _could_be_migration(path, layouts)}


def _layouts_in(root: Path, tree: dict[str, str]) -> set[Layout]:
    """The layouts of a folder that has no migration left on disk, judged from the commit's files."""
    layouts = set()
    for path in tree:
        parts = path.split("/")
        if len(parts) == 2 and parts[1] in ("migration.sql", "up.sql"):
            layouts.add(Layout.PRISMA if parts[1] == "migration.sql" else Layout.DIESEL)
        elif len(parts) == 1 and path.lower().endswith(".sql"):
            layouts.add(classify(root / path).layout)
    return layouts


def _could_be_migration(path: str, layouts: set[Layout]) -> bool:
    """Whether a path (relative to the folder) is where the folder's layouts keep migrations."""
    parts = path.split("/")
    if layouts & {Layout.PRISMA, Layout.DIESEL}:
        names = ("migration.sql",) if Layout.PRISMA in layouts else ("up.sql", "down.sql")
        return len(parts) == 2 and parts[1] in names
    if len(parts) != 1 or not path.lower().endswith(".sql"):
        return False
    # ory popx keeps one file per database dialect; only PostgreSQL's are migrations here
    return Layout.POPX not in layouts or ".postgres." in path


def _classify_gone(root: Path, path: str, content: bytes, at_ref: dict[str, str]) -> MigrationFile:
    """What a file that exists only at the commit was, judged as it was there."""
    full = root / path
    parts = path.split("/")
    if len(parts) == 2 and parts[1] in ("up.sql", "down.sql") and f"{parts[0]}/up.sql" in at_ref:
        # diesel: classify() looks for up.sql on disk, which is gone with the folder
        rollback = parts[1] == "down.sql"
        return MigrationFile(full, Layout.DIESEL, parts[0], (parts[0], rollback), RunnerMode.TRANSACTION, rollback)
    head = content[:_HEAD_BYTES].decode("utf-8", errors="replace")
    return classify(full, head)


def _oid_now(root: Path, path: str, index: dict[str, str] | None, length: int) -> str | None:
    """The object id of the file as it is now (the index's, or the working tree file's hash)."""
    if index is not None:
        return index.get(path)
    full = root / path
    if not full.is_file():
        return None
    return _hash_blob(_read(full), length)


def _hash_blob(content: bytes, length: int) -> str:
    algorithm = hashlib.sha256 if length == 64 else hashlib.sha1
    return algorithm(b"blob %d\0" % len(content) + content).hexdigest()


def _read(path: Path) -> bytes:
    try:
        return read_bytes(path)
    except OSError:
        return b""


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True, slots=True)
class _Repository:
    """The git repository around one migrations folder; paths are relative to that folder."""

    top: Path
    prefix: str  # the folder, relative to the top of the repository ("" or ending in "/")
    option: str  # what the user asked for, for messages
    merge_head: str = ""  # where MERGE_HEAD is, while a merge is in progress ("": ask git)
    upstream: str | None = None  # HEAD's upstream, when `containing` asked for it and there is one
    upstream_asked: bool = False

    @classmethod
    def containing(cls, folder: Path, option: str, *, upstream: bool = False) -> _Repository:
        """The repository around `folder`; with `upstream`, HEAD's upstream asked in the same git
        process (the pre-commit hook runs on every commit, and each process costs 5 to 10 ms)."""
        cwd = folder.resolve()
        asked = ["rev-parse", "--show-toplevel", "--show-prefix", "--git-path", "MERGE_HEAD"]
        done = _git([*asked, "--abbrev-ref", "--symbolic-full-name", "@{upstream}"] if upstream else asked, cwd, option)
        lines = done.stdout.decode("utf-8", errors="surrogateescape").split("\n")
        # rev-parse answers its arguments in order and stops at the first it cannot: three whole
        # lines and a failure mean that only the upstream is missing (no upstream, detached HEAD).
        if done.returncode != 0 and not (upstream and len(lines) == 4 and lines[3] == ""):
            error = done.stderr.decode(errors="replace").strip().splitlines()
            if any("not a git repository" in line for line in error):
                raise GitError(f"{option} needs a git repository, and {display_path(folder)} is not in one")
            raise GitError(f"{option}: git failed in {display_path(folder)}: {error[0] if error else 'no reason given'}")
        top, prefix, merge_head = (lines + ["", ""])[:3]
        found = lines[3].strip() or None if upstream and done.returncode == 0 else None
        return cls(Path(top), prefix, option, os.path.join(cwd, merge_head) if merge_head else "", found, upstream)

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

    def index(self) -> dict[str, str]:
        """path -> blob id of the files under the folder in the index (what is staged)."""
        done = self._run(["ls-files", "-s", "-z", "--full-name", *self._pathspec()], check=True)
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
        done = _git(args, self.top, self.option, input=input)
        if check and done.returncode != 0:
            error = done.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(f"{self.option}: git {args[0]} failed: {error[0] if error else 'no reason given'}")
        return done


def _git(args: list[str], cwd: Path, option: str, *, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    # Literal pathspecs: a folder name with [ or * in it means itself.
    command = ["git", "--literal-pathspecs", "-c", "core.quotepath=off", *args]
    try:
        return subprocess.run(command, cwd=cwd, input=input, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError(f"{option} needs git, and no git command was found on PATH") from None
    except NotADirectoryError:
        raise GitError(f"{option}: {cwd} is not a folder") from None


def _records(output: bytes) -> list[str]:
    return [r for r in output.decode("utf-8", errors="surrogateescape").split("\0") if r]
