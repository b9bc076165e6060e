"""Settings: defaults, then the nearest config file, then --config, then command-line flags.

The nearest `migralint.toml`, or `pyproject.toml` with a `[tool.migralint]` table, found by
walking up from the working directory, is used whole; parents are not merged. Reading a file
into Settings is config_file.py's: it checks the rule names against the registry, which imports
this module.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from migralint.findings import RuleInfo, Severity
from migralint.sql.dialect import Dialect

DEFAULT_PG_VERSION = 15
# MySQL's current LTS release; what an ALTER costs changed in 8.0.12 and 8.0.29 (sql/mysql/locks.py).
DEFAULT_MYSQL_VERSION = (8, 4)
OLDEST_PG_VERSION = 9


@dataclass(frozen=True, slots=True)
class Settings:
    pg_version: int = DEFAULT_PG_VERSION
    strict: bool = False
    select: tuple[str, ...] | None = None  # None: every rule that is on by default
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    migrations_dir: str | None = None
    runner_sets_lock_timeout: bool = False
    runner_sets_statement_timeout: bool = False
    assume_in_transaction: bool = False
    applied_through: str | None = None  # migrations after this one are pending: their tables are empty
    base: str | None = None  # lint --staged: the commit whose migrations are applied (default: the upstream)
    small_table_rows: int = 10_000  # lock findings on tables with fewer rows (per the database) only warn
    cache: bool = True  # keep results between runs (docs/cache.md)
    cache_dir: str | None = None  # where (relative to the config file); default .migralint_cache beside it
    # The database of files whose folder and name do not say it (a Prisma provider and a popx
    # file name do); None: PostgreSQL.
    dialect: Dialect | None = None
    mysql_version: tuple[int, ...] = DEFAULT_MYSQL_VERSION
    mariadb_version: tuple[int, ...] | None = None  # set: the MySQL files run on MariaDB
    root: Path = field(default_factory=Path.cwd)  # where relative paths in settings start
    source: Path | None = None  # the config file these came from

    def severity_for(self, rule: RuleInfo) -> Severity:
        return self.severity.get(rule.name, rule.severity)

    def ignored_in_file(self, path: str) -> frozenset[str]:
        """Rules that per-file-ignores switch off for `path` (relative to the config's folder)."""
        if not self.per_file_ignores:
            return frozenset()
        candidates = {path.replace("\\", "/")}
        try:
            candidates.add(Path(path).resolve().relative_to(self.root.resolve()).as_posix())
        except ValueError:
            pass
        rules: set[str] = set()
        for pattern, names in self.per_file_ignores.items():
            if any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates):
                rules.update(names)
        return frozenset(rules)

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """" (did you mean 'x'?)" when a known name is close to `name`, else ""."""
    import difflib  # only for a mistake: difflib and heapq are start-up time on every run

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_rule(name: str, where: str, known: Iterable[str]) -> str:
    """The sentence for a rule name that does not exist, with the closest real one."""
    suggestion = did_you_mean(name, known)
    return f"unknown rule {name!r} in {where}{suggestion or ' (see `migralint rules`)'}"


def find_config(start: Path) -> Path | None:
    """The nearest migralint.toml, or pyproject.toml with [tool.migralint], at or above `start`."""
    for folder in (start, *start.parents):
        candidate = folder / "migralint.toml"
        if os.path.isfile(candidate):  # False, not an error, for a folder we may not enter
            return candidate
        pyproject = folder / "pyproject.toml"
        if os.path.isfile(pyproject) and _has_migralint_table(pyproject):
            return pyproject
    return None


def _has_migralint_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "[tool.migralint" in text
