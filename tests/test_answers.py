"""Whole-run answers (answers.py): a second identical run is answered from the cache, and every
change a run depends on gives exactly what a run without the cache gives.

Real git repositories with a bare remote, real files, the real command as a subprocess through
its launcher. An answer is stored only when no input changed within 2 s of the run (the racy
window), so the projects are built first, once, and the module waits out the window once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from migralint.answers import RACY_NS
from tests.answers_project import ADD_COLUMN, Project, git
from tests.pg import Database

# Each test gets its own project, built before the window is waited out.
_PROJECTS = {
    "hit": {}, "edit": {}, "add": {}, "delete": {}, "rename": {}, "stage": {}, "unstage": {}, "commit": {},
    "fetch": {"committed": True}, "switch": {"branch": True}, "config_edit": {}, "config_new": {"config": None}, "env": {}, "argv": {},
    "cwd": {}, "worktree": {"worktree": True}, "corrupt": {}, "concurrent": {}, "not_eligible": {}, "default_dir": {},
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Project]:
    root = tmp_path_factory.mktemp("answers")
    built = {name: Project(root / name, **options) for name, options in _PROJECTS.items()}  # type: ignore[arg-type]
    time.sleep(RACY_NS / 1e9 + 0.2)
    return built


def stale_after(project: Project, args: tuple[str, ...], change: Callable[[], None], *, differs: bool = True,
                cwd: Path | None = None) -> None:
    """An answer is stored and used; after `change` the run gives what a run without the cache gives."""
    first = project.run(*args, cwd=cwd)
    assert first.stored, first.trace
    second = project.run(*args, cwd=cwd)
    assert second.answered and second.output == first.output
    change()
    after = project.run(*args, cwd=cwd)
    assert not after.answered, after.trace
    assert after.output == project.cold(*args, cwd=cwd).output
    if differs:
        assert after.output != first.output  # the change matters: a stale answer would have been caught


JSON = ("lint", "--format", "json")
STAGED = ("lint", "--staged")


def test_a_second_identical_run_is_answered_before_click_loads(projects: dict[str, Project]) -> None:
    project = projects["hit"]
    first = project.run(*JSON)
    assert first.stored and len(project.answers()) == 1
    assert first.code == 1 and b"require-concurrent-index-creation" in first.stdout
    second = project.run(*JSON, python=("-X", "importtime"))
    assert second.answered
    imported = [line.rsplit(b"|", 1)[-1].strip() for line in second.stderr.splitlines() if line.startswith(b"import time")]
    assert b"migralint.answers" in imported
    assert not {b"click", b"pglast", b"migralint.api", b"migralint.cli"} & set(imported)
    without_imports = b"".join(line + b"\n" for line in second.stderr.splitlines() if not line.startswith(b"import time"))
    assert (second.stdout, without_imports, second.code) == first.output == project.cold(*JSON).output


def test_an_edit_of_the_same_size_with_the_mtime_put_back(projects: dict[str, Project]) -> None:
    project = projects["edit"]
    path = project.migrations / "20240102000000_index" / "migration.sql"

    def edit() -> None:
        before = os.stat(path)
        text = path.read_text()
        path.write_text(text.replace("User_email_idx", "User_xmail_idx"))
        assert os.path.getsize(path) == before.st_size
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    stale_after(project, JSON, edit)


def test_a_migration_folder_added(projects: dict[str, Project]) -> None:
    project = projects["add"]
    stale_after(project, JSON, lambda: project.write("20240103000000_age", ADD_COLUMN) and None)


def test_a_migration_folder_deleted(projects: dict[str, Project]) -> None:
    project = projects["delete"]
    stale_after(project, JSON, lambda: project.remove("20240102000000_index"))


def test_a_migration_folder_renamed(projects: dict[str, Project]) -> None:
    project = projects["rename"]
    old = project.migrations / "20240102000000_index"
    stale_after(project, JSON, lambda: old.rename(old.with_name("20240102000000_email_index")) and None)


def test_a_new_file_staged(projects: dict[str, Project]) -> None:
    project = projects["stage"]

    def stage() -> None:
        project.write("20240103000000_age", ADD_COLUMN)
        git(project.work, "add", "-A")

    stale_after(project, STAGED, stage)


def test_a_file_unstaged(projects: dict[str, Project]) -> None:
    project = projects["unstage"]
    stale_after(project, STAGED, lambda: git(project.work, "reset", "-q") and None)


def test_a_commit(projects: dict[str, Project]) -> None:
    project = projects["commit"]
    stale_after(project, STAGED, lambda: git(project.work, "commit", "-q", "-m", "index") and None)


def test_the_upstream_moved_by_a_fetch_after_someone_else_pushed(projects: dict[str, Project]) -> None:
    project = projects["fetch"]  # the new migration is committed here, not pushed: it is linted

    def someone_else_pushes() -> None:
        other = project.root / "other"
        git(project.root, "clone", "-q", str(project.root / "origin.git"), str(other))
        git(other, "fetch", "-q", str(project.work), "main")  # they push our commit for us
        git(other, "push", "-q", "origin", "FETCH_HEAD:main")
        git(project.work, "fetch", "-q")  # only refs/remotes/origin/main moves: HEAD, index and files stay

    stale_after(project, STAGED, someone_else_pushes)


def test_a_branch_switched(projects: dict[str, Project]) -> None:
    project = projects["switch"]
    since_main = ("lint", "--since", "main", "--format", "json")
    stale_after(project, since_main, lambda: git(project.work, "switch", "-q", "feature") and None)


def test_a_worktree_whose_git_is_a_file(projects: dict[str, Project]) -> None:
    project = projects["worktree"]
    worktree = project.root / "wt"
    assert (worktree / ".git").is_file()
    stale_after(project, STAGED, lambda: git(worktree, "reset", "-q") and None, cwd=worktree)


def test_the_config_edited(projects: dict[str, Project]) -> None:
    project = projects["config_edit"]
    config = project.work / "migralint.toml"
    stale_after(project, JSON, lambda: config.write_text('ignore = ["require-concurrent-index-creation"]\n') and None)


def test_a_config_created_where_there_was_none(projects: dict[str, Project]) -> None:
    project = projects["config_new"]
    config = project.work / "prisma" / "migralint.toml"  # found from prisma/, where the run starts
    stale_after(project, JSON, lambda: config.write_text('ignore = ["require-concurrent-index-creation"]\n') and None,
                cwd=project.work / "prisma")


def test_an_environment_variable_migralint_reads(projects: dict[str, Project]) -> None:
    project = projects["env"]
    text = ("lint",)
    plain = project.run(*text)
    assert plain.stored
    on_github = project.run(*text, GITHUB_ACTIONS="true")
    assert not on_github.answered and on_github.stdout.startswith(b"::")
    assert on_github.output == project.cold(*text, GITHUB_ACTIONS="true").output
    assert project.run(*text, GITHUB_ACTIONS="true").answered
    assert project.run(*text).output == plain.output


def test_argv_order_and_options(projects: dict[str, Project]) -> None:
    project = projects["argv"]
    one = ("lint", "--format", "json", "prisma/migrations")
    other = ("lint", "prisma/migrations", "--format", "json")
    concise = ("lint", "prisma/migrations", "--format", "concise")
    for args in (one, other, concise):
        assert project.run(*args).stored
    for args in (one, other, concise):
        run = project.run(*args)
        assert run.answered and run.output == project.cold(*args).output
    assert project.run(*one).stdout != project.run(*concise).stdout


def test_another_working_directory(projects: dict[str, Project]) -> None:
    project = projects["cwd"]
    assert project.run(*JSON).stored
    below = project.run(*JSON, cwd=project.migrations)
    assert not below.answered
    assert below.output == project.cold(*JSON, cwd=project.migrations).output
    assert below.stdout != project.run(*JSON).stdout  # paths are shown relative to the working directory


def test_a_corrupt_or_truncated_answer_is_a_miss(projects: dict[str, Project]) -> None:
    project = projects["corrupt"]
    assert project.run(*JSON).stored
    [answer] = project.answers()
    whole = answer.read_bytes()
    for damaged in (whole[: len(whole) // 2], whole[:-1] + bytes([whole[-1] ^ 1]), b"", b"migralint-answer 0\n" + whole[19:]):
        answer.write_bytes(damaged)
        run = project.run(*JSON)
        assert not run.answered and run.stored
        assert run.output == project.cold(*JSON).output
    assert project.run(*JSON).answered


def test_runs_that_are_never_answered(projects: dict[str, Project]) -> None:
    project = projects["not_eligible"]
    report = project.root / "report.json"
    for args in (("lint", "--format", "json", "--output", str(report)), ("lint", "--no-cache"), ("lint", "--fix")):
        for _ in range(2):
            run = project.run(*args)
            assert not run.answered and not run.stored
    # GitLab's report file is written by a run without --format: a side effect an answer would skip.
    for _ in range(2):
        run = project.run("lint", GITLAB_CI="true")
        assert not run.answered and not run.stored
        assert any("writes" in line for line in run.trace)
    assert (project.work / "gl-code-quality-report.json").is_file()
    # A file changed within the racy window: a second change within the same tick would keep its stamp.
    project.write("20240103000000_age", ADD_COLUMN)
    young = project.run(*JSON)
    assert not young.stored and any("within 2 s" in line for line in young.trace)
    assert not project.run(*JSON).answered


def test_the_default_folder_in_the_project_root(projects: dict[str, Project]) -> None:
    project = projects["default_dir"]
    first = project.run(*JSON, MIGRALINT_CACHE_DIR="")
    # Creating .migralint_cache changed the project root during the run: nothing stored yet.
    assert not first.stored
    time.sleep(RACY_NS / 1e9 + 0.2)
    assert project.run(*JSON, MIGRALINT_CACHE_DIR="").stored
    second = project.run(*JSON, MIGRALINT_CACHE_DIR="")
    assert second.answered and second.output == first.output
    assert list((project.work / ".migralint_cache" / "answers").glob("*.answer"))
    # A config's cache-dir is a folder the launcher does not look in: never stored there.
    (project.work / "migralint.toml").write_text('cache-dir = "elsewhere"\n')
    time.sleep(RACY_NS / 1e9 + 0.2)
    for _ in range(2):
        run = project.run(*JSON, MIGRALINT_CACHE_DIR="")
        assert not run.stored and not run.answered


def test_a_run_that_reads_a_database_is_never_answered(tmp_path: Path, database: Database) -> None:
    # The URL found as `apply` finds it (prisma/.env), not given on the command line.
    project = Project(tmp_path / "db")
    (project.work / "prisma" / ".env").write_text(f'DATABASE_URL="{database.url}"\n')
    time.sleep(RACY_NS / 1e9 + 0.2)
    for _ in range(2):
        run = project.run(*JSON)
        assert b"count as applied" in run.stderr  # the note: the database was read
        assert not run.answered and not run.stored
        assert any("database" in line for line in run.trace)


_WATCHING = """
import os, sys
from migralint import answer_recorder
from migralint.answer_recorder import Recorder
recorder = Recorder("key", sys.argv[1])
recorder.start()
seen = [os.lstat(sys.argv[2]).st_ino]
with open(sys.argv[3], "rb"):
    pass
