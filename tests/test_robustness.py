"""Hostile and unusual input: nothing crashes, nothing hangs, nothing is skipped in silence (issue 11).

Each test is one row of the issue's table, run through the real command line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint.cli import main

MIGRALINT = shutil.which("migralint") or ""


def lint(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, object], str]:
    """Exit code, the JSON report and stderr of `migralint lint --format json ARGS`."""
    result = CliRunner().invoke(main, ["lint", "--format", "json", *args], env=env or {})
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, report, result.stderr


def rules(report: dict[str, object]) -> list[str]:
    return [f["rule"] for f in report["findings"]]  # type: ignore[index, union-attr]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(path: str, text: str) -> Path:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def test_row1_aggregate_with_star_then_a_drop_is_linted() -> None:
    write("a.sql", "CREATE AGGREGATE cnt(*) (sfunc = int8inc, stype = int8);\nDROP FUNCTION f();\nDROP VIEW v;\n")
    code, report, stderr = lint("a.sql")
    assert code == 0 and "internal" not in stderr
    assert [r for r in rules(report) if r.startswith("ban-")] == ["ban-drop-function", "ban-drop-view"]


def test_row2_two_layouts_in_one_folder_are_both_linted() -> None:
    write("m/1_add_users.up.sql", "DROP TABLE a;\n")
    write("m/b.sql", "DROP TABLE b;\n")
    code, report, stderr = lint("m")
    assert code == 1, stderr
    assert sorted(f["path"] for f in report["findings"] if f["rule"] == "ban-drop-table") == [  # type: ignore[union-attr, index]
        "m/1_add_users.up.sql", "m/b.sql"
    ]


def test_row2_ory_sqlite_files_beside_postgres_ones_are_not_read_as_golang_migrate() -> None:
    write("m/20240101000000000000_drop.sqlite.up.sql", "DROP TABLE a;\n")
    write("m/20240101000000000000_drop.postgres.up.sql", "DROP TABLE b;\n")
    write("m/20240102000000_add.up.sql", "DROP TABLE c;\n")  # supabase/auth: golang-migrate beside popx
    code, report, stderr = lint("m")
    assert code == 1 and "internal" not in stderr
    assert sorted(f["path"] for f in report["findings"] if f["rule"] == "ban-drop-table") == [  # type: ignore[union-attr, index]
        "m/20240101000000000000_drop.postgres.up.sql", "m/20240102000000_add.up.sql"
    ]


@pytest.mark.parametrize("expression", [" || ".join(["'a'"] * 600), "ARRAY[" * 400 + "1" + "]" * 400])
def test_row3_a_deeply_nested_expression_is_linted(expression: str) -> None:
    write("m/1_deep.sql", f"SELECT {expression};\n")
    write("m/2_drop.sql", "DROP TABLE users;\n")  # linted after the deep one is replayed as history
    for target in ("m/1_deep.sql", "m/2_drop.sql"):
        code, report, stderr = lint(target)
        assert "internal" not in stderr and "internal-error" not in rules(report), stderr
    assert rules(report) == ["ban-drop-table", "require-lock-timeout"]


def test_row4_and_5_a_device_and_a_fifo_are_errors_not_hangs() -> None:
    Path("p/20240101000000_zero").mkdir(parents=True)
    os.symlink("/dev/zero", "p/20240101000000_zero/migration.sql")
    Path("p/20240102000000_pipe").mkdir()
    os.mkfifo("p/20240102000000_pipe/migration.sql")
    write("p/20240103000000_drop_users/migration.sql", "DROP TABLE users;\n")
    os.mkfifo("plain.sql")
    started = time.monotonic()
    code, report, stderr = lint("p", "plain.sql")
    assert time.monotonic() - started < 30
    assert code == 2
    assert "20240101000000_zero/migration.sql: cannot read: not a regular file (a device)" in stderr
    assert "20240102000000_pipe/migration.sql: cannot read: not a regular file (a named pipe)" in stderr
    assert "plain.sql: cannot read: not a regular file (a named pipe)" in stderr
    assert "ban-drop-table" in rules(report)


def _as_unprivileged(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run migralint as a user that permission bits apply to: root reads any file."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: no way to drop the read permission")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run([*prefix, MIGRALINT, *args], capture_output=True, text=True, timeout=60)


def test_row6_unreadable_folders_are_errors_and_the_rest_is_linted(monkeypatch: pytest.MonkeyPatch) -> None:
    # pytest's tmp_path lies in a folder only its owner may enter: this test needs one anybody may.
    base = Path(tempfile.mkdtemp(prefix="migralint-row6-"))
    base.chmod(0o755)
    monkeypatch.chdir(base)
    try:
        _check_unreadable_folders()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _check_unreadable_folders() -> None:
    write("prisma/migrations/20240101000000_drop_users/migration.sql", "DROP TABLE users;\n")
    write("prisma/migrations/20240102000000_hidden/migration.sql", "SELECT 1;\n")
    write("sql/sub/1_drop.sql", "DROP TABLE x;\n")
    write("sql/ok.sql", "DROP TABLE y;\n")
    write("closed/1_drop.sql", "DROP TABLE z;\n")
    Path("prisma/migrations/20240102000000_hidden").chmod(0)
    Path("sql/sub").chmod(0)
    Path("closed").chmod(0)
    for path in ("prisma", "sql"):
        Path(path).chmod(0o755)
    try:
        run = _as_unprivileged(["lint", "--format", "json", "prisma/migrations", "sql", "closed"])
    finally:
        for path in ("prisma/migrations/20240102000000_hidden", "sql/sub", "closed"):
            Path(path).chmod(0o755)
    assert run.returncode == 2, run.stderr
    assert "prisma/migrations/20240102000000_hidden: cannot read the folder: Permission denied" in run.stderr
    assert "sql/sub: cannot read the folder: Permission denied" in run.stderr
    assert "closed: cannot read the folder: Permission denied" in run.stderr
    assert "Traceback" not in run.stderr and "internal" not in run.stderr
    linted = {f["path"] for f in json.loads(run.stdout)["findings"] if f["rule"] == "ban-drop-table"}
    assert linted == {"prisma/migrations/20240101000000_drop_users/migration.sql", "sql/ok.sql"}


def test_row7_a_lock_header_with_a_huge_version_is_a_finding() -> None:
    write("prisma/migrations/20240101000000_init/migration.sql", "CREATE TABLE a (id int);\n")
    write("prisma/migrations/migrations.lock", "# migralint migrations.lock v" + "9" * 5000 + "\n")
    code, report, stderr = lint("prisma/migrations")
    assert code == 1 and "internal" not in stderr
    (finding,) = [f for f in report["findings"] if f["rule"] == "migrations-lock-mismatch"]  # type: ignore[union-attr, index]
    assert "format v999999999999..." in finding["message"] and len(finding["message"]) < 200


def test_row10_a_nul_byte_is_reported_and_the_rest_still_linted() -> None:
    Path("nul.sql").write_bytes(b"SELECT 1;\0\nDROP TABLE users;\n")
    code, report, _ = lint("nul.sql")
    assert code == 1
    found = [(f["rule"], f["line"], f["column"]) for f in report["findings"]]  # type: ignore[union-attr, index]
    assert ("syntax-error", 1, 10) in found and ("ban-drop-table", 2, 1) in found


def test_row11_many_statements_in_one_transaction_lint_in_linear_time() -> None:
    """main took minutes on 4,000 statements (every UPDATE scanned every earlier ADD VALUE)."""
    statements = []
    for k in range(2000):
        statements.append(f"ALTER TYPE \"Role\" ADD VALUE 'v{k}';")
        statements.append(f"UPDATE \"User\" SET \"note\" = 'n{k}' WHERE \"id\" = {k};")
    statements.append("UPDATE \"User\" SET \"role\" = 'v7';")
    write("prisma/migrations/20240101000000_roles/migration.sql", "\n".join(statements) + "\n")
    started = time.monotonic()
    code, report, _ = lint("prisma/migrations")
    assert time.monotonic() - started < 20
    enum_findings = [f for f in report["findings"] if f["rule"] == "enum-value-used-in-same-transaction"]  # type: ignore[union-attr, index]
    assert [f["line"] for f in enum_findings] == [4001]


def test_row14_one_file_of_a_large_folder_reports_on_that_file_only() -> None:
    for k in range(1, 200):
        write(f"prisma/migrations/2024010100{k:04d}_x/migration.sql", "SELECT 1;\n")
    target = "prisma/migrations/20240101000200_drop_users/migration.sql"
    write(target, "DROP TABLE users;\n")
    _, one, _ = lint(target)
    assert {f["path"] for f in one["findings"]} == {target}  # type: ignore[union-attr, index]
    _, whole, _ = lint("prisma/migrations")
    assert sum(f["rule"] == "migration-name" for f in whole["findings"]) == 199  # type: ignore[union-attr, index]


def test_row15_an_empty_prisma_provider_stops_that_folder_only() -> None:
    write("a/migration_lock.toml", 'provider = ""\n')
    write("a/20240101000000_drop/migration.sql", "DROP TABLE a;\n")
    write("b/migration_lock.toml", 'provider = "postgresql"\n')
    write("b/20240101000000_drop/migration.sql", "DROP TABLE b;\n")
    code, report, stderr = lint("a", "b")
    assert code == 2
    assert "a/migration_lock.toml: its provider is empty, which names no database" in stderr
    assert {f["path"] for f in report["findings"] if f["rule"] == "ban-drop-table"} == {  # type: ignore[union-attr, index]
        "b/20240101000000_drop/migration.sql"
    }


def test_row16_a_glob_through_a_symlink_loop_lints_each_file_once() -> None:
    write("loop/a/1_drop.sql", "DROP TABLE x;\n")
    os.symlink("..", "loop/a/back")
    code, report, _ = lint("loop/**/*.sql")
    assert code == 1
    assert rules(report).count("ban-drop-table") == 1


def test_row16_a_glob_through_two_link_loops_ends() -> None:
    """Found by the fuzz suite: Python's ** glob walks 2^40 paths through two links to "."."""
    write("m/1_drop.sql", "DROP TABLE x;\n")
    os.symlink(".", "m/t.sql")
    os.symlink(".", "m/u")
    started = time.monotonic()
    code, report, _ = lint("m/**/*.sql")
    assert time.monotonic() - started < 20
    assert code == 1 and rules(report).count("ban-drop-table") == 1


