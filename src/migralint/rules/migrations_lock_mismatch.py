from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from migralint.findings import Finding, Severity
from migralint.migrations.lockfile import LOCK_NAME, LockProblem
from migralint.migrations.versions import rename_help, split_name
from migralint.rules.base import HistoryRule

if TYPE_CHECKING:
    from migralint.linter.history_context import HistoryContext

_RELOCK = "run `migralint lock` and commit migrations.lock"


class MigrationsLockMismatch(HistoryRule):
    name = "migrations-lock-mismatch"
    severity = Severity.ERROR
    summary = (
        "A migration differs from what migrations.lock recorded: edited, deleted, or inserted "
        "before the last locked one; or the lock file itself was edited by hand."
    )
    why = (
        "`migralint lock` writes `migrations.lock` beside the migrations: each migration's sha256 "
        "in apply order, chained. Once a migration is committed and locked, databases apply it as it "
        "was; an edit afterwards is never applied where it already ran, a deleted migration leaves "
        "its changes in old databases but not in new ones, and a migration added before the last "
        "locked one runs out of order. The lock file catches these with no git history and no "
        "database. New migrations after the last locked one are fine: they are pending, and "
        "`migralint lock` adds them when they are committed (`migralint lock --check` in CI makes "
        "sure it was run). Because every branch that adds a migration appends to the same file, two "
        "branches that add migrations in parallel conflict in git when merged, instead of landing "
        "side by side unnoticed. Being listed in the lock file does not make a migration applied."
    )
    bad = (
        "migrations.lock:  20240101000000_init 9f2c...  (the hash when it was committed)\n"
        "prisma/migrations/20240101000000_init/migration.sql    edited since: its hash is now 41d7..."
    )
    good = (
        "migrations.lock:  20240101000000_init 9f2c...\n"
        "prisma/migrations/20240101000000_init/migration.sql    unchanged\n"
        "prisma/migrations/20240110090000_add_user_phone/       new: pending, locked when committed"
    )
    references = (
        "https://atlasgo.io/concepts/migration-directory-integrity",
    )

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        lock = ctx.files.lock
        if lock is None:
            return
        by_name = {m.name: m for m in ctx.migrations if not m.rollback}
        taken = {parts.version for m in by_name.values() if (parts := split_name(m)) is not None}
        for problem in ctx.files.lock_problems:
            if problem.kind == "edited" and problem.path is not None:
                yield ctx.finding(
                    self,
                    problem.path,
                    f"{problem.name} was edited after it was locked (migrations.lock line {problem.line} "
                    f"has sha256 {problem.detail[:12]}...): databases that applied it keep the old version.",
                    help="Undo the edit and make the change in a new migration; "
                    f"if no database has applied it yet, {_RELOCK}.",
                )
            elif problem.kind == "inserted" and problem.path is not None:
                last = by_name.get(problem.detail)
                help, version = (
                    rename_help(by_name[problem.name], last, taken, reason=f"so that it sorts after {last.name}",
                                listing=ctx.files.listing)
                    if last is not None and problem.name in by_name
                    else (f"Rename it so that it sorts after {problem.detail}.", None)
                )
                if version:
                    taken.add(version)
                yield ctx.finding(
                    self,
                    problem.path,
                    f"{problem.name} is not in {LOCK_NAME} but sorts before {problem.detail}, the last locked "
                    "migration: databases that ran the locked ones apply it out of order, or never.",
                    help=help + f"\nThen {_RELOCK}.",
                )
            else:
                message, help = self._lock_file_problem(problem)
                yield ctx.finding(self, lock, message, help=help, line=problem.line)

    def _lock_file_problem(self, problem: LockProblem) -> tuple[str, str]:
        """The message and help of a problem found in the lock file itself."""
        if problem.kind == "deleted":
            message = (
                f"{LOCK_NAME} lists {problem.name}, which is gone from the folder: databases that applied it "
                "keep its changes, new ones will not get them."
            )
            help = (
                "Restore the migration (git log --diff-filter=D names the commit); "
                f"if no database ever applied it, {_RELOCK}."
            )
        elif problem.kind == "chain":
            message = (
                f"the chained hash of {problem.name} does not follow from the lines before it: "
                f"{LOCK_NAME} was edited by hand."
            )
            help = f"Take {LOCK_NAME} from the main branch, check that no locked migration changed, then {_RELOCK}."
        elif problem.kind == "conflict":
            message = f"{LOCK_NAME} holds git conflict markers: two branches each added migrations."
            help = (
                "Take the main branch's lock file, rename this branch's new migrations to sort after "
                f"main's newest, then {_RELOCK}."
            )
        else:
            message, help = f"{LOCK_NAME} cannot be used: {problem.detail}.", f"Write it again: {_RELOCK}."
        return message, help
