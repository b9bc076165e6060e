"""Database URLs read as Prisma reads them, turned into libpq parameters, and shown without secrets.

Prisma's schema engine parses the URL with the `url` crate (WHATWG rules) and reads its query
with quaint's `PostgresUrl` (prisma/prisma-engines quaint/src/connector/postgres/url.rs):

- the user info is everything before the *last* `@` of the authority, and the authority ends
  at the first `/`, `?` or `#`: an unencoded `/`, `?` or `#` in a password makes the URL
  unreadable to Prisma (it reads the start of the password as a port), so migralint refuses it
  too, with a sentence that says what to encode and repeats nothing of the URL;
- user name and password are percent-decoded; the database is the first path segment; a
  `host` query parameter wins over the URL's host; the query is form-encoded (`+` is a space);
- Prisma's own parameters (`schema`, `connection_limit`, `pool_timeout`, `pgbouncer`,
  `statement_cache_size`, `socket_timeout`, `max_connection_lifetime`,
  `max_idle_connection_lifetime`, `sslaccept`, `sslidentity`, `sslpassword`) never reach libpq;
  `schema` becomes the search_path. Any other parameter libpq does not know is dropped, as
  quaint discards it; golang-migrate's `x-...` ones too;
- `prisma://` (Accelerate) and `prisma+postgres://` (Prisma Postgres, through a websocket with
  an `api_key`) are not PostgreSQL connections: refused in one line.

Secrets (the password, `password=`, `sslpassword=`, `api_key=`, OAuth and SCRAM keys) are
collected as written and decoded, so that `scrub` can take them out of any message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

from migralint.errors import UserError

PRISMA_PARAMETERS = frozenset({
    "schema", "connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size", "socket_timeout",
    "max_connection_lifetime", "max_idle_connection_lifetime", "sslaccept", "sslidentity", "sslpassword",
})
SECRET_PARAMETERS = frozenset({
    "password", "sslpassword", "api_key", "oauth_client_secret", "scram_client_key", "scram_server_key",
})
_SCHEME = re.compile(r"^(?P<jdbc>jdbc:)?(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://", re.I)
_POSTGRES_SCHEMES = ("postgres", "postgresql")
_PRISMA_SCHEMES = ("prisma", "prisma+postgres")
_KEYWORD_SECRET = re.compile(
    r"(\b(?:password|sslpassword|oauth_client_secret|scram_client_key|scram_server_key)\s*=\s*)"
    r"('(?:[^'\\]|\\.)*'|\S+)", re.I)
_HOST = re.compile(r"^(?P<host>\[[^\]]*\]|[^:]*)(?::(?P<port>.*))?$")
# Shorter secrets are not searched for in messages: "pw" would turn "password" into "***ssword".
MIN_SCRUBBED = 3


@dataclass(frozen=True)
class ParsedUrl:
    """A database URL read as Prisma reads it: libpq's parameters, the URL as it may be shown, and
    Prisma's own options."""

    parameters: dict[str, str]  # for libpq
    shown: str  # the URL with every secret replaced by ***
    schema: str | None = None  # Prisma's ?schema=
    pgbouncer: bool = False  # Prisma's ?pgbouncer=true
    secrets: tuple[str, ...] = field(default=())


def parse_url(url: str) -> ParsedUrl:
    """The URL (or libpq keyword string) read as Prisma reads it; UserError, quoting none of it, when it cannot be."""
    text = url.strip()
    scheme = _SCHEME.match(text)
    if scheme is None:
        return _parse_keywords(text)
    name = scheme["scheme"].lower()
    if name in _PRISMA_SCHEMES:
        raise UserError(
            f"the database URL is a {name}:// URL (Prisma Accelerate or Prisma Postgres), which only Prisma's own "
            "client can use: give the direct postgresql:// URL (Prisma's directUrl) to migralint"
        )
    if name not in _POSTGRES_SCHEMES:
        raise UserError(f"the database URL is a {name}:// URL: migralint needs a postgresql:// URL")
    return _parse_postgres_url(text, prefix=text[:scheme.end()])


