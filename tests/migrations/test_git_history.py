"""Git as the source of truth (`lint --since REF`, `lint --staged`), on real temporary repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.migrations.changes import lines

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
LOCK = 'provider = "postgresql"\n'
INIT = 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT);\n'
# unsafe, and applied: only linted when it is pending
SECOND = "-- ☕ é\nSET lock_timeout = '5s';\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n"
UNSAFE = "SET lock_timeout = '5s';\nCREATE INDEX \"User_id_idx\" ON \"User\"(\"id\");\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit_all(repo: Path, message: str = "c") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def lint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", "--format", "concise", *args])
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose migrations live in a subfolder, with two committed migrations."""
    repo = tmp_path / "repo"
    folder = repo / "apps" / "web" / "prisma" / "migrations"
    write(folder / "migration_lock.toml", LOCK)
    write(folder / "20240101000000_init" / "migration.sql", INIT)
    write(folder / "20240102000000_name" / "migration.sql", SECOND)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo)
    monkeypatch.chdir(repo)
    return repo


FOLDER = "apps/web/prisma/migrations"
INIT_FILE = f"{FOLDER}/20240101000000_init/migration.sql"
SECOND_FILE = f"{FOLDER}/20240102000000_name/migration.sql"


def test_nothing_changed_lints_nothing_and_passes(repo: Path) -> None:
    code, out, err = lint("--since", "main", FOLDER)
    assert (code, out) == (0, "")
    assert err == "migralint: nothing to lint: no migration added since main\n"


def test_only_migrations_added_since_are_linted(repo: Path) -> None:
    # the applied SECOND has an unsafe CREATE INDEX: history, not reported; the new one is
    write(repo / FOLDER / "20240103000000_id_index" / "migration.sql", UNSAFE)
    code, out, _ = lint("--since", "main", FOLDER)
    assert code == 1
    assert out == (
        f"{FOLDER}/20240103000000_id_index/migration.sql:2:1: error[require-concurrent-index-creation] "
        'CREATE INDEX takes SHARE on "User": INSERT, UPDATE and DELETE wait until the index is built.\n'
    )
    # without --since every file is linted, the old one included
    code, out, _ = lint(FOLDER)
    assert f"{SECOND_FILE}:3:1: error[require-concurrent-index-creation]" in out


def test_pending_migration_sees_the_applied_schema(repo: Path) -> None:
    # "User" is created by an applied migration: it holds rows, so the lock rules apply;
    # a table created by a pending migration holds none
    write(repo / FOLDER / "20240103000000_post" / "migration.sql", 'CREATE TABLE "Post" ("id" TEXT);\n')
    write(repo / FOLDER / "20240104000000_post_index" / "migration.sql",
          "SET lock_timeout = '5s';\nCREATE INDEX \"Post_id_idx\" ON \"Post\"(\"id\");\n")
    code, out, _ = lint("--since", "main", FOLDER)
    assert (code, out) == (0, "")


