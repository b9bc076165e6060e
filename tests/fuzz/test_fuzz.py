"""Property-based tests: whatever the SQL or the folder, migralint reports, never crashes or hangs.

The number of examples is bounded so that the suite stays fast in CI; a longer campaign is the
same tests with MIGRALINT_FUZZ_EXAMPLES set (CONTRIBUTING.md).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migralint.cli import main
from migralint.config import Settings
from migralint.linter.rule_set import FileReport
from migralint.migrations.layouts import RunnerMode
from migralint.source import LineIndex
from tests.fuzz.shapes import _SEED_MIGRATIONS, corpus_files, migration_sql, mutated, name
from tests.helpers import lint_sql

SCALE = int(os.environ.get("MIGRALINT_FUZZ_EXAMPLES", "0")) or None
FAST = settings(
    max_examples=SCALE or 300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
ALL_RULES = Settings(select=("ALL",))
_SEEDS = list(_SEED_MIGRATIONS) + [p.read_text(encoding="utf-8", errors="replace") for p in corpus_files()]


def assert_sound(sql: str, report: FileReport) -> None:
    assert not report.errors, report.errors[0].trace
    assert all(f.rule != "internal-error" for f in report.findings)
    index = LineIndex(sql.replace("\0", " "))
    for finding in report.findings:
        assert 1 <= finding.line <= finding.end_line <= index.line_count, finding
        assert finding.column >= 1 and finding.end_column >= 1, finding
        if finding.line == finding.end_line:
            assert finding.column <= finding.end_column, finding


@FAST
@given(sql=migration_sql(), runner=st.sampled_from(list(RunnerMode)))
def test_sql_from_real_statement_shapes_lints_without_internal_error(sql: str, runner: RunnerMode) -> None:
    assert_sound(sql, lint_sql(sql, runner=runner, settings=ALL_RULES))


@FAST
@given(sql=mutated(_SEEDS), runner=st.sampled_from(list(RunnerMode)))
def test_mutated_real_migrations_lint_without_internal_error(sql: str, runner: RunnerMode) -> None:
    assert_sound(sql, lint_sql(sql, runner=runner, settings=ALL_RULES))


@st.composite
def tree(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    """(kind, relative path, content or link target) entries of a folder to lint."""
    entries: list[tuple[str, str, str]] = []
    folders = ["m"]
    for _ in range(draw(st.integers(1, 8))):
        parent = draw(st.sampled_from(folders))
        kind = draw(st.sampled_from(["sql", "sql", "prisma", "dir", "link", "fifo", "lock", "provider"]))
        leaf = draw(name)
        if kind == "dir":
            folders.append(f"{parent}/{leaf}")
            entries.append(("dir", folders[-1], ""))
        elif kind == "sql":
            suffix = draw(st.sampled_from([".sql", ".up.sql", ".down.sql", "__x.sql", ".postgres.up.sql"]))
            prefix = draw(st.sampled_from(["", "1_", "V1__", "20240101000000", "0001_"]))
            entries.append(("file", f"{parent}/{prefix}{leaf}{suffix}", draw(migration_sql())))
        elif kind == "prisma":
            entries.append(("file", f"{parent}/{leaf}/migration.sql", draw(migration_sql())))
        elif kind == "link":
            target = draw(st.sampled_from(["..", ".", "/dev/null", "/dev/zero", "missing"]))
            entries.append(("link", f"{parent}/{leaf}.sql" if draw(st.booleans()) else f"{parent}/{leaf}", target))
        elif kind == "fifo":
            entries.append(("fifo", f"{parent}/{leaf}.sql", ""))
        elif kind == "lock":
            text = draw(st.sampled_from(["", "# migralint migrations.lock v1\nx y z\n", "<<<<<<< a\n",
                                         "# migralint migrations.lock v" + "9" * 5000 + "\n"]))
            entries.append(("file", f"{parent}/migrations.lock", text))
        else:
            provider = draw(st.sampled_from(['""', '"postgresql"', '"mysql"', "x"]))
            entries.append(("file", f"{parent}/migration_lock.toml", f"provider = {provider}\n"))
    return entries


def _build(root: Path, entries: list[tuple[str, str, str]]) -> None:
    (root / "m").mkdir()
    for kind, relative, content in entries:
        path = root / relative
        if os.path.lexists(path):
            continue  # two entries drew the same name (writing to a FIFO drawn first would wait forever)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "dir":
                path.mkdir(exist_ok=True)
            elif kind == "file":
                path.write_text(content, encoding="utf-8")
            elif kind == "link":
                os.symlink(content, path)
            elif kind == "fifo":
                os.mkfifo(path)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # two entries drew the same name


@settings(
    max_examples=SCALE or 100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(entries=tree(), glob=st.booleans())
def test_any_folder_is_linted_or_refused_in_one_line(entries: list[tuple[str, str, str]], glob: bool) -> None:
    root = Path(tempfile.mkdtemp(prefix="migralint-fuzz-"))
    cwd = os.getcwd()
    try:
        _build(root, entries)
        os.chdir(root)
        target = "m/**/*.sql" if glob else "m"
        result = CliRunner().invoke(main, ["lint", "--format", "json", target], env={"MIGRALINT_DEBUG": ""})
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr, result.exception)
        assert "Traceback" not in result.stderr and "internal" not in result.stderr, result.stderr
        if result.stdout.strip():
            report = json.loads(result.stdout)
            paths = [f["path"] for f in report["findings"]]
            assert not any(p.count("m/") > 8 for p in paths), "a link loop was followed"
    finally:
        os.chdir(cwd)
        shutil.rmtree(root, ignore_errors=True)
