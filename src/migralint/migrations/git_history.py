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

from pathlib import Path
from typing import TYPE_CHECKING

from migralint.frozen import Value, set_field
from migralint.migrations.git_repository import GitError as GitError, GitRepository, stop
from migralint.migrations.layouts import RunnerMode
from migralint.migrations.history import AppliedState, HistoryEvent, HistoryProblem, Runner
from migralint.migrations.layouts import Layout, MigrationFile, classify
from migralint.source import read_bytes

if TYPE_CHECKING:
    # mypy checks these as the frozen dataclasses they behave as (see migralint/frozen.py).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value

_HEAD_BYTES = 4096


@frozen_value(frozen=True)
class GitSource(Value):
    """Migrations present at `ref` are applied; with `staged`, the index is what is compared."""

    __slots__ = ("ref", "staged")
    ref: str | None  # None with `staged`: the upstream, found per repository
    staged: bool

    def __init__(self, ref: str | None = None, staged: bool = False) -> None:
        set_field(self, "ref", ref)
        set_field(self, "staged", staged)

    @property
    def option(self) -> str:
        return "--staged" if self.staged else f"--since {self.ref}"

    @property
    def added(self) -> str:
        """Which migrations are pending, in words."""
        return "staged that the upstream (with none, HEAD) lacks" if self.staged else f"added since {self.ref}"

    def read(self, root: Path, migrations: list[MigrationFile]) -> AppliedState:
        repo = GitRepository.containing(root, self.option, upstream=self.staged and not self.ref)
        if self.staged:
            commit, against = repo.pushed(self.ref)
        else:
            commit, against = repo.commit(self.ref or "HEAD"), self.ref or "HEAD"
        mine = {_relative(m.path, root): m for m in migrations}
        # What the folder holds now: the index with --staged (its git process runs while
        # ls-tree's does), the working tree otherwise.
        started = repo.start_index() if self.staged else None
        try:
            tree = repo.tree(commit) if commit else {}
            layouts = {m.layout for m in migrations} or _layouts_in(root, tree)
            at_ref = _migrations_in(tree, layouts)
            staged = repo.index(started) if started is not None else None
        except BaseException:
            if started is not None and started.returncode is None:
                stop(started)  # ls-tree failed (or Ctrl-C): no git process is left behind
            raise
        index = None
        if staged is not None:
            index = {p: oid for p, oid in staged.items() if p in mine or _could_be_migration(p, layouts)}
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
                if path in at_base and _same_lines(contents[at_base[path]], text):
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
        repo: GitRepository, root: Path, index: dict[str, str], added: list[str], mine: dict[str, MigrationFile]
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
        from migralint.migrations.changes import describe_changes  # an edit only: difflib stays unloaded

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
        from migralint.migrations.changes import renamed_to  # a deletion only

        renamed = renamed_to(migration.name, old, {p: mine.get(p) for p in added}, added)
        target = mine.get(renamed) if renamed is not None else None
        return HistoryProblem(
            HistoryEvent.DELETED, Runner.GIT, root / path, migration.name, 1, since=against, staged=self.staged,
            renamed_to=root / renamed if renamed is not None else None,
            renamed_name=(target.name if target else renamed) if renamed is not None else "",
        )


def _same_lines(old: bytes, new: bytes) -> bool:
    from migralint.migrations.changes import lines  # only for a file changed since a merge base

    return lines(old) == lines(new)


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
    import hashlib  # --since only (--staged reads the index's ids): OpenSSL's bindings cost 5-15 ms to load

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
