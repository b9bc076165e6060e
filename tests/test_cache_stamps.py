"""File stamps in the result cache (docs/cache.md, "Stamps"): a warm run trusts a file's size,
mtime, ctime and inode instead of reading it, and never where that could hide an edit.

Every test lints real files through the CLI, and compares a warm run with a cold one after the
change that the stamp must not hide.
"""

from __future__ import annotations

import cProfile
import os
import pstats
from pathlib import Path

import pytest
from click.testing import CliRunner

import migralint.cache
from migralint.cache import Store, pack_stamps
from migralint.cli import main
from tests.test_cache import FOLDER, make_project

MIGRATIONS = {
    "1_init": 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT, "age" INTEGER);\n',
    "2_index": '-- ☕ é\nCREATE INDEX "User_email_idx" ON "User"("email");\n',
    "3_alter": 'ALTER TABLE "User" ALTER COLUMN "email" TYPE VARCHAR(100);\n',
}
# The same length in bytes as 2_index, with other findings (CONCURRENTLY, inside Prisma's transaction).
SAME_SIZE_EDIT = '-- ☕\nCREATE INDEX CONCURRENTLY "Uei" ON "User"("email"); \n'


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    assert len(SAME_SIZE_EDIT.encode()) == len(MIGRATIONS["2_index"].encode())
    return make_project(tmp_path, monkeypatch, MIGRATIONS)


def lint(*args: str, cache: bool = True, fmt: str = "json") -> tuple[int, str]:
    options = ["--cache-dir", "cache"] if cache else ["--no-cache"]
    result = CliRunner().invoke(main, ["lint", "--format", fmt, "--jobs", "1", *options, *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout


def reads(*args: str, fmt: str = "json") -> tuple[int, tuple[int, str]]:
    """How many migrations a run reads (folder_lint's _read_raw for keys and lints, DeferredTexts'
    _load for snippets; counted by the profiler), and its output."""
    profile = cProfile.Profile()
    profile.enable()
    output = lint(*args, fmt=fmt)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    count = sum(calls for (filename, _, name), (calls, *_) in stats.items()
                if (name, Path(filename).name) in (("_read_raw", "folder_lint.py"), ("_load", "source.py")))
    return count, output


def stamped(project: Path) -> set[str]:
    """The paths the cache holds a stamp for."""
    store = Store(project / "cache")
    return {path for pack in (project / "cache").rglob("*.pack") for path in pack_stamps(store.load_pack(pack))}


def edit_keeping_size_and_mtime(path: Path, text: str) -> None:
    before = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `cp -p`, `rsync -t`, `tar x` do
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_a_file_changed_within_two_seconds_of_a_run_is_never_trusted(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written and linted at once (the granularity window): no stamp is kept, so an edit of the
    same size with the mtime put back is read and linted, however coarse the file system's clock."""
    # The files were just written; a window far wider than RACY_NS keeps that true on a slow machine.
    monkeypatch.setattr(migralint.cache, "RACY_NS", 10**15)
    first = lint(FOLDER)
    assert stamped(project) == set()
    edit_keeping_size_and_mtime(project / FOLDER / "2_index" / "migration.sql", SAME_SIZE_EDIT)
    cold, warm = lint(FOLDER, cache=False), lint(FOLDER)
    assert warm == cold and warm != first


def test_a_settled_file_is_trusted_and_an_edit_that_keeps_its_size_and_mtime_is_still_caught(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The files are as old as a real project's: nothing changed them in the last RACY_NS.
    monkeypatch.setattr(migralint.cache, "RACY_NS", -10**18)
    first = lint(FOLDER)
    assert len(stamped(project)) == len(MIGRATIONS)
    count, warm = reads(FOLDER)
    assert count == 0 and warm == first  # a warm JSON run reads no migration
    edit_keeping_size_and_mtime(project / FOLDER / "2_index" / "migration.sql", SAME_SIZE_EDIT)
    # The ctime moved (nothing can set it back), so the stamp no longer matches: read, and re-linted.
    count, warm = reads(FOLDER)
    assert count >= 1  # the edited file, and what its new chain needs replayed or linted again
    assert warm == lint(FOLDER, cache=False) and warm != first


def test_a_file_replaced_by_another_of_the_same_size_and_mtime_is_caught(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor that saves by writing a new file and renaming it over the old one."""
    monkeypatch.setattr(migralint.cache, "RACY_NS", -10**18)
    first = lint(FOLDER)
    path = project / FOLDER / "2_index" / "migration.sql"
    before = path.stat()
    replacement = path.with_name("migration.sql.new")
    replacement.write_text(SAME_SIZE_EDIT, encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, path)
    assert lint(FOLDER) == lint(FOLDER, cache=False) != first


def test_snippets_of_files_the_cache_did_not_read_are_the_files_text(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migralint.cache, "RACY_NS", -10**18)
    cold = lint(FOLDER, cache=False, fmt="text")
    assert '2 | CREATE INDEX "User_email_idx"' in cold[1]  # a snippet, from the file's text
    lint(FOLDER, fmt="text")
    count, warm = reads(FOLDER, fmt="text")
    assert warm == cold
    assert count == 2  # only the files whose findings show a snippet: 1_init has none
    for fmt in ("sarif", "gitlab", "concise"):  # fingerprints read the text too
        assert lint(FOLDER, fmt=fmt) == lint(FOLDER, cache=False, fmt=fmt)


def test_a_stamp_is_kept_once_the_file_settles(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migralint.cache, "RACY_NS", 10**15)  # just written, however slow the machine
    lint(FOLDER)
    assert stamped(project) == set()
    # What the next run after two quiet seconds sees, without waiting for them: every result is
    # a hit, and the pack is written again for the stamps alone.
    monkeypatch.setattr(migralint.cache, "RACY_NS", -10**18)
    count, _ = reads(FOLDER)
    assert count == len(MIGRATIONS)
    assert {Path(p).parent.name for p in stamped(project)} == set(MIGRATIONS)
    assert reads(FOLDER)[0] == 0


def test_a_run_that_changes_nothing_writes_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migralint.cache, "RACY_NS", -10**18)
    lint(FOLDER)
    entries = {path: path.stat().st_ino for path in (project / "cache").rglob("*") if path.is_file()}
    assert any(path.suffix == ".pack" for path in entries)
    assert lint(FOLDER) == lint(FOLDER, cache=False)
    # An entry is written to a new file renamed into place: a rewrite would show as a new inode.
    assert {path: path.stat().st_ino for path in (project / "cache").rglob("*") if path.is_file()} == entries
