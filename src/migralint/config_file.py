"""Reading a config file into Settings: every key parsed, every rule it names checked.

Apart from config.py: the check asks the rule registry, and the registry imports config.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from collections.abc import Mapping

from migralint.config import (
    OLDEST_PG_VERSION,
    Settings,
    did_you_mean,
    find_config,
    unknown_rule,
)
from migralint.errors import ConfigError
from migralint.findings import Severity
from migralint.sql.dialect import Dialect
from migralint.sql.front_ends import DIALECT_NAMES


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
    if dialect is None or dialect.value not in DIALECT_NAMES:
        raise ValueError(f"{key} must be one of {', '.join(repr(n) for n in DIALECT_NAMES)}")
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
    # Imported here for start-up time, not to dodge a cycle: most config files name no rule.
    from migralint.rules.rule_index import BY_NAME

    for rule, where in named:
        if rule not in BY_NAME:
            raise ConfigError(f"{source}: {unknown_rule(rule, where, BY_NAME)}")


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


def load_settings(config: Path | None = None, cwd: Path | None = None) -> Settings:
    """Settings from `config` if given, else from the nearest config file, else defaults."""
    cwd = cwd or Path.cwd()
    path = config or find_config(cwd)
    if path is None:
        return Settings(root=cwd)
    return load_file(path)
