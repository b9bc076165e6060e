"""No secret in any output: every URL form through every command and failure, on a real PostgreSQL.

The password-requiring role of tests/pg.py gets a password with each special character, written
in the URL raw and percent-encoded; every command that takes a URL runs with it, and all its
output (stdout and stderr) is searched for the password and for the marker inside it.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from migralint.cli import main
from tests.pg import READER, READER_PASSWORD, Database, Server, postgres  # noqa: F401

MARKER = "XSECRETX"
INIT = 'CREATE TABLE "Booking" ("id" SERIAL PRIMARY KEY, "note" TEXT);\n'
NAME = "20240101000000_init"
SPECIAL = ["#", "?", "/", "@", ":", "%", " ", "&", "=", "+", "'", '"', "\\", ",", ";", "[", "é"]
# Unencoded, these end the host part for Prisma too: the URL is refused, in a sentence that quotes none of it.
REFUSED_RAW = {"#", "?", "/"}


def _commands(folder: str) -> list[list[str]]:
    return [
        ["lint", folder, "--database-url"],
        ["apply", folder, "--dry-run", "--database-url"],
        ["apply", folder, "--yes", "--database-url"],
        ["status", folder, "--database-url"],
        ["resolve", folder, "--rolled-back", NAME, "--database-url"],
    ]


@pytest.fixture(scope="module")
def shared(postgres: Server) -> Iterator[Database]:
    """One database for the whole matrix, owned by the password-requiring role (a database per
    case would triple the time): the cases after the first find the migration applied."""
    name = f"test_secrets_{uuid.uuid4().hex[:8]}"
    with postgres.admin() as admin:
        admin.execute(f"CREATE DATABASE {name} OWNER {READER}")
    try:
        yield Database(postgres, name)
    finally:
        with postgres.admin() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"ALTER ROLE {READER} PASSWORD '{READER_PASSWORD}'")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared: Database) -> Database:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "CI"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "prisma" / "migrations"
    (folder / NAME).mkdir(parents=True)
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    (folder / NAME / "migration.sql").write_text(INIT)
    return shared


def _set_password(database: Database, password: str) -> None:
    with database.server.admin() as admin:
        admin.execute(f"ALTER ROLE {READER} PASSWORD {quote_literal(password)}")


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _url(server: Server, database: str, userinfo: str, host: str | None = None, extra: str = "") -> str:
    where = f"host={quote(host or str(server.socket_dir))}&port={server.port}"
    return f"postgresql://{userinfo}@/{database}?{where}{extra}"


def _run_all(url: str) -> list[tuple[list[str], int, str]]:
    outcomes = []
    for command in _commands("prisma/migrations"):
        result = CliRunner().invoke(main, [*command, url], env={"NO_COLOR": "1", "CI": None})
        outcomes.append((command, result.exit_code, result.stdout + result.stderr))
    return outcomes


def _assert_no_secret(outcomes: list[tuple[list[str], int, str]], password: str) -> None:
    encoded = quote(password, safe="")
    for command, code, output in outcomes:
        assert code != 3, (command, output)  # never a crash
        for secret in (MARKER, "SECRET", password, encoded, encoded.replace("%20", "+")):
            assert secret not in output, (command, secret, output)
        assert "Traceback" not in output, (command, output)


# Each character raw; encoded, all of them in one password, and the ones URLs trip on one by one.
CASES = [(special, False) for special in SPECIAL] + [("".join(SPECIAL), True)] + [(c, True) for c in "#?/@%:"]


@pytest.mark.parametrize("special, encoded", CASES, ids=[f"{'encoded' if e else 'raw'} {c}" for c, e in CASES])
def test_every_special_character_through_every_command(project: Database, special: str, encoded: bool) -> None:
    password = f"pa{special}{MARKER}{special}9"
    _set_password(project, password)
    written = quote(password, safe="") if encoded else password
    outcomes = _run_all(_url(project.server, project.name, f"{READER}:{written}"))
    _assert_no_secret(outcomes, password)
    codes = {command[0] + (" --dry-run" if "--dry-run" in command else ""): code for command, code, _ in outcomes}
    if not encoded and special in REFUSED_RAW:
        assert set(codes.values()) == {2}, outcomes
        assert all("percent-encode" in output for _, _, output in outcomes)
    else:
        # Read as Prisma reads it (user info to the last @, percent-decoded): it connects and works.
        assert codes == {"lint": 0, "apply --dry-run": 0, "apply": 0, "status": 0, "resolve": 2}, outcomes
        assert "***" in outcomes[2][2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("written", ["encoded", "raw"])
@pytest.mark.parametrize("failure", ["refused", "wrong password", "unknown host", "unknown database",
                                     "bad parameter", "secret parameters", "keyword string",
                                     "unreadable keyword string"])
def test_every_failure_keeps_the_secret(project: Database, failure: str, written: str) -> None:
    password = f"p@ss:{MARKER}%w rd"
    _set_password(project, password if failure != "wrong password" else "something-else")
    userinfo = f"{READER}:{quote(password, safe='') if written == 'encoded' else password}"
    server, name = project.server, project.name
    if failure == "refused":
        url = f"postgresql://{userinfo}@127.0.0.1:{_free_port()}/{name}"
        expected = "connection refused"
    elif failure == "wrong password":
        url = _url(server, name, userinfo)
        expected = "password authentication failed"
    elif failure == "unknown host":
        url = f"postgresql://{userinfo}@nowhere-host.invalid/{name}"
        expected = "resolve host"
    elif failure == "unknown database":
        url = _url(server, "no_such_database", userinfo)
        expected = 'database "no_such_database" does not exist'
    elif failure == "bad parameter":
        url = _url(server, name, userinfo, extra="&sslmode=bogus")
        expected = 'invalid sslmode value: "bogus"'
    elif failure == "secret parameters":
        url = _url(server, name, userinfo, extra=f"&sslpassword={MARKER}1&api_key={MARKER}2&password={MARKER}3")
        expected = "password authentication failed"  # password= in the query is libpq's, and wrong
    elif failure == "unreadable keyword string":  # the space cuts the password: libpq quotes the rest
        url = f"host={server.socket_dir} port={server.port} dbname={name} user={READER} password=ab {password}"
        expected = "cannot be read by libpq"
    else:
        url = (f"host={server.socket_dir} port={server.port} dbname={name} user={READER} "
               f"password='{password if written == 'raw' else MARKER + 'x'}' sslmode=bogus")
        expected = 'invalid sslmode value: "bogus"'
    outcomes = _run_all(url)
    _assert_no_secret(outcomes, password)
    for command, code, output in outcomes:
        assert code == 2 and expected in output, (command, output)
