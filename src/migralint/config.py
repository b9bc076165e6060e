"""Settings: defaults, then the nearest config file, then --config, then command-line flags.

The nearest `migralint.toml`, or `pyproject.toml` with a `[tool.migralint]` table, found by
walking up from the working directory, is used whole; parents are not merged. Reading a file
into Settings is config_file.py's: it checks the rule names against the registry, which imports
this module.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migralint.answers import find_config_file
from migralint.findings import RuleInfo, Severity
from migralint.frozen import Value, set_field
from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    # mypy checks Settings as the frozen dataclass it behaves as (see migralint/frozen.py).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value

DEFAULT_PG_VERSION = 15
# MySQL's current LTS release; what an ALTER costs changed in 8.0.12 and 8.0.29 (sql/mysql/locks.py).
DEFAULT_MYSQL_VERSION = (8, 4)
OLDEST_PG_VERSION = 9


@frozen_value(frozen=True)
class Settings(Value):
    __slots__ = (
        "pg_version", "strict", "select", "extend_select", "ignore", "extend_ignore", "severity",
        "per_file_ignores", "migrations_dir", "runner_sets_lock_timeout", "runner_sets_statement_timeout",
        "assume_in_transaction", "applied_through", "base", "small_table_rows", "cache", "cache_dir",
        "dialect", "mysql_version", "mariadb_version", "root", "source",
    )
    pg_version: int
    strict: bool
    select: tuple[str, ...] | None  # None: every rule that is on by default
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]
    extend_ignore: tuple[str, ...]
    severity: Mapping[str, Severity]
    per_file_ignores: Mapping[str, tuple[str, ...]]
    migrations_dir: str | None
    runner_sets_lock_timeout: bool
    runner_sets_statement_timeout: bool
    assume_in_transaction: bool
    applied_through: str | None  # migrations after this one are pending: their tables are empty
    base: str | None  # lint --staged: the commit whose migrations are applied (default: the upstream)
    small_table_rows: int  # lock findings on tables with fewer rows (per the database) only warn
    cache: bool  # keep results between runs (docs/cache.md)
    cache_dir: str | None  # where (relative to the config file); default .migralint_cache beside it
    # The database of files whose folder and name do not say it (a Prisma provider and a popx
    # file name do); None: PostgreSQL.
    dialect: Dialect | None
    mysql_version: tuple[int, ...]
    mariadb_version: tuple[int, ...] | None  # set: the MySQL files run on MariaDB
    root: Path  # where relative paths in settings start
    source: Path | None  # the config file these came from

    # A field whose default is made per instance (a dict, the working directory) takes None for it.
    def __init__(
        self, pg_version: int = DEFAULT_PG_VERSION, strict: bool = False,
        select: tuple[str, ...] | None = None, extend_select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (), extend_ignore: tuple[str, ...] = (),
        severity: Mapping[str, Severity] | None = None,
        per_file_ignores: Mapping[str, tuple[str, ...]] | None = None, migrations_dir: str | None = None,
        runner_sets_lock_timeout: bool = False, runner_sets_statement_timeout: bool = False,
        assume_in_transaction: bool = False, applied_through: str | None = None, base: str | None = None,
        small_table_rows: int = 10_000, cache: bool = True, cache_dir: str | None = None,
        dialect: Dialect | None = None, mysql_version: tuple[int, ...] = DEFAULT_MYSQL_VERSION,
        mariadb_version: tuple[int, ...] | None = None, root: Path | None = None, source: Path | None = None,
    ) -> None:
        set_field(self, "pg_version", pg_version)
        set_field(self, "strict", strict)
        set_field(self, "select", select)
        set_field(self, "extend_select", extend_select)
        set_field(self, "ignore", ignore)
        set_field(self, "extend_ignore", extend_ignore)
        set_field(self, "severity", {} if severity is None else severity)
        set_field(self, "per_file_ignores", {} if per_file_ignores is None else per_file_ignores)
        set_field(self, "migrations_dir", migrations_dir)
        set_field(self, "runner_sets_lock_timeout", runner_sets_lock_timeout)
        set_field(self, "runner_sets_statement_timeout", runner_sets_statement_timeout)
        set_field(self, "assume_in_transaction", assume_in_transaction)
        set_field(self, "applied_through", applied_through)
        set_field(self, "base", base)
        set_field(self, "small_table_rows", small_table_rows)
        set_field(self, "cache", cache)
        set_field(self, "cache_dir", cache_dir)
        set_field(self, "dialect", dialect)
        set_field(self, "mysql_version", mysql_version)
        set_field(self, "mariadb_version", mariadb_version)
        set_field(self, "root", Path.cwd() if root is None else root)
        set_field(self, "source", source)

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
    """The nearest migralint.toml, or pyproject.toml with [tool.migralint], at or above `start`
    (the search the launcher makes too, before anything else loads: answers.py)."""
    found = find_config_file(str(start))
    return Path(found) if found is not None else None