def test_an_internal_error_is_a_finding_the_traceback_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real bug, provoked: a rule's check given a node shape it never sees from libpg_query."""
    from migralint.linter import engine

    def broken(catalog: object, statement: object, migration: str, model: object = None) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(engine, "apply_postgres", broken)  # the schema model fails on every statement
    write("m/1_drop.sql", "DROP TABLE users;\n")
    write("m/2_drop.sql", "DROP TABLE posts;\n")
    code, report, stderr = lint("m")
    assert code == 3
    assert "ban-drop-table" in rules(report), "the other rules still ran"
    errors = [f for f in report["findings"] if f["rule"] == "internal-error"]  # type: ignore[union-attr, index]
    assert {f["path"] for f in errors} == {"m/1_drop.sql", "m/2_drop.sql"}
    assert "ValueError: boom (in the schema model)" in errors[0]["message"]
    assert "Traceback" not in stderr
    _, _, debug = lint("m", env={"MIGRALINT_DEBUG": "1"})
    assert "Traceback" in debug


def test_the_installed_command_never_hangs_on_a_fifo(tmp_path: Path) -> None:
    os.mkfifo("x.sql")
    run = subprocess.run([MIGRALINT or sys.executable, "lint", "x.sql"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "not a regular file" in run.stderr



@pytest.mark.parametrize("missing", [False, True])
def test_an_error_about_an_odd_name_is_one_line(missing: bool) -> None:
    """A newline or an escape sequence in a path never splits or colours the one-line error:
    for a file that cannot be read (a FIFO) and for a path that does not exist."""
    odd = "x\nmigralint: error: forged\x1b[31m.sql"
    if not missing:
        os.mkfifo(odd)
    run = subprocess.run([MIGRALINT or sys.executable, "lint", odd], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith("migralint: error: ")
    assert "\x1b" not in run.stderr and "x\\nmigralint: error: forged\\x1b[31m.sql" in run.stderr
