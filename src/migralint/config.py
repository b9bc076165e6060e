"""Settings: defaults, then the nearest config file, then --config, then command-line flags.

The nearest `migralint.toml`, or `pyproject.toml` with a `[tool.migralint]` table, found by
walking up from the working directory, is used whole; parents are not merged.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from migralint.errors import ConfigError
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


# key in the file -> (field name, parser)
def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false")
    return value


def _int_version(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < OLDEST_PG_VERSION:
        raise ValueError(f"{key} must be a PostgreSQL major version such as 15")
    return value


def _dialect(key: str, value: Any) -> Dialect:
    dialect = Dialect.parse(value) if isinstance(value, str) else None
    if dialect is None or dialect not in (Dialect.POSTGRESQL, Dialect.MYSQL):
        raise ValueError(f"{key} must be \"postgresql\" or \"mysql\" (MariaDB included)")
    return dialect


def _dotted_version(key: str, value: Any) -> tuple[int, ...]:
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    parts = text.split(".")
    if not 1 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        raise ValueError(f"{key} must be a version such as \"8.0.29\"")
    return tuple(int(part) for part in parts)


def _names(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of rule names")
    return tuple(value)


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key} must be a whole number of 0 or more")
    return value


def _str(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def _severities(key: str, value: Any) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be a table of rule = \"error\" | \"warning\"")
    result = {}
    for rule, level in value.items():
        try:
            result[rule] = Severity(level)
        except ValueError:
            raise ValueError(f"{key}.{rule} must be \"error\" or \"warning\", not {level!r}") from None
    return result


def _per_file(key: str, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be a table of \"glob\" = [rule, ...]")
    return {pattern: _names(f"{key}.{pattern}", names) for pattern, names in value.items()}


_KEYS = {
    "pg_version": ("pg_version", _int_version),
    "strict": ("strict", _bool),
    "select": ("select", _names),
    "extend_select": ("extend_select", _names),
    "ignore": ("ignore", _names),
    "extend_ignore": ("extend_ignore", _names),
    "severity": ("severity", _severities),
    "per_file_ignores": ("per_file_ignores", _per_file),
    "migrations_dir": ("migrations_dir", _str),
    "runner_sets_lock_timeout": ("runner_sets_lock_timeout", _bool),
    "runner_sets_statement_timeout": ("runner_sets_statement_timeout", _bool),
    "assume_in_transaction": ("assume_in_transaction", _bool),
    "applied_through": ("applied_through", _str),
    "small_table_rows": ("small_table_rows", _count),
    "base": ("base", _str),
    "cache": ("cache", _bool),
    "cache_dir": ("cache_dir", _str),
    "dialect": ("dialect", _dialect),
    "mysql_version": ("mysql_version", _dotted_version),
    "mariadb_version": ("mariadb_version", _dotted_version),
}


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """" (did you mean 'x'?)" when a known name is close to `name`, else ""."""
    import difflib  # only for a mistake: difflib and heapq are start-up time on every run

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_rule(name: str, where: str, known: Iterable[str]) -> str:
    """The sentence for a rule name that does not exist, with the closest real one."""
    suggestion = did_you_mean(name, known)
    return f"unknown rule {name!r} in {where}{suggestion or ' (see `migralint rules`)'}"


def settings_from_table(table: Mapping[str, Any], source: Path) -> Settings:
    values: dict[str, Any] = {"root": source.parent, "source": source}
    for raw_key, raw_value in table.items():
        key = raw_key.replace("-", "_")
        if key not in _KEYS:
            shown_keys = [k.replace("_", "-") if k == "per_file_ignores" else k for k in _KEYS]
            known = ", ".join(sorted(shown_keys))
            hint = did_you_mean(raw_key, [*shown_keys, *_KEYS])
            raise ConfigError(f"{source}: unknown key {raw_key!r}{hint} (known keys: {known})")
        name, parse = _KEYS[key]
        try:
            values[name] = parse(raw_key, raw_value)
        except ValueError as exc:
            raise ConfigError(f"{source}: {exc}") from None
        _check_rule_names(raw_key, values[name], source)
    return Settings(**values)


def _check_rule_names(raw_key: str, value: Any, source: Path) -> None:
    """Every rule the file names must exist: a misspelt name would otherwise do nothing, silently."""
    key = raw_key.replace("-", "_")
    named: list[tuple[str, str]] = []  # (rule, where in the file)
    if key in ("select", "extend_select", "ignore", "extend_ignore"):
        named = [(rule, raw_key) for rule in value if rule != "ALL"]
    elif key == "severity":
        named = [(rule, raw_key) for rule in value]
    elif key == "per_file_ignores":  # the key as TOML spells it: per-file-ignores."prisma/*"
        named = [(rule, f"{raw_key}.{json.dumps(pattern)}") for pattern, rules in value.items() for rule in rules]
    if not named:
        return
    from migralint.rules.registry import RULES_BY_NAME  # the registry imports this module

    for rule, where in named:
        if rule not in RULES_BY_NAME:
            raise ConfigError(f"{source}: {unknown_rule(rule, where, RULES_BY_NAME)}")


def load_file(path: Path) -> Settings:
    # Imported here: most runs have no config file, and start-up time matters to pre-commit.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("migralint", {})
    else:
        table = data.get("tool", {}).get("migralint", data) if "tool" in data else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.migralint] must be a table")
    return settings_from_table(table, path.resolve())


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


def load_settings(config: Path | None = None, cwd: Path | None = None) -> Settings:
    """Settings from `config` if given, else from the nearest config file, else defaults."""
    cwd = cwd or Path.cwd()
    path = config or find_config(cwd)
    if path is None:
        return Settings(root=cwd)
    return load_file(path)
