"""A real PostgreSQL for the database tests: one server per session, a fresh database per test.

pgserver (from PyPI, in the `test` extra: it bundles the PostgreSQL binaries, so no machine
needs PostgreSQL installed) initialises a cluster in a temporary folder and starts it on a
unix socket, trusting local connections. One role, `migralint_reader`, must give its password
(SCRAM, by a pg_hba.conf line placed before pgserver's trust lines), so that a wrong password
is really refused. Nothing is skipped: when PostgreSQL cannot start, the tests fail and say why.

With MIGRALINT_TEST_PG_BINDIR set (e.g. /usr/lib/postgresql/15/bin, Debian's postgresql-15),
the server is that one instead, started with its own initdb and pg_ctl: .ci/run runs the apply
tests a second time that way, on another major version.

Use it by importing the fixtures into a test module: `from tests.pg import database, postgres`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

READER = "migralint_reader"
READER_PASSWORD = "Rd-s3cret-9f2Kq"


@dataclass(frozen=True)
class Server:
    socket_dir: Path
    port: int

    def url(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        secret = f":{quote(password, safe='')}" if password is not None else ""
        return f"postgresql://{user}{secret}@/{database}?host={quote(str(self.socket_dir))}&port={self.port}"

    def admin(self, database: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(self.url(database), autocommit=True)


@dataclass(frozen=True)
class Database:
    server: Server
    name: str

    @property
    def url(self) -> str:
        """The superuser's URL (trusted on the socket)."""
        return self.server.url(self.name)

    @property
    def reader_url(self) -> str:
        return self.server.url(self.name, READER, READER_PASSWORD)

    def run(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with self.server.admin(self.name) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver
    except ImportError as exc:
        pytest.fail(f"PostgreSQL cannot start: pgserver is not installed ({exc}); run pip install -e '.[test]'",
                    pytrace=False)
    parent = Path(tempfile.mkdtemp(prefix="migralint-pg-"))  # short: a socket path has ~100 bytes
    datadir = parent / "data"
    bindir = os.environ.get("MIGRALINT_TEST_PG_BINDIR")
    if bindir:
        yield from _server_from(Path(bindir), parent)
        return
    try:
        server = pgserver.get_server(datadir, cleanup_mode="delete")
        info = server.get_postmaster_info()
        assert info.socket_dir is not None and info.port is not None, "pgserver started without a unix socket"
        running = Server(Path(info.socket_dir), int(info.port))
        _require_password_for_reader(running)
    except Exception as exc:
        log = datadir / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.is_file() else "(no server log)"
        shutil.rmtree(parent, ignore_errors=True)
        pytest.fail(f"PostgreSQL could not start: {type(exc).__name__}: {exc}\n{tail}", pytrace=False)
    try:
        yield running
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def _server_from(bindir: Path, parent: Path) -> Iterator[Server]:
    """A server from `bindir`'s initdb and pg_ctl, on a unix socket in `parent` only (no TCP port)."""
    datadir = parent / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run it as the user pgserver creates for the same reason
        import pwd

        try:
            entry = pwd.getpwnam("pgserver")
        except KeyError:
            subprocess.run(["useradd", "-s", "/bin/sh", "pgserver"], check=True, capture_output=True)
            entry = pwd.getpwnam("pgserver")
        os.chown(parent, entry.pw_uid, entry.pw_gid)
        os.chmod(parent, 0o755)
        as_user = ["runuser", "-u", "pgserver", "--"]
    port = 5432

    def run(*command: str) -> None:
        result = subprocess.run([*as_user, *command], capture_output=True, text=True)
        if result.returncode != 0:
            log = datadir / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            shutil.rmtree(parent, ignore_errors=True)
            pytest.fail(f"PostgreSQL from {bindir} could not start: {' '.join(command[:2])}: "
                        f"{result.stderr.strip()}\n{tail}", pytrace=False)

    run(str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust", "--encoding=utf8")
    run(str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(datadir / "log"), "-w", "-o",
        f"-k {parent} -c listen_addresses='' -p {port}", "start")
    running = Server(parent, port)
    try:
        _require_password_for_reader(running)
        yield running
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)


def _require_password_for_reader(server: Server) -> None:
    with server.admin() as admin:
        admin.execute(f"CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}'")
        row = admin.execute("SHOW hba_file").fetchone()
        assert row is not None
        hba = Path(row[0])
        hba.write_text(f"local all {READER} scram-sha-256\n" + hba.read_text())
        admin.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 5
    while True:  # the reload is a signal: wait until a wrong password is refused
        try:
            psycopg.connect(server.url("postgres", READER, "wrong"), connect_timeout=2).close()
        except psycopg.OperationalError as exc:
            if "password authentication failed" in str(exc):
                return
            raise
        if time.monotonic() > deadline:
            raise RuntimeError("pg_hba.conf was reloaded but a wrong password is still accepted")
        time.sleep(0.05)


@pytest.fixture
def database(postgres: Server) -> Iterator[Database]:
    """A database of its own for each test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with postgres.admin() as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield Database(postgres, name)
    finally:
        with postgres.admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
