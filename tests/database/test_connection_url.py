"""Where the database is, and how its URL is read: .env files, the Prisma datasource, the URL itself.

No database is needed here; tests/database/test_connection_secrets.py runs the same URLs
against a real PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.errors import UserError
from migralint.database import dotenv
from migralint.database.connection_url import parse_url, redact, scrub, secrets_of
from migralint.database.connection import connection_parameters
from migralint.database.database_location import env_files, resolve_url


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # paths in messages are shown relative to the working directory


# --- .env files, as dotenv 16 parses them and Prisma expands them ----------------------------


def test_dotenv_values_as_prisma_reads_them(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n"
        "export HOST=db.internal\n"
        "UNQUOTED=pa#ss\n"  # an unquoted value ends at the first #
        "SPACED=value # comment\n"
        "SINGLE='${HOST} in single quotes'\n"  # Prisma expands whatever the quotes
        "BACKTICK=`a#b'c\"d`\n"
        "COLON: colon value\n"
        'BACKSLASHES="a\\\\b\\nc"\n'  # only \n and \r are escapes: \\ stays two backslashes
        'DOUBLE="p#ss@${HOST}"  # trailing comment\n'
        "EARLY=postgresql://u@${LATER}/db\n"  # defined further down: still found
        "LATER=late.host\n"
        "ESCAPED=\\${HOST}\n"
        "BARE=$HOST\n"
        "EMPTY_NAME=a${}b\n"
        "EMPTY=\n"
        'MULTI="one\ntwo"\r\n'
    )
    environment: dict[str, str] = {}
    values = dotenv.load(path, environment)
    assert values is not None
    assert values["UNQUOTED"] == "pa" and values["SPACED"] == "value"
    assert values["SINGLE"] == "db.internal in single quotes"
    assert values["BACKTICK"] == "a#b'c\"d" and values["COLON"] == "colon value"
    assert values["BACKSLASHES"] == "a\\\\b\nc"
    assert values["DOUBLE"] == "p#ss@db.internal"
    assert values["EARLY"] == "postgresql://u@late.host/db"
    assert values["ESCAPED"] == "${HOST}" and values["BARE"] == "$HOST" and values["EMPTY"] == ""
    assert values["MULTI"] == "one\ntwo" and values["EMPTY_NAME"] == "ab"
    assert environment["EARLY"] == values["EARLY"]


def test_the_environment_wins_over_a_file_and_expands_into_it(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("HOST=from-file\nURL=postgresql://${HOST}/db\nSELF=${SELF}x\n")
    environment = {"HOST": "from-env"}
    values = dotenv.load(path, environment)
    assert values is not None and values["URL"] == "postgresql://from-env/db" and environment["HOST"] == "from-env"
    assert values["SELF"].endswith("x")  # a loop stops instead of overflowing


# --- which files, in which order -------------------------------------------------------------


def _prisma_folder(root: Path) -> Path:
    folder = root / "prisma" / "migrations"
    folder.mkdir(parents=True)
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    return folder


def test_env_files_are_the_project_roots_then_the_schemas(tmp_path: Path) -> None:
    folder = _prisma_folder(tmp_path)
    assert env_files(folder, tmp_path) == []
    (tmp_path / ".env").write_text("A=1\n")
    assert env_files(folder, tmp_path) == [tmp_path / ".env"]
    (tmp_path / "prisma" / ".env").write_text("A=2\n")
    assert env_files(folder, tmp_path) == [tmp_path / "prisma" / ".env"]  # no package.json: no project root
    (tmp_path / "package.json").write_text('{"name": "app"}')
    assert env_files(folder, tmp_path) == [tmp_path / ".env", tmp_path / "prisma" / ".env"]


def test_the_option_then_the_datasource_then_database_url(tmp_path: Path) -> None:
    folder = _prisma_folder(tmp_path)
    (tmp_path / "package.json").write_text('{"name": "app"}')
    (tmp_path / ".env").write_text("DATABASE_URL=postgresql://root-env/db\nDIRECT=postgresql://root-direct/db\n")
    (tmp_path / "prisma" / ".env").write_text("DATABASE_URL=postgresql://prisma-env/db\nPOOLED=postgresql://pool/db\n")
    assert resolve_url("postgresql://option/db", folder, {}, cwd=tmp_path) == ("postgresql://option/db", "--database-url")
    # The project root's .env is loaded first, and a variable already set is not replaced.
    assert resolve_url(None, folder, {}, cwd=tmp_path) == ("postgresql://root-env/db", "DATABASE_URL in .env")
    assert resolve_url(None, folder, {"DATABASE_URL": "postgresql://environ/db"}, cwd=tmp_path) == (
        "postgresql://environ/db", "$DATABASE_URL")

    schema = tmp_path / "prisma" / "schema.prisma"
    schema.write_text('datasource db {\n  provider = "postgresql"\n  url = env("POOLED")\n'
                      '  // directUrl = env("COMMENTED")\n}\n')
    assert resolve_url(None, folder, {}, cwd=tmp_path) == (
        "postgresql://pool/db", 'url = env("POOLED") in prisma/schema.prisma:3, POOLED in prisma/.env')
    schema.write_text('datasource db {\n  provider = "postgresql"\n  url = env("POOLED")\n  directUrl = env("DIRECT")\n}\n')
    assert resolve_url(None, folder, {}, cwd=tmp_path) == (
        "postgresql://root-direct/db", 'directUrl = env("DIRECT") in prisma/schema.prisma:4, DIRECT in .env')
    schema.write_text('datasource db {\n  provider = "postgresql"\n  url = "postgresql://literal//db"\n}\n')
    assert resolve_url(None, folder, {}, cwd=tmp_path) == (
        "postgresql://literal//db", "url in prisma/schema.prisma:3")


def test_a_datasource_variable_nobody_set_is_named(tmp_path: Path) -> None:
    folder = _prisma_folder(tmp_path)
    (tmp_path / "prisma" / "schema").mkdir()
    (tmp_path / "prisma" / "schema" / "base.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n  directUrl = env("DIRECT_URL")\n}\n')
    with pytest.raises(UserError) as raised:
        resolve_url(None, folder, {"DATABASE_URL": "postgresql://pooler/db"}, cwd=tmp_path)
    assert str(raised.value) == (
        'no database URL: directUrl = env("DIRECT_URL") in prisma/schema/base.prisma:4, and DIRECT_URL is not set '
        "(read from the environment and no .env file); set it, or pass --database-url")
    # lint (not required) lints without a database, and says why only when DATABASE_URL is set.
    assert resolve_url(None, folder, {}, cwd=tmp_path, required=False) is None
    with pytest.raises(UserError):
        resolve_url(None, folder, {"DATABASE_URL": "postgresql://pooler/db"}, cwd=tmp_path, required=False)
    assert resolve_url(None, folder, {"DIRECT_URL": "postgresql://direct/db"}, cwd=tmp_path) == (
        "postgresql://direct/db", 'directUrl = env("DIRECT_URL") in prisma/schema/base.prisma:4, $DIRECT_URL')


@pytest.mark.parametrize("expression", ['env("CONFIG_URL")', "env('CONFIG_URL')", "process.env.CONFIG_URL",
                                        'process.env["CONFIG_URL"]'])
def test_prisma_config_datasource_url(tmp_path: Path, expression: str) -> None:
    folder = _prisma_folder(tmp_path)
    (tmp_path / "prisma" / "schema.prisma").write_text('datasource db {\n  provider = "postgresql"\n}\n')
    (tmp_path / ".env").write_text("CONFIG_URL=postgresql://from-dotenv/db\n")
    config = tmp_path / "prisma.config.ts"
    config.write_text('import { defineConfig, env } from "prisma/config"\n\nexport default defineConfig({\n'
                      f'  schema: "prisma/schema.prisma",\n  datasource: {{\n    url: {expression},\n  }},\n}})\n')
    # Without dotenv/config, Prisma reads no .env file when a config file exists.
    with pytest.raises(UserError, match=r"prisma.config.ts does not import dotenv/config, so no .env file is read"):
        resolve_url(None, folder, {}, cwd=tmp_path)
    config.write_text('import "dotenv/config"\n' + config.read_text())
    assert resolve_url(None, folder, {}, cwd=tmp_path) == (
        "postgresql://from-dotenv/db", f'datasource.url = env("CONFIG_URL") in prisma.config.ts:7, CONFIG_URL in .env')


# --- URLs as Prisma reads them ---------------------------------------------------------------


def test_the_user_info_runs_to_the_last_at() -> None:
    parsed = parse_url("postgresql://app:p@ss@w0rd:x@db.example.com:6432/prod")
    assert parsed.parameters == {"user": "app", "password": "p@ss@w0rd:x", "host": "db.example.com", "port": "6432",
                                 "dbname": "prod"}
    assert parsed.shown == "postgresql://app:***@db.example.com:6432/prod"


def test_encoded_parts_are_decoded_and_the_query_is_form_encoded() -> None:
    parsed = parse_url("postgres://us%40er:p%23%3F%2F%25%20w@[::1]:5432/my%20db?schema=my+app&sslmode=require")
    assert parsed.parameters == {"user": "us@er", "password": "p#?/% w", "host": "::1", "port": "5432",
                                 "dbname": "my db", "sslmode": "require"}
    assert parsed.schema == "my app"
    assert set(parsed.secrets) >= {"p%23%3F%2F%25%20w", "p#?/% w"}


def test_a_password_that_decodes_to_no_utf8_is_taken_as_written() -> None:
    assert parse_url("postgresql://u:pw%FFx@h/db").parameters["password"] == "pw%FFx"
    assert parse_url("postgresql://u:pw%C3%A9@h/db").parameters["password"] == "pwé"


def test_prisma_parameters_and_unknown_ones_never_reach_libpq() -> None:
    url = ("postgresql://app:pw@db/prod?schema=s&connection_limit=5&pool_timeout=10&pgbouncer=true&"
           "statement_cache_size=0&socket_timeout=3&sslaccept=strict&sslidentity=id.p12&sslpassword=idpass&"
           "max_connection_lifetime=1&max_idle_connection_lifetime=2&frobnicate=1&x-migrations-table=m&"
           "host=%2Fvar%2Frun&application_name=deploy&target_session_attrs=read-write")
    parsed = parse_url(url)
    assert parsed.parameters == {"user": "app", "password": "pw", "host": "/var/run", "dbname": "prod",
                                 "application_name": "deploy", "target_session_attrs": "read-write"}
    assert parsed.pgbouncer and parsed.schema == "s"
    assert "idpass" not in parsed.shown and "sslpassword=***" in parsed.shown


@pytest.mark.parametrize("url", [
    "postgresql://u:pa#XSECRETX@host/db",
    "postgresql://u:pa?XSECRETX@host/db",
    "postgresql://u:pa/XSECRETX@host/db",
    "postgresql://u:pa/X?S#ECRETX@host:5432/db?schema=a",
])
def test_an_unencoded_slash_question_mark_or_hash_is_refused_without_quoting(url: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_url(url)
    message = str(raised.value)
    assert "percent-encode" in message and "pa" not in message.replace("password", "").replace("part", "")
    assert "SECRET" not in message and "SECRET" not in redact(url)


@pytest.mark.parametrize("url", [
    "prisma://accelerate.prisma-data.net/?api_key=eyJSECRETKEY",
    "prisma+postgres://accelerate.prisma-data.net/?api_key=eyJSECRETKEY",
    "PRISMA://accelerate.prisma-data.net/?api_key=eyJSECRETKEY",
])
def test_accelerate_urls_are_refused_in_one_line(url: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_url(url)
    assert "directUrl" in str(raised.value) and "SECRETKEY" not in str(raised.value)
    assert "SECRETKEY" not in redact(url)


def test_other_schemes_are_refused() -> None:
    with pytest.raises(UserError, match=r"^the database URL is a mysql:// URL"):
        parse_url("mysql://root:pw@localhost/db")


def test_secrets_are_scrubbed_in_every_form() -> None:
    url = "postgresql://app:s%40cret%2Fpw@db/prod?password=qpass&api_key=k3y-123"
    secrets = secrets_of(url)
    message = "s@cret/pw s%40cret%2Fpw qpass k3y-123 stay: db prod app"
    assert scrub(message, secrets) == "*** *** *** *** stay: db prod app"
    assert redact(url) == "postgresql://app:***@db/prod?password=***&api_key=***"


def test_keyword_strings_keep_working() -> None:
    parameters = connection_parameters("host=db user=app password='two words' sslpassword=kp dbname=prod")
    assert parameters["password"] == "two words" and parameters["dbname"] == "prod"
    assert redact("host=db user=app password='two words' sslpassword=kp") == (
        "host=db user=app password=*** sslpassword=***")


@pytest.mark.parametrize("text", [
    "host=/tmp password=pa XSECRETX dbname=x",  # libpq: missing "=" after "XSECRETX"
    "host=/tmp password='pa XSECRETX dbname=x",  # unterminated quoted string
])
def test_a_keyword_string_libpq_cannot_read_is_not_repeated(text: str) -> None:
    with pytest.raises(UserError) as raised:
        connection_parameters(text)
    assert "SECRET" not in str(raised.value) and "single quotes" in str(raised.value)
    assert "SECRET" not in redact(text)


def test_a_keyword_string_is_shown_from_what_libpq_read() -> None:
    assert redact("password=pa\\ XSECRETX host=/tmp port=1") == "password=*** host=/tmp port=1"
    assert redact("host='/my dir' user=o\\'k") == "host='/my dir' user='o\\'k'"
