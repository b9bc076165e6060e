"""Where the database is: one resolver for `lint`, `status`, `apply` and `resolve`.

In order: `--database-url`; then the Prisma project's datasource (`datasource.url` in
`prisma.config.ts`, then `directUrl`, then `url` in the schema), each a literal or an
environment variable; then `DATABASE_URL`. Variables come from the environment, then from the
`.env` files the Prisma CLI reads (prisma/prisma 6.19, packages/internals/src/utils/getEnvPaths.ts
and tryLoadEnvs.ts):

1. the `.env` beside the nearest `package.json` above the working directory (the project root);
2. the first that exists of: the `.env` beside the schema (the migrations folder's parent),
   `prisma/.env`, `.env` in the working directory.

A variable already set wins over a file's, and the first file loaded wins over the second.
With a `prisma.config.ts`, Prisma reads no `.env` file itself (6.19's loadEnvFile skips it;
7's config loader passes `dotenv: false`): only an `import "dotenv/config"` in it loads
`.env` from the working directory, without `${}` expansion.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from migralint.database import dotenv
from migralint.errors import UserError
from migralint.migrations.prisma_datasource import PrismaProject, UrlSetting, read_project
from migralint.source import display_path

VARIABLE = "DATABASE_URL"
ENVIRONMENT = "the environment"


class ResolvedUrl(NamedTuple):
    url: str
    origin: str  # for messages, never the value: "--database-url", "$DATABASE_URL", 'directUrl = env("X") ...'


class Variables(NamedTuple):
    values: dict[str, str]
    origins: dict[str, str]  # where each came from: ENVIRONMENT or a .env path as shown
    files: list[str]  # the .env files read, as shown


def resolve_url(
    option: str | None,
    folder: Path,
    environ: Mapping[str, str] | None = None,
    *,
    cwd: Path | None = None,
    required: bool = True,
) -> ResolvedUrl | None:
    """The database URL for the migrations in `folder`; UserError when none is given anywhere
    (None instead when not `required`), or when the datasource names a variable nobody set."""
    if option:
        return ResolvedUrl(option, "--database-url")
    cwd = (cwd or Path.cwd()).resolve()
    environ = os.environ if environ is None else environ
    project = read_project(folder.resolve(), cwd)
    variables = load_variables(folder.resolve(), cwd, environ, project)
    for setting in project.settings:
        try:
            found = _from_setting(setting, variables, project)
        except UserError:
            # lint without a URL lints without a database; say so only when DATABASE_URL would
            # have given one before the datasource was read, so that the change is no surprise.
            if required or variables.values.get(VARIABLE):
                raise
            return None
        if found is not None:
            return found
    if variables.values.get(VARIABLE):
        return ResolvedUrl(variables.values[VARIABLE], _variable_origin(VARIABLE, variables))
    if not required:
        return None
    looked = f"read: {', '.join(variables.files)}" if variables.files else "none was found"
    raise UserError(f"no database URL: pass --database-url, set {VARIABLE}, or put it in a .env file Prisma reads "
                    f"({looked}; see docs/apply.md)")


def load_variables(folder: Path, cwd: Path, environ: Mapping[str, str], project: PrismaProject) -> Variables:
    values = dict(environ)
    origins = dict.fromkeys(environ, ENVIRONMENT)
    files: list[str] = []
    if project.config is not None:
        paths = [cwd / ".env"] if project.loads_dotenv else []
        expand = False
    else:
        paths = env_files(folder, cwd)
        expand = True
    for path in paths:
        before = set(values)
        parsed = dotenv.load(path, values, expand=expand)
        if parsed is None:
            continue
        files.append(display_path(path))
        for key in set(values) - before:
            origins[key] = display_path(path)
    return Variables(values, origins, files)


def env_files(folder: Path, cwd: Path) -> list[Path]:
    """The .env files the Prisma CLI loads, in its order: the project root's, then the schema's."""
    found: list[Path] = []
    root = _project_root(cwd)
    if root is not None and (root / ".env").is_file():
        found.append(root / ".env")
    for candidate in (folder.parent / ".env", cwd / "prisma" / ".env", cwd / ".env"):
        if candidate.is_file():
            if candidate.resolve() not in [path.resolve() for path in found]:
                found.append(candidate)
            break
    return found


def _project_root(cwd: Path) -> Path | None:
    """The folder of the nearest package.json above `cwd` that is not Prisma's generated client."""
    for directory in (cwd, *cwd.parents):
        package = directory / "package.json"
        if package.is_file():
            try:
                if json.loads(package.read_text(encoding="utf-8")).get("name") == ".prisma/client":
                    continue
            except (OSError, ValueError, AttributeError):
                continue  # as Prisma: an unreadable package.json is skipped
            return directory
    return None


def _from_setting(setting: UrlSetting, variables: Variables, project: PrismaProject) -> ResolvedUrl | None:
    where = f"{display_path(setting.path)}:{setting.line}"
    if setting.env is None:
        return ResolvedUrl(setting.value or "", f"{setting.field} in {where}") if setting.value else None
    said = f'{setting.field} = env("{setting.env}") in {where}'
    value = variables.values.get(setting.env)
    if value:
        return ResolvedUrl(value, f"{said}, {_variable_origin(setting.env, variables)}")
    if project.config is not None and not project.loads_dotenv:
        hint = f"{display_path(project.config)} does not import dotenv/config, so no .env file is read"
    else:
        hint = f"read from the environment and {', '.join(variables.files) or 'no .env file'}"
    raise UserError(f"no database URL: {said}, and {setting.env} is not set ({hint}); "
                    "set it, or pass --database-url")


def _variable_origin(name: str, variables: Variables) -> str:
    origin = variables.origins.get(name, ENVIRONMENT)
    return f"${name}" if origin == ENVIRONMENT else f"{name} in {origin}"