answer_recorder.refuse("reads a database")
os.lstat(sys.argv[4])
with open(sys.argv[5], "rb"):
    pass
os.write(1, repr(sorted(recorder.inputs.items())).encode())
"""


def test_inputs_are_stamped_as_they_are_touched_until_the_run_is_refused(tmp_path: Path) -> None:
    """A file looked at with lstat is stamped from what that lstat said (one call, not two); once
    a run is refused (a database, a forked worker) nothing of it is stored, and nothing more is
    stamped, in the parent or in a forked child."""
    import subprocess
    import sys

    from migralint.answers import stamp

    paths = [tmp_path / name for name in ("looked", "read", "looked-after", "read-after")]
    for path in paths:
        path.write_text(path.name)
    done = subprocess.run([sys.executable, "-c", _WATCHING, str(tmp_path / "cache"), *map(str, paths)],
                          capture_output=True, text=True, check=True)
    assert done.stdout == repr([(str(paths[0]), (False, stamp(str(paths[0]), False))),
                                (str(paths[1]), (True, stamp(str(paths[1]))))])


_STAT_WATCHED = """
import json, os, sys
from migralint.answer_recorder import Recorder
real = {name: getattr(os, name) for name in ("stat", "lstat", "access")}
def said(call, path):
    try:
        found = call(path)
    except OSError as error:
        return type(error).__name__
    return [found.st_mode, found.st_ino, found.st_size]