def _parse_postgres_url(text: str, prefix: str) -> ParsedUrl:
    rest = text[len(prefix):]
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    authority, remainder = rest[:end], rest[end:]
    userinfo, at, hostport = authority.rpartition("@")
    if not at and "@" in remainder and _unencoded_in_userinfo(authority):
        raise UserError(
            "the database URL cannot be read: its password (or user name) holds an unencoded '/', '?' or '#', "
            "which ends the host part for Prisma too; percent-encode them ('/' is %2F, '?' is %3F, '#' is %23)"
        )
    user_raw, colon, password_raw = userinfo.partition(":")
    secrets: list[str] = [password_raw, _decoded(password_raw)] if colon else []
    parameters: dict[str, str] = {}
    if user_raw:
        parameters["user"] = _decoded(user_raw)
    if colon:
        parameters["password"] = _decoded(password_raw)
    hosts, ports = _hosts(hostport)
    if any(hosts):
        parameters["host"] = ",".join(hosts)
    if any(ports):
        parameters["port"] = ",".join(ports)
    path, _, query = remainder.partition("#")[0].partition("?")
    database = path[1:].split("/", 1)[0] if path.startswith("/") else ""
    if database:
        parameters["dbname"] = unquote(database)
    schema: str | None = None
    pgbouncer = False
    shown_query: list[str] = []
    known = _libpq_keywords()
    for pair in filter(None, query.split("&")):
        key_raw, equals, value_raw = pair.partition("=")
        key, value = unquote_plus(key_raw), unquote_plus(value_raw)
        secret = key.lower() in SECRET_PARAMETERS
        if secret:
            secrets += [value_raw, value, unquote(value_raw)]
        shown_query.append(f"{key_raw}=***" if secret else pair)
        if key == "schema":
            schema = value
        elif key == "pgbouncer":
            pgbouncer = value.lower() == "true"
        elif key in PRISMA_PARAMETERS or key.startswith("x-") or key not in known:
            continue
        else:
            parameters[key] = value
    shown_user = f"{user_raw}:***@" if colon else f"{user_raw}@" if at else ""
    shown = f"{prefix}{shown_user}{hostport}{path}" + (f"?{'&'.join(shown_query)}" if shown_query else "")
    return ParsedUrl(parameters, shown, schema, pgbouncer, _unique(secrets))


def _decoded(text: str) -> str:
    """Percent-decoded, or as written when that is no UTF-8 (quaint's username() and password())."""
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text


def _unencoded_in_userinfo(authority: str) -> bool:
    """An `@` after the host part, and a "port" that is no number: a password cut at `/`, `?` or `#`."""
    _, colon, port = authority.rpartition(":")
    return bool(colon) and not port.isdigit() and not authority.endswith("]")


def _hosts(hostport: str) -> tuple[list[str], list[str]]:
    hosts: list[str] = []
    ports: list[str] = []
    for item in hostport.split(","):
        match = _HOST.match(item)
        host, port = (match["host"], match["port"] or "") if match else (item, "")
        if port and not port.isdigit():
            raise UserError("the database URL cannot be read: its port is not a number (a password with an "
                            "unencoded '@', '/', '?' or '#' reads that way; percent-encode them)")
        hosts.append(unquote(host[1:-1] if host.startswith("[") and host.endswith("]") else host))
        ports.append(port)
    return hosts, ports


def _parse_keywords(text: str) -> ParsedUrl:
    """A libpq `key=value` string. libpq's own parse errors quote the text they stumbled on (a
    password cut at an unquoted space, say), so they are not repeated: one sentence says what to fix."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parameters = {key: str(value) for key, value in conninfo_to_dict(text).items()}
    except Exception:  # psycopg.ProgrammingError: libpq could not parse it
        raise UserError("the database connection string cannot be read by libpq: write it as key=value pairs, "
                        "with a value that holds spaces, quotes or backslashes in single quotes "
                        "(password='a b'), or use a postgresql:// URL") from None
    secrets = [value for key, value in parameters.items() if key in SECRET_PARAMETERS]
    def written_at(key: str) -> int:  # libpq returns its own order: show the user's
        found = re.search(rf"(?<![\w.-]){re.escape(key)}\s*=", text)
        return found.start() if found else len(text)

    shown = " ".join(f"{key}=***" if key in SECRET_PARAMETERS else f"{key}={_keyword_value(parameters[key])}"
                     for key in sorted(parameters, key=written_at))
    return ParsedUrl(parameters, shown, secrets=_unique(secrets))


def _keyword_value(value: str) -> str:
    if value and not re.search(r"[\s'\\]", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def redact(url: str) -> str:
    """The URL or connection string with every secret replaced by ***; never the URL itself when it cannot be read."""
    try:
        return parse_url(url).shown
    except UserError:
        scheme = _SCHEME.match(url.strip())
        return f"the {scheme['scheme'].lower()}:// URL given" if scheme else "the connection string given"


def secrets_of(url: str) -> tuple[str, ...]:
    """Every secret of the URL, as written and decoded; for an unreadable URL, whatever could be one."""
    try:
        return parse_url(url).secrets
    except UserError:
        text = url.strip()
        scheme = _SCHEME.match(text)
        rest = text[scheme.end():] if scheme else text
        userinfo = rest.rpartition("@")[0]
        password = userinfo.partition(":")[2]
        found = [password, unquote(password)] + re.split(r"[/?#@:]", password)
        found += [m[2].strip("'") for m in _KEYWORD_SECRET.finditer(text)]
        found += re.findall(r"(?:password|api_key)=([^&#\s]+)", text, re.I)
        return _unique(found)


def scrub(message: str, secrets: tuple[str, ...] | list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SCRUBBED:
            message = message.replace(secret, "***")
    return message


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _libpq_keywords() -> frozenset[str]:
    from psycopg import pq

    return frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())