def test_edit_of_an_applied_migration(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo / SECOND_FILE, SECOND.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY"))
    code, out, _ = lint("--since", "main", FOLDER)
    assert code == 1
    assert out == (
        f"{SECOND_FILE}:3:1: error[edited-applied-migration] applied migration 20240102000000_name was edited since "
        "main: line 3 differs; the database ran the old version and will never run this one\n"
    )
    # from anywhere: the repository is the one around the folder, not the working directory's
    monkeypatch.chdir(tmp_path)
    code, out, _ = lint("--since", "main", "--format", "text", str(repo / FOLDER))
    assert code == 1
    assert f"`git checkout main -- repo/{SECOND_FILE}`" in out


def test_committed_edit_is_an_edit_too(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    write(repo / INIT_FILE, INIT + "-- reviewed\n\n")
    commit_all(repo)
    code, out, _ = lint("--since", base[:10], FOLDER)
    assert code == 1
    assert out.startswith(f"{INIT_FILE}:2:1: error[edited-applied-migration]")
    assert f"was edited since {base[:10]}: lines 2-3 differ;" in out


def test_line_endings_are_not_an_edit(repo: Path) -> None:
    write(repo / INIT_FILE, INIT.replace("\n", "\r\n"))
    write(repo / SECOND_FILE, SECOND.replace("\n", "\r\n"))
    assert lint("--since", "main", FOLDER)[:2] == (0, "")
    git(repo, "add", "-A")
    assert lint("--staged", FOLDER)[:2] == (0, "")
    commit_all(repo)
    assert lint("--since", "HEAD~1", FOLDER)[:2] == (0, "")
    # a real change next to the line endings still is one
    write(repo / INIT_FILE, INIT.replace("\n", "\r\n").replace("TEXT)", "TEXT NOT NULL)"))
    code, out, _ = lint("--since", "HEAD~1", FOLDER)
    assert out.startswith(f"{INIT_FILE}:1:1: error[edited-applied-migration]")


def test_deleted_and_renamed_migrations(repo: Path) -> None:
    shutil.rmtree(repo / FOLDER / "20240101000000_init")
    (repo / FOLDER / "20240102000000_name").rename(repo / FOLDER / "20240105000000_name")
    code, out, _ = lint("--since", "main", "--format", "text", FOLDER)
    assert code == 1
    assert (f"{INIT_FILE}:1:1: error[deleted-applied-migration] applied migration 20240101000000_init was deleted "
            "(it exists at main)") in out
    assert (f"{SECOND_FILE}:1:1: error[deleted-applied-migration] applied migration 20240102000000_name was renamed "
            f"to 20240105000000_name ({FOLDER}/20240105000000_name/migration.sql)") in out
    assert f"help: Restore it (`git checkout main -- {INIT_FILE}`)" in out
    # the renamed one is new to the runner: it is pending, so it is linted too
    assert f"{FOLDER}/20240105000000_name/migration.sql:3:1: error[require-concurrent-index-creation]" in out
    assert out.count("deleted-applied-migration]") == 2


def test_renamed_and_edited_is_still_a_rename(repo: Path) -> None:
    old = repo / FOLDER / "20240101000000_init"
    new = repo / FOLDER / "20240110000000_init"
    old.rename(new)
    write(new / "migration.sql", INIT + "-- moved\n")
    _, out, _ = lint("--since", "main", FOLDER)
    assert "was renamed to 20240110000000_init" in out


def test_a_branch_behind_ref_is_not_blamed_for_what_ref_gained(repo: Path) -> None:
    git(repo, "branch", "feature")
    write(repo / FOLDER / "20240103000000_on_main" / "migration.sql", INIT.replace("User", "Team"))
    write(repo / INIT_FILE, INIT + "-- edited on main after the branch forked\n")
    commit_all(repo)
    git(repo, "checkout", "-q", "feature")
    write(repo / FOLDER / "20240104000000_on_feature" / "migration.sql", UNSAFE)
    code, out, _ = lint("--since", "main", FOLDER)
    # 20240103000000_on_main is missing and INIT differs, but the branch did neither
    assert out.splitlines() == [
        f"{FOLDER}/20240104000000_on_feature/migration.sql:2:1: error[require-concurrent-index-creation] "
        'CREATE INDEX takes SHARE on "User": INSERT, UPDATE and DELETE wait until the index is built.'
    ]
    (repo / SECOND_FILE).unlink()
    write(repo / INIT_FILE, INIT.replace("TEXT)", "TEXT NOT NULL)"))
    _, out, _ = lint("--since", "main", FOLDER)
    assert f"{SECOND_FILE}:1:1: error[deleted-applied-migration]" in out
    assert f"{INIT_FILE}:1:1: error[edited-applied-migration]" in out
    assert "20240103000000_on_main" not in out


def test_staged_edit_is_stopped_and_unstaged_edits_are_not_looked_at(repo: Path) -> None:
    write(repo / INIT_FILE, INIT.replace('"email" TEXT', '"email" TEXT NOT NULL'))
    code, out, _ = lint("--staged", FOLDER)
    assert (code, out) == (0, "")  # edited in the working tree only: not part of the commit
    git(repo, "add", INIT_FILE)
    write(repo / INIT_FILE, INIT)  # the working tree put back; the index still holds the edit
    code, out, _ = lint("--staged", FOLDER)
    assert code == 1
    assert out == (
        f"{INIT_FILE}:1:1: error[edited-applied-migration] applied migration 20240101000000_init has a staged "
        "edit (against HEAD): line 1 differs; the database ran the old version and will never run this one\n"
    )


def test_staged_new_migration_is_linted_and_a_staged_deletion_reported(repo: Path) -> None:
    write(repo / FOLDER / "20240103000000_id_index" / "migration.sql", UNSAFE)
    git(repo, "add", "-A")
    git(repo, "rm", "-q", "--cached", SECOND_FILE)
    code, out, _ = lint("--staged", f"{FOLDER}/20240103000000_id_index/migration.sql")
    assert code == 1
    assert out.splitlines() == [
        f"{FOLDER}/20240103000000_id_index/migration.sql:2:1: error[require-concurrent-index-creation] "
        'CREATE INDEX takes SHARE on "User": INSERT, UPDATE and DELETE wait until the index is built.',
        f"{SECOND_FILE}:1:1: error[deleted-applied-migration] applied migration 20240102000000_name was deleted "
        "(its deletion is staged): the database still has its changes, and the runner finds an applied "
        "migration missing",
    ]


def test_staged_in_a_repository_with_no_commit_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "prisma" / "migrations" / "20240101000000_a" / "migration.sql", UNSAFE)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    monkeypatch.chdir(tmp_path)
    code, out, _ = lint("--staged", "prisma/migrations")
    assert code == 1
    assert "error[require-concurrent-index-creation]" in out


def test_fix_never_touches_an_applied_migration(repo: Path) -> None:
    added = repo / FOLDER / "20240103000000_id_index" / "migration.sql"
    write(added, 'CREATE INDEX "User_id_idx" ON "User"("id");\n')
    write(repo / SECOND_FILE, 'CREATE INDEX "User_email_idx" ON "User"("email");\n')  # fixable, applied, edited
    code = CliRunner().invoke(main, ["lint", "--fix", "--since", "main", FOLDER]).exit_code
    assert code == 1  # the edit of an applied migration is still there
    assert (repo / SECOND_FILE).read_text() == 'CREATE INDEX "User_email_idx" ON "User"("email");\n'
    assert added.read_text() == 'CREATE INDEX CONCURRENTLY "User_id_idx" ON "User"("id");\n'


@pytest.mark.parametrize("args", [("--since", "no-such-branch"), ("--since", "-x"), ("--since", "main", "--staged")])
def test_bad_ref_is_exit_2_in_one_line(repo: Path, args: tuple[str, ...]) -> None:
    code, out, err = lint(*args, FOLDER)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("migralint: error: ")


def test_not_a_repository_is_exit_2_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "prisma" / "migrations" / "20240101000000_a" / "migration.sql", INIT)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.chdir(tmp_path)
    for option in (["--since", "main"], ["--staged"]):
        code, out, err = lint(*option, "prisma/migrations")
        assert code == 2
        assert err == f"migralint: error: {' '.join(option)} needs a git repository, and prisma/migrations is not in one\n"