paths = sys.argv[2:]
before = [said(os.stat, path) for path in paths]
recorder = Recorder("key", sys.argv[1])
recorder.start()
watched = [said(os.stat, path) for path in paths]
wrapped = all(getattr(os, name) is not real[name] for name in real)
noted = sorted(recorder.inputs)
from migralint.answers import stamp
stamps_as_at_the_end = all(recorder.inputs[os.path.normpath(path)] == (False, stamp(os.path.normpath(path), False))
                           for path in paths)
print("kept before the refusal")
recorder.refused = "workers forked"
print("not kept after it")
sys.stdout.flush()
unwrapped = all(getattr(os, name) is real[name] for name in real)
os.write(2, json.dumps([before, watched, wrapped, unwrapped, noted, recorder.refused,
                        [chunk.decode() for _, chunk in recorder.chunks], stamps_as_at_the_end]).encode())
"""


def test_stat_under_watch_says_what_stat_says_and_a_refused_run_is_no_longer_watched(tmp_path: Path) -> None:
    """The watched os.stat answers from one lstat() unless the path is a symlink: a file, a link to
    one, a dangling link, a missing path and a link to a folder named with a final "/" (looked up
    through the link) give what the real stat gives, and each is noted with the stamp the end of
    the run will take again. Once the run is refused, the real os functions are back and its
    output is no longer kept."""
    import json
    import subprocess
    import sys

    (tmp_path / "file").write_text("x" * 7)
    (tmp_path / "other").write_text("y" * 3)
    (tmp_path / "link").symlink_to(tmp_path / "other")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    (tmp_path / "folder").mkdir()
    (tmp_path / "to-folder").symlink_to(tmp_path / "folder")
    # str + "/", not tmp_path / "to-folder/": pathlib drops a final "/".
    paths = [*(str(tmp_path / name) for name in ("file", "link", "dangling", "missing")), f"{tmp_path / 'to-folder'}/"]
    done = subprocess.run([sys.executable, "-c", _STAT_WATCHED, str(tmp_path / "cache"), *paths],
                          capture_output=True, text=True, check=True)
    before, watched, wrapped, unwrapped, noted, refused, kept, stamps_as_at_the_end = json.loads(done.stderr)
    assert watched == before
    assert before[1][2] == 3 and before[2] == before[3] == "FileNotFoundError"  # the link's target; the errors
    assert before[4][1] == (tmp_path / "folder").stat().st_ino  # "to-folder/": the folder, through the link
    assert wrapped and unwrapped
    assert noted == sorted(path.rstrip("/") for path in paths) and stamps_as_at_the_end
    assert refused == "workers forked"
    assert kept == [] and done.stdout == "kept before the refusal\nnot kept after it\n"
