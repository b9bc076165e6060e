"""The one error handler every command runs under (migralint.cli.Commands): exit codes and one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from migralint import ISSUES_URL
from migralint.cli import Commands, main
from tests.helpers import sigint_as_a_terminal_gives_it

MIGRATION = 'CREATE TABLE "User" ("id" TEXT NOT NULL);\n'


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "prisma" / "migrations"
    (folder / "20240101000000_init").mkdir(parents=True)
    (folder / "20240101000000_init" / "migration.sql").write_text(MIGRATION)
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    return tmp_path


@pytest.mark.parametrize("args", [
    ["rule", "no-such-rule"],
    ["lint", "prisma/migrations", "--database-url", "mysql://u@localhost/db"],
    ["lock", "nowhere"],
    ["status", "nowhere", "--database-url", "postgresql://u@localhost/db"],
    ["resolve", "prisma/migrations"],
    ["apply", "prisma/migrations", "--database-url", "postgresql://u@localhost/db", "--lock-timeout", "soon"],
])
def test_a_users_mistake_is_exit_2_and_one_line_for_every_command(
    project: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith("migralint: error: ")] == lines[-1:]
    assert "Traceback" not in result.stderr


def _broken_group() -> click.Group:
    """A group with a deliberately buggy command: what a bug anywhere in a command looks like."""
    group = Commands()

    @group.command("crash")
    def crash() -> None:
        raise RuntimeError("the bug")

    return group


def test_a_bug_is_exit_3_one_line_with_where_to_report_it_and_no_traceback() -> None:
    result = CliRunner().invoke(_broken_group(), ["crash"], env={"MIGRALINT_DEBUG": ""})
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"migralint: error: internal error: RuntimeError: the bug. This is a bug in migralint; please report it at "
        f"{ISSUES_URL} (MIGRALINT_DEBUG=1 shows the traceback)."
    ]


def test_migralint_debug_shows_the_traceback_of_a_bug() -> None:
    result = CliRunner().invoke(_broken_group(), ["crash"], env={"MIGRALINT_DEBUG": "1"})
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise RuntimeError("the bug")' in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("migralint: error: internal error: RuntimeError")


def _interrupted(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run migralint against a server that accepts the connection and never answers; Ctrl-C it then.

    The accepted connection says the command is past its start-up and waiting on the database,
    so the SIGINT lands where a user's Ctrl-C would.
    """
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(120)
        port = server.getsockname()[1]
        env = {**os.environ, "MIGRALINT_DEBUG": ""}
        command = [sys.executable, "-m", "migralint", *args, "--database-url", f"postgresql://u@127.0.0.1:{port}/db"]
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, preexec_fn=sigint_as_a_terminal_gives_it)
        try:
            connection, _ = server.accept()
        except TimeoutError:
            process.kill()
            raise
        with connection:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def test_ctrl_c_is_exit_130_and_one_line(project: Path) -> None:
    done = _interrupted(["lint", "prisma/migrations"], project)
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1] == "migralint: error: interrupted"
    assert "Traceback" not in done.stderr and "Aborted!" not in done.stderr


def test_ctrl_c_during_apply_says_what_it_left_behind(project: Path) -> None:
    done = _interrupted(["apply", "prisma/migrations", "--yes"], project)
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1] == ("migralint: error: interrupted; a migration that was running is "
                                            "recorded as failed (see `migralint status`)")
    assert "Traceback" not in done.stderr