@pytest.mark.skipif(not (CORPUS / "edited").is_dir(), reason="../shared/corpus is not beside the repository")
def test_every_real_edit_in_the_corpus_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real edits of applied migrations (a migration as it landed, and as later commits left it)."""
    cases = sorted(p for p in (CORPUS / "edited").glob("*/*") if (p / "before.sql").is_file())
    assert cases
    repo = tmp_path / "repo"
    for case in cases:  # one repository, one migrations folder per project
        folder = repo / case.parent.name / "prisma" / "migrations"
        write(folder / "migration_lock.toml", LOCK)
        write(folder / case.name / "migration.sql", (case / "before.sql").read_bytes())
    git(repo, "init", "-q")
    base = commit_all(repo)
    for case in cases:
        write(repo / case.parent.name / "prisma" / "migrations" / case.name / "migration.sql",
              (case / "after.sql").read_bytes())
    monkeypatch.chdir(repo)
    folders = sorted({f"{case.parent.name}/prisma/migrations" for case in cases})
    code, out, _ = lint("--since", base, "--select", "edited-applied-migration", *folders)
    assert code == 1
    found = {line.split(":")[0]: int(line.split(":")[1]) for line in out.splitlines()}
    for case in cases:
        path = f"{case.parent.name}/prisma/migrations/{case.name}/migration.sql"
        before, after = lines((case / "before.sql").read_bytes()), lines((case / "after.sql").read_bytes())
        same = 0
        while same < min(len(before), len(after)) and before[same] == after[same]:
            same += 1
        last = max(len(after), 1)
        assert found.get(path) == min(same + 1, last), path
    assert len(found) == len(cases)


@pytest.fixture()
def pushed(repo: Path, tmp_path: Path) -> Path:
    """The repository's main pushed to a bare remote and tracking it: INIT and SECOND are pushed."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "main")
    return remote


