"""The result cache (src/migralint/cache.py): a warm run says exactly what a cold one says.

Every test lints real files through the CLI or the api, once without the cache (the truth),
and with it, after the change that must invalidate it.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import migralint
from migralint import api
from migralint.api import LintRequest
from migralint.cache import Store
from migralint.cli import main
from migralint.config import Settings
from migralint.migrations.history import AppliedState, KnownSource

MIGRATIONS = {
    "1_init": 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT, "age" INTEGER);\n',
    "2_index": '-- ☕ é\nCREATE INDEX "User_email_idx" ON "User"("email");\n',
    "3_alter": 'ALTER TABLE "User" ALTER COLUMN "email" TYPE VARCHAR(100);\nALTER TABLE "User" ALTER COLUMN "age" SET NOT NULL;\n',
    "4_post": 'CREATE TABLE "Post" ("id" TEXT NOT NULL, "title" TEXT);\n',
    "5_post_index": 'CREATE INDEX "Post_title_idx" ON "Post"("title");\n',
}
FOLDER = "prisma/migrations"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return make_project(tmp_path, monkeypatch, MIGRATIONS)


def make_project(root: Path, monkeypatch: pytest.MonkeyPatch, migrations: dict[str, str]) -> Path:
    """A Prisma folder of `migrations` in `root`, the working directory, with no cache folder
    chosen by the environment."""
    monkeypatch.chdir(root)
    monkeypatch.delenv("MIGRALINT_CACHE_DIR", raising=False)
    for name, sql in migrations.items():
        write(root, name, sql)
    return root


def write(project: Path, name: str, sql: str) -> Path:
    path = project / FOLDER / name / "migration.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sql, encoding="utf-8")
    return path


def lint(*args: str, cache: str | None = "cache") -> tuple[int, str]:
    options = ["--no-cache"] if cache is None else ["--cache-dir", cache]
    result = CliRunner().invoke(main, ["lint", "--format", "json", "--jobs", "1", *options, *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout


def cold_and_warm(*args: str) -> tuple[tuple[int, str], tuple[int, str]]:
    return lint(*args, cache=None), lint(*args)


def rules_of(output: str) -> list[tuple[str, str, str]]:
    return [(f["path"], f["rule"], f["severity"]) for f in json.loads(output)["findings"]]


def parses(*args: str) -> int:
    """How many files a CLI run parses (the engine's parse_source, counted by the profiler)."""
    profile = cProfile.Profile()
    profile.enable()
    lint(*args)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return sum(calls for (filename, _, name), (calls, *_) in stats.items()
               if name == "parse_source" and filename.endswith("parse.py"))


def test_a_warm_run_prints_what_a_cold_run_prints_and_parses_nothing(project: Path) -> None:
    cold, first = cold_and_warm(FOLDER)
    assert rules_of(cold[1]), "the project has findings, so the comparison means something"
    assert first == cold
    assert parses(FOLDER) == 0
    assert lint(FOLDER) == cold  # byte for byte, exit code too
    assert (project / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_editing_an_earlier_migration_changes_the_later_findings_as_a_cold_run(project: Path) -> None:
    before = lint(FOLDER)
    write(project, "1_init", MIGRATIONS["1_init"].replace('"email" TEXT', '"email" VARCHAR(200)'))
    cold, warm = cold_and_warm(FOLDER)
    assert warm == cold and warm != before
    assert "varchar(200) to varchar(100)" in warm[1]


def test_one_new_migration_parses_only_itself(project: Path) -> None:
    lint(FOLDER)
    write(project, "6_more", 'ALTER TABLE "Post" ADD COLUMN "body" TEXT NOT NULL;\n')
    assert parses(FOLDER) == 1  # the catalog after 5_post_index comes from the cache
    assert lint(FOLDER) == lint(FOLDER, cache=None)


def test_an_edit_in_the_middle_resumes_from_a_snapshot_and_agrees_with_a_cold_run(project: Path) -> None:
    lint(FOLDER)
    write(project, "6_more", 'ALTER TABLE "Post" ADD COLUMN "body" TEXT NOT NULL;\n')
    lint(FOLDER)
    write(project, "5_post_index", MIGRATIONS["5_post_index"].replace("INDEX", "UNIQUE INDEX"))
    cold, warm = cold_and_warm(FOLDER)
    assert warm == cold


@pytest.mark.parametrize(
    "config",
    [
        "runner_sets_lock_timeout = true\n",  # a setting a rule reads
        '[severity]\nrequire-lock-timeout = "error"\n',  # a rule's severity
        'extend-ignore = ["changing-column-type"]\n',  # the rules in effect
        'per-file-ignores = { "prisma/migrations/2_index/*" = ["require-concurrent-index-creation"] }\n',
    ],
)
def test_a_config_change_changes_the_findings_as_a_cold_run(project: Path, config: str) -> None:
    before = lint(FOLDER)
    (project / "migralint.toml").write_text(config)
    cold, warm = cold_and_warm(FOLDER)
    assert warm == cold and warm != before


def test_selected_rules_change_the_findings_as_a_cold_run(project: Path) -> None:
    lint(FOLDER)
    cold, warm = cold_and_warm("--select", "require-concurrent-index-creation", FOLDER)
    assert warm == cold and {rule for _, rule, _ in rules_of(warm[1])} == {"require-concurrent-index-creation"}


def test_the_pending_set_changes_the_findings_as_a_cold_run(project: Path) -> None:
    target = f"{FOLDER}/5_post_index/migration.sql"
    applied = lint("--assume-applied-through", "4_post", target)
    assert ("require-concurrent-index-creation" in applied[1]), "Post has rows: its migration is applied"
    cold, warm = cold_and_warm("--assume-applied-through", "3_alter", target)
    assert warm == cold and warm != applied  # 4_post is pending now: Post is new and empty
    assert lint("--assume-applied-through", "4_post", target) == applied


def test_the_pending_set_from_a_history_source_changes_the_findings_as_a_cold_run(project: Path) -> None:
    # The same settings, two sources of truth: 4_post applied or not (the database, git).
    target = [f"{FOLDER}/5_post_index/migration.sql"]
    settings = Settings(root=project, select=("require-concurrent-index-creation",))
    names = set(MIGRATIONS)

    def findings(applied: set[str], cache: Path | None) -> list[tuple[str, str]]:
        source = KnownSource(AppliedState(True, applied, sources=["the test"]))
        outcome = api.lint(LintRequest(paths=target, settings=settings, history=[source], cache_dir=cache))
        return [(f.path, f.rule) for f in outcome.result.findings]

    cache = project / "cache"
    everything_but_5 = findings(names - {"5_post_index"}, cache)
    assert everything_but_5 == [(target[0], "require-concurrent-index-creation")]
    assert findings(names - {"4_post", "5_post_index"}, cache) == findings(names - {"4_post", "5_post_index"}, None) == []
    assert findings(names - {"5_post_index"}, cache) == everything_but_5


def test_a_new_version_misses_and_agrees_with_a_cold_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request = LintRequest(paths=[FOLDER], settings=Settings(root=project), cache_dir=project / "cache")
    first = api.lint(request).result
    packs = sorted((project / "cache").rglob("*.pack"))
    monkeypatch.setattr(migralint, "__version__", migralint.__version__ + ".post1")  # an upgrade
    again = api.lint(request).result
    assert len(sorted((project / "cache").rglob("*.pack"))) == len(packs) + 1  # new keys, new pack
    assert again.findings == first.findings == api.lint(LintRequest(paths=[FOLDER], settings=Settings(root=project))).result.findings


def test_corrupt_truncated_and_foreign_entries_are_ignored(project: Path) -> None:
    cold = lint(FOLDER, cache=None)
    lint(FOLDER)
    entries = sorted(p for p in (project / "cache").rglob("*") if p.suffix in (".pack", ".catalog"))
    assert entries
    for k, path in enumerate(entries):
        data = path.read_bytes()
        if b"ACCESS EXCLUSIVE" in data:  # still a valid pickle, with a wrong message: the digest tells
            path.write_bytes(data.replace(b"ACCESS EXCLUSIVE", b"ACCESS EXCLUSIVF"))
        elif k % 3 == 0:
            path.write_bytes(data[: len(data) // 2])  # truncated
        elif k % 3 == 1:
            path.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # one bit flipped
        else:
            path.write_bytes(b"\x80\x04K\x01.")  # a pickle migralint did not write
    assert lint(FOLDER) == cold
    assert lint(FOLDER) == cold
    write(project, "6_more", 'ALTER TABLE "Post" ADD COLUMN "body" TEXT NOT NULL;\n')
    assert lint(FOLDER) == lint(FOLDER, cache=None)


def test_two_concurrent_runs_are_safe(project: Path) -> None:
    cold = lint(FOLDER, cache=None)
    command = [str(Path(sys.executable).parent / "migralint"), "lint", "--format", "json", "--cache-dir", "shared", FOLDER]
    for _ in range(3):
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [(run.returncode, out) for run, (out, _) in zip(runs, outputs)] == [cold] * 4
        write(project, f"9_more_{_}", f'ALTER TABLE "User" ADD COLUMN "c{_}" TEXT;\n')
        cold = lint(FOLDER, cache=None)
    assert not [p for p in (project / "shared").rglob(".tmp-*")]  # no temporary file left behind


def test_where_the_cache_goes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(main, ["lint", FOLDER])
    assert (project / ".migralint_cache" / ".gitignore").is_file()  # the cwd: no config file
    (project / "config").mkdir()
    (project / "config" / "migralint.toml").write_text("strict = false\n")
    CliRunner().invoke(main, ["lint", "--config", "config/migralint.toml", FOLDER])
    assert (project / "config" / ".migralint_cache").is_dir()  # the config file's folder
    monkeypatch.setenv("MIGRALINT_CACHE_DIR", str(project / "from-env"))
    CliRunner().invoke(main, ["lint", FOLDER])
    assert (project / "from-env" / "CACHEDIR.TAG").is_file()
    (project / "config" / "migralint.toml").write_text("cache = false\n")
    monkeypatch.delenv("MIGRALINT_CACHE_DIR")
    CliRunner().invoke(main, ["lint", "--config", "config/migralint.toml", "--cache-dir", "x", FOLDER])
    assert (project / "x").is_dir()  # the option wins
    CliRunner().invoke(main, ["lint", "--config", "config/migralint.toml", FOLDER])
    CliRunner().invoke(main, ["lint", "--no-cache", "--cache-dir", "y", FOLDER])
    assert not (project / "y").exists()
    assert result.exit_code == 1


def test_fix_and_standard_input_never_touch_the_cache(project: Path) -> None:
    lint(FOLDER)  # a warm cache for the files --fix is about to change
    before = sorted(str(p) for p in (project / "cache").rglob("*"))
    result = CliRunner().invoke(main, ["lint", "--fix", "--cache-dir", "cache", "--format", "json", FOLDER])
    assert result.exit_code in (0, 1) and "fixed" in result.stderr
    assert result.stdout == lint(FOLDER, cache=None)[1]
    result = CliRunner().invoke(main, ["lint", "--cache-dir", "cache", "-"], input=MIGRATIONS["2_index"])
    assert result.exit_code == 1
    assert sorted(str(p) for p in (project / "cache").rglob("*")) == before
    assert lint(FOLDER) == lint(FOLDER, cache=None)  # the edited files miss


def test_the_cache_stays_within_its_size(project: Path) -> None:
    store = Store(project / "bounded", limit=2_000)
    for k in range(20):
        store.save_snapshot(f"{k:040x}", "x" * 500)
    store.prune()
    kept = [p for p in (project / "bounded").rglob("*.catalog")]
    assert 0 < sum(p.stat().st_size for p in kept) <= 2_000
    assert store.load_snapshot(f"{19:040x}") == "x" * 500  # the newest is kept
    assert store.load_snapshot(f"{0:040x}") is None
