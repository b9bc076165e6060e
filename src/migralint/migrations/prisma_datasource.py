"""Where a Prisma project says its database is: `prisma.config.ts` and the schema's `datasource` block.

`prisma migrate deploy` connects through `directUrl` when the datasource has one, else `url`
(Prisma 5/6 schema files); with Prisma 7 the URL is `datasource.url` in `prisma.config.ts`.
Each is a literal string or `env("NAME")` (`process.env.NAME` in the config file). Only what
can be read without running TypeScript is understood: a string literal, `env("NAME")` /
`env('NAME')` and `process.env.NAME` / `process.env["NAME"]`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from migralint.migrations.prisma_schema import DATASOURCE_BLOCK, read_schema, schema_files

CONFIG_NAMES = tuple(f"prisma.config.{ext}" for ext in ("ts", "mts", "cts", "js", "mjs", "cjs"))
_SCHEMA_FIELD = re.compile(r"^\s*(?P<field>url|directUrl)\s*=\s*(?P<value>[^\n]+)", re.M)
_SCHEMA_ENV = re.compile(r"""^env\(\s*(?P<q>["'])(?P<name>[^"']+)(?P=q)\s*\)""")
_SCHEMA_STRING = re.compile(r'^"(?P<text>(?:\\.|[^"\\])*)"')
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# `datasource: { url: ... }` in the config; the value up to the next comma, brace or line end.
_CONFIG_DATASOURCE = re.compile(r"\bdatasource\s*:\s*\{(?P<body>[^}]*)\}")
_CONFIG_FIELD = re.compile(r"(?<![\w$])(?P<field>url|directUrl)\s*:\s*(?P<value>[^,}\n]+)")
_CONFIG_ENV = re.compile(
    r"""^(?:env\(\s*(?P<q>["'`])(?P<name>\w+)(?P=q)\s*\)"""
    r"""|process\.env\.(?P<dotted>\w+)|process\.env\[\s*(?P<q2>["'`])(?P<indexed>\w+)(?P=q2)\s*\])"""
)
_CONFIG_STRING = re.compile(r"""^(?P<q>["'`])(?P<text>[^"'`$]*)(?P=q)""")
_DOTENV_IMPORT = re.compile(r"""(?:import\s+["']dotenv/config["']|require\(\s*["']dotenv/config["']\s*\)"""
                            r"""|\bdotenv\s*\.\s*config\s*\(|import\s*\{[^}]*\bconfig\b[^}]*\}\s*from\s*["']dotenv["'])""")


class UrlSetting(NamedTuple):
    """One place that names the URL: `env` is the variable it reads, or None for a literal `value`."""

    path: Path
    field: str  # "url", "directUrl", or "datasource.url" in the config file
    env: str | None
    value: str | None
    line: int


class PrismaProject(NamedTuple):
    config: Path | None  # prisma.config.ts, when there is one
    loads_dotenv: bool  # the config file imports dotenv/config (Prisma itself then reads no .env)
    settings: list[UrlSetting]  # in the order Prisma prefers them


def find_config(start: Path) -> Path | None:
    """prisma.config.ts (or .js, .mjs, ...) in `start`, where Prisma looks for it (the working directory)."""
    for name in CONFIG_NAMES:
        path = start / name
        if path.is_file():
            return path
    return None


def read_project(migrations_root: Path, cwd: Path) -> PrismaProject:
    """The URL settings of the Prisma project that owns `migrations_root`: the config file's
    `datasource.url` first (Prisma 7 reads nothing else), then each schema file's `directUrl`,
    then its `url`."""
    config = find_config(cwd)
    settings: list[UrlSetting] = []
    loads_dotenv = False
    if config is not None:
        text = read_schema(config)
        if text is not None:
            text = _strip_comments(text)
            loads_dotenv = _DOTENV_IMPORT.search(text) is not None
            settings += _config_settings(config, text)
    schema_settings: list[UrlSetting] = []
    for path in schema_files(migrations_root):
        text = read_schema(path)
        if text is not None:
            schema_settings += _schema_settings(path, _strip_comments(text))
    settings += [s for s in schema_settings if s.field == "directUrl"] + [s for s in schema_settings if s.field == "url"]
    return PrismaProject(config, loads_dotenv, settings)


def _schema_settings(path: Path, text: str) -> list[UrlSetting]:
    found: list[UrlSetting] = []
    for block in DATASOURCE_BLOCK.finditer(text):
        for field in _SCHEMA_FIELD.finditer(block["body"]):
            value = field["value"].strip()
            line = text.count("\n", 0, block.start("body") + field.start("field")) + 1
            env = _SCHEMA_ENV.match(value)
            literal = _SCHEMA_STRING.match(value)
            if env:
                found.append(UrlSetting(path, field["field"], env["name"], None, line))
            elif literal:
                found.append(UrlSetting(path, field["field"], None, _unescape(literal["text"]), line))
    return found


def _config_settings(path: Path, text: str) -> list[UrlSetting]:
    found: list[UrlSetting] = []
    for block in _CONFIG_DATASOURCE.finditer(text):
        for field in _CONFIG_FIELD.finditer(block["body"]):
            value = field["value"].strip()
            line = text.count("\n", 0, block.start("body") + field.start("field")) + 1
            name = f"datasource.{field['field']}"
            env = _CONFIG_ENV.match(value)
            literal = _CONFIG_STRING.match(value)
            if env:
                found.append(UrlSetting(path, name, env["name"] or env["dotted"] or env["indexed"], None, line))
            elif literal:
                found.append(UrlSetting(path, name, None, literal["text"], line))
    # directUrl first, as in the schema (Prisma 6's config accepts one; Prisma 7 has url only)
    return sorted(found, key=lambda s: s.field != "datasource.directUrl")


def _strip_comments(text: str) -> str:
    text = _BLOCK_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)
    # `//` inside a string (a URL) is not a comment: only blank it where it starts a line or follows space
    return re.sub(r"(^|\s)//[^\n]*", lambda m: m[1], text)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)