def test_staged_counts_what_is_pushed_as_applied(repo: Path, pushed: Path) -> None:
    third = repo / FOLDER / "20240103000000_id_index" / "migration.sql"
    write(third, UNSAFE.replace('"User_id_idx"', '"x"'))
    commit_all(repo)  # committed, not pushed
    write(third, UNSAFE)  # amended before pushing: no edit of an applied migration
    git(repo, "add", "-A")
    code, out, _ = lint("--staged", "--select", "edited-applied-migration,require-concurrent-index-creation")
    assert code == 1
    assert out.splitlines() == [  # linted, as pending: it is not pushed
        f"{FOLDER}/20240103000000_id_index/migration.sql:2:1: error[require-concurrent-index-creation] "
        'CREATE INDEX takes SHARE on "User": INSERT, UPDATE and DELETE wait until the index is built.']
    git(repo, "commit", "-q", "-m", "amended")
    git(repo, "push", "-q")
    write(third, UNSAFE.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY"))
    git(repo, "add", "-A")
    code, out, _ = lint("--staged", "--select", "edited-applied-migration")
    assert code == 1 and out.startswith(
        f"{FOLDER}/20240103000000_id_index/migration.sql:2:1: error[edited-applied-migration] applied migration "
        "20240103000000_id_index has a staged edit (against origin/main): line 2 differs")


def test_staged_on_a_branch_behind_its_upstream_reports_nothing_it_did_not_do(
    repo: Path, pushed: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"  # a colleague pushes a migration this clone has not pulled
    git(tmp_path, "clone", "-q", str(pushed), str(other))
    write(other / FOLDER / "20240105000000_theirs" / "migration.sql", "SELECT 1;\n")
    commit_all(other)
    git(other, "push", "-q")
    git(repo, "fetch", "-q")
    write(repo / FOLDER / "20240104000000_mine" / "migration.sql", "SELECT 2;\n")
    git(repo, "add", "-A")
    code, out, err = lint("--staged")
    assert (code, out) == (0, ""), err  # 20240105000000_theirs is not deleted here: never pulled


def test_staged_with_no_upstream_uses_the_remote_default_branch_and_the_base_setting_overrides(
    repo: Path, pushed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(pushed), str(clone))  # origin/HEAD -> origin/main
    git(clone, "checkout", "-q", "-b", "feature")
    write(clone / FOLDER / "20240103000000_mine" / "migration.sql", "SELECT 1;\n")
    commit_all(clone)
    write(clone / FOLDER / "20240103000000_mine" / "migration.sql", "SELECT 2;\n")
    git(clone, "add", "-A")
    monkeypatch.chdir(clone)
    code, out, _ = lint("--staged", "--select", "edited-applied-migration")
    assert (code, out) == (0, "")
    write(clone / "migralint.toml", 'base = "HEAD"\n')  # this team: committed counts as applied
    code, out, _ = lint("--staged", "--select", "edited-applied-migration")
    assert code == 1 and "has a staged edit (against HEAD): line 1 differs" in out
    write(clone / "migralint.toml", 'base = "no-such-branch"\n')
    code, out, err = lint("--staged")
    assert (code, out) == (2, "") and "migralint: error: --staged: 'no-such-branch' is not a commit" in err


def test_staged_with_no_path_lints_only_folders_the_index_changes(repo: Path) -> None:
    write(repo / "other" / "db" / "migrations" / "001_index.sql", UNSAFE)
    commit_all(repo)
    code, out, err = lint("--staged")
    assert (code, out) == (0, "")
    assert err == "migralint: nothing to lint: no staged change under a migrations folder\n"
    write(repo / "scripts" / "report.sql", UNSAFE)
    git(repo, "add", "-A")
    assert lint("--staged")[:2] == (0, "")  # not a migration
    git(repo, "rm", "-q", "--cached", SECOND_FILE)  # a deletion alone
    code, out, err = lint("--staged")
    assert code == 1 and f"{SECOND_FILE}:1:1: error[deleted-applied-migration]" in out
    assert err == (f"migralint: linting {FOLDER} (Prisma Migrate)\n"
                   "migralint: nothing to lint: no migration staged that the upstream (with none, HEAD) lacks\n")


def test_staged_merge_does_not_lint_what_the_other_branch_brings(repo: Path, pushed: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo / FOLDER / "20240104000000_mine" / "migration.sql", "SELECT 1;\n")
    commit_all(repo)
    git(repo, "checkout", "-q", "main")
    write(repo / FOLDER / "20240103000000_on_main" / "migration.sql", UNSAFE)  # main accepted it, unsafe
    commit_all(repo)
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-commit", "--no-ff", "main")
    code, out, _ = lint("--staged", "--select", "require-concurrent-index-creation")
    assert (code, out) == (0, "")
    git(repo, "merge", "--abort")
    write(repo / FOLDER / "20240105000000_own" / "migration.sql", UNSAFE)  # without a merge: linted
    git(repo, "add", "-A")
    code, out, _ = lint("--staged", "--select", "require-concurrent-index-creation")
    assert code == 1 and "20240105000000_own" in out
