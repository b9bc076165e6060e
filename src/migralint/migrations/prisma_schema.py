"""The Prisma schema beside a migrations folder, and the provider its `datasource` block names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from migralint.source import read_text

# A `datasource NAME { ... }` block of a schema file (prisma_datasource reads its URLs too).
DATASOURCE_BLOCK = re.compile(r"\bdatasource\s+\w+\s*\{(?P<body>[^}]*)\}")
_PROVIDER = re.compile(r"^\s*provider\s*=\s*(?P<value>\"[^\"\n]*\"|[^\s]+)", re.M)
_COMMENT = re.compile(r"//[^\n]*")
_ALIASES = {"postgres": "postgresql"}  # Prisma accepts both; migration_lock.toml says postgresql


class DatasourceProvider(NamedTuple):
    path: Path
    provider: str
    line: int


def schema_files(migrations_root: Path) -> list[Path]:
    """The .prisma files that may hold the datasource: `schema.prisma` and any other .prisma file
    in the migrations folder's parent (`prisma/` for `prisma/migrations`), and the files of
    Prisma's multi-file schema folder `prisma/schema/`."""
    parent = migrations_root.parent
    found = sorted(parent.glob("*.prisma"))
    schema_folder = parent / "schema"
    if schema_folder.is_dir():
        found.extend(sorted(schema_folder.rglob("*.prisma")))
    return [path for path in found if path.is_file()]


def datasource_providers(path: Path) -> list[DatasourceProvider]:
    """The provider of each `datasource` block in a schema file; an env() call or an unreadable
    file says nothing."""
    text = read_schema(path)
    if text is None:
        return []
    # Blank comments out, keeping offsets, so that a commented-out block does not count.
    text = _COMMENT.sub(lambda m: " " * len(m.group()), text)
    found = []
    for block in DATASOURCE_BLOCK.finditer(text):
        provider = _PROVIDER.search(block["body"])
        if provider is None or not provider["value"].startswith('"'):
            continue
        value = provider["value"].strip('"')
        offset = block.start("body") + provider.start("value")
        found.append(DatasourceProvider(path, _ALIASES.get(value, value), text.count("\n", 0, offset) + 1))
    return found


def normalized_provider(provider: str) -> str:
    return _ALIASES.get(provider, provider)


def read_schema(path: Path) -> str | None:
    """A schema or config file's text; None when it cannot be read as UTF-8 (a FIFO, a device,
    no permission): what such a file would say is then unknown, and nothing is assumed."""
    try:
        return read_text(path)
    except (OSError, UnicodeDecodeError):
        return None
