"""Answers (answers.py) on a terminal, under concurrent runs, and across versions."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import migralint
from migralint import answers
from migralint.answers import RACY_NS
from tests.answers_project import LAUNCHER, Project, Run, parse

JSON = ("lint", "--format", "json")


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Project]:
    root = tmp_path_factory.mktemp("answers-terminal")
    built = {name: Project(root / name) for name in ("tty", "concurrent")}
    time.sleep(RACY_NS / 1e9 + 0.2)
    return built


def on_terminal(project: Project, *args: str, columns: int = 100, **env: str) -> Run:
    """The run with its standard output a terminal (a pty) `columns` wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    process = subprocess.Popen([sys.executable, "-c", LAUNCHER, *args], cwd=project.work, env=project.env(**env),
                               stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    stderr = process.stderr.read() if process.stderr else b""
    code = process.wait(timeout=300)
    os.close(master)
    # rich draws each docs link as an OSC 8 hyperlink with a random id (Style._link_id): two cold
    # runs differ there and nowhere else, and a terminal only uses the id to group a link's cells.
    return parse(re.sub(rb"\x1b\]8;id=[0-9]+;", b"\x1b]8;id=N;", b"".join(chunks)), stderr, code)


def test_a_terminal_and_a_pipe_have_answers_of_their_own(projects: dict[str, Project]) -> None:
    project = projects["tty"]
    text = ("lint",)
    first = on_terminal(project, *text)
    assert first.stored and b"\x1b[" in first.stdout  # colour on a terminal
    again = on_terminal(project, *text)
    assert again.answered and again.output == first.output
    piped = project.run(*text)
    assert not piped.answered and b"\x1b[" not in piped.stdout
    assert piped.output == project.cold(*text).output
    # NO_COLOR and the terminal's width are part of the key too.
    no_color = on_terminal(project, *text, NO_COLOR="1")
    assert not no_color.answered and no_color.stdout != first.stdout
    assert no_color.output == on_terminal(project, "lint", "--no-cache", NO_COLOR="1").output
    narrow = on_terminal(project, *text, columns=50)
    assert not narrow.answered and narrow.stdout != first.stdout
    assert narrow.output == on_terminal(project, "lint", "--no-cache", columns=50).output


def test_concurrent_runs_never_see_a_torn_answer(projects: dict[str, Project]) -> None:
    project = projects["concurrent"]
    cold = project.cold(*JSON)
    for _ in range(2):  # all misses writing at once, then all hits (and misses) reading
        with ThreadPoolExecutor(max_workers=6) as pool:
            runs = list(pool.map(lambda _: project.run(*JSON), range(6)))
        assert all(run.output == cold.output for run in runs)
        [answer] = project.answers()
        key = answer.name
        assert not [p for p in (project.cache / "answers").iterdir() if p.name.startswith(".tmp-")]
        assert answer.read_bytes().startswith(answers.HEADER), key
    assert project.run(*JSON).answered


def test_another_version_or_format_is_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = answers.code_version(answers.FORMAT)
    key = answers.run_key(["lint"], str(tmp_path), {"A": "1"}, code)
    monkeypatch.setattr(migralint, "__version__", "9.9.9")
    other_code = answers.code_version(answers.FORMAT)
    assert other_code != code
    assert answers.run_key(["lint"], str(tmp_path), {"A": "1"}, other_code) != key
    # An answer stored under one key is never read for another, nor one of another format.
    path = tmp_path / "a.answer"
    path.write_bytes(b"".join(answers.encode(key, 0, [(1, b"out")], {})))
    assert answers.load(str(path), key) == ([(1, b"out")], 0)
    assert answers.load(str(path), answers.run_key(["lint"], str(tmp_path), {"A": "1"}, other_code)) is None
    path.write_bytes(b"migralint-answer 0\n" + b"".join(answers.encode(key, 0, [(1, b"out")], {}))[len(answers.HEADER):])
    assert answers.load(str(path), key) is None


def test_the_key_ignores_only_the_documented_variables(tmp_path: Path) -> None:
    code = answers.code_version(answers.FORMAT)
    base = {"HOME": "/h", "PATH": "/bin"}
    key = answers.run_key(["lint"], str(tmp_path), base, code)
    assert answers.run_key(["lint"], str(tmp_path), {**base, "_": "/bin/ls", "OLDPWD": "/", "SHLVL": "3"}, code) == key
    for name in ("NO_COLOR", "GITHUB_ACTIONS", "COLUMNS", "MIGRALINT_SOMETHING", "ANYTHING"):
        assert answers.run_key(["lint"], str(tmp_path), {**base, name: "1"}, code) != key
    assert answers.run_key(["lint", "--strict"], str(tmp_path), base, code) != key
    assert answers.run_key(["lint"], str(tmp_path / "x"), base, code) != key


def test_what_is_never_answered() -> None:
    assert answers.answerable(["lint", "--format", "json"])
    for args in (["lint", "--database-url", "postgresql://x"], ["lint", "--database-url=postgresql://x"],
                 ["lint", "--fix"], ["lint", "--output", "r.json"], ["lint", "--no-cache"], ["lint", "-"],
                 ["lint", "--help"], ["rules"], []):
        assert not answers.answerable(args), args


def test_answers_are_bounded_least_recently_used_first(tmp_path: Path) -> None:
    for age, name in enumerate(("d", "c", "b", "a")):  # a is the oldest
        path = tmp_path / f"{name}.answer"
        path.write_bytes(bytes(1000))
        os.utime(path, ns=(0, (10 - age) * 10**9))
    answers.drop_least_recent([str(tmp_path)], 4000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.answer", "b.answer", "c.answer", "d.answer"]
    (tmp_path / "e.answer").write_bytes(bytes(1000))  # the newest: 5,000 bytes in all, over the bound
    answers.drop_least_recent([str(tmp_path)], 4000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.answer", "d.answer", "e.answer"]
    # What was just stored stays, however old its mtime reads.
    os.utime(tmp_path / "e.answer", ns=(0, 10**9))
    for name in ("f", "g"):
        (tmp_path / f"{name}.answer").write_bytes(bytes(1000))
    answers.drop_least_recent([str(tmp_path)], 4000, keep=str(tmp_path / "e.answer"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.answer", "f.answer", "g.answer"]


def test_a_package_installed_beside_migralint_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site-packages"
    (site / "pglast").mkdir(parents=True)
    monkeypatch.setattr(answers, "_code_folders", [str(site / "pglast")])
    key = answers.run_key(["lint"], str(tmp_path), {}, "code")
    assert answers.run_key(["lint"], str(tmp_path), {}, "code") == key
    time.sleep(0.05)  # past the file system's timestamp granularity
    (site / "rich-14.1.0.dist-info").mkdir()  # what pip does when it installs or upgrades rich
    assert answers.run_key(["lint"], str(tmp_path), {}, "code") != key


def test_an_answer_keeps_the_order_of_writes_across_stdout_and_stderr() -> None:
    from migralint.answer_recorder import _merged

    chunks = [(1, b"a"), (1, b"b"), (2, b""), (2, b"x"), (1, b"c"), (2, b"y"), (2, b"z")]
    assert _merged(chunks) == [(1, b"ab"), (2, b"x"), (1, b"c"), (2, b"yz")]
    assert _merged([]) == [] and _merged([(1, b"")]) == []
