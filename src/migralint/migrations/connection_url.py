"""Where `apply`, `status` and `resolve` find the database URL, as Prisma does.

`--database-url`, then `$DATABASE_URL`, then `DATABASE_URL` in a `.env` file: the one next to
the migrations folder (`prisma/.env` for `prisma/migrations`), then the one in the working
directory. Values may be quoted and may use `${OTHER}` (dotenv-expand, which Prisma uses).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from migralint.errors import UserError

VARIABLE = "DATABASE_URL"
_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?P<value>.*?)\s*$")
_EXPAND = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")
_QUOTED = re.compile(r"""^(?P<quote>["'])(?P<body>(?:\\.|(?!(?P=quote)).)*)(?P=quote)\s*(?:#.*)?$""")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class ResolvedUrl(NamedTuple):
    url: str
    origin: str  # for messages: "--database-url", "$DATABASE_URL", "prisma/.env"


def resolve_url(option: str | None, folder: Path, environ: Mapping[str, str] | None = None) -> ResolvedUrl:
    """The database URL for the migrations in `folder`; UserError when none is given anywhere."""
    from migralint.linter.run import display_path

    environ = os.environ if environ is None else environ
    if option:
        return ResolvedUrl(option, "--database-url")
    if environ.get(VARIABLE):
        return ResolvedUrl(environ[VARIABLE], f"${VARIABLE}")
    candidates = env_files(folder)
    for path in candidates:
        value = read_dotenv(path, environ).get(VARIABLE)
        if value:
            return ResolvedUrl(value, display_path(path))
    looked = ", ".join(display_path(path) for path in candidates)
    raise UserError(f"no database URL: pass --database-url, set {VARIABLE}, or put {VARIABLE} in {looked}")


def env_files(folder: Path) -> list[Path]:
    """The .env files to read, nearest first: next to the migrations folder, then the working directory."""
    found: list[Path] = []
    for path in (folder.resolve().parent / ".env", Path.cwd().resolve() / ".env"):
        if path not in found:
            found.append(path)
    return found


def read_dotenv(path: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables a .env file sets; an absent or unreadable file sets none."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if match is None or line.lstrip().startswith("#"):
            continue
        raw = match["value"]
        quoted = _QUOTED.match(raw)
        if quoted and quoted["quote"] == "'":
            values[match["key"]] = quoted["body"]  # single quotes: taken literally, never expanded
            continue
        if quoted:
            value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), quoted["body"])
        else:
            value = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
        values[match["key"]] = _EXPAND.sub(lambda m: environ.get(m["name"], values.get(m["name"], "")), value)
    return values
