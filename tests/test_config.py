from __future__ import annotations

from pathlib import Path

import pytest

from migralint.config import Settings, enabled_rule_names, find_config, load_file, load_settings
from migralint.errors import ConfigError
from migralint.linter.finding import Severity
from migralint.rules.registry import ALL_RULES


def test_pyproject_table_is_found_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.migralint]\npg_version = 12\nstrict = true\nper-file-ignores = { "old/*.sql" = ["ban-drop-column"] }\n'
        '[tool.migralint.severity]\nrequire-concurrent-index-creation = "warning"\n'
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "pyproject.toml"
    settings = load_settings(cwd=nested)
    assert settings.pg_version == 12 and settings.strict
    assert settings.severity == {"require-concurrent-index-creation": Severity.WARNING}
    assert settings.ignored_in_file("old/1.sql") == {"ban-drop-column"}
    assert settings.ignored_in_file("new/1.sql") == frozenset()


def test_migralint_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.migralint]\npg_version = 12\n")
    (tmp_path / "migralint.toml").write_text("pg_version = 13\n")
    assert load_settings(cwd=tmp_path).pg_version == 13


def test_unknown_keys_and_bad_values_name_the_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "migralint.toml"
    config.write_text("pg_versoin = 12\n")
    with pytest.raises(ConfigError, match=r"migralint.toml: unknown key 'pg_versoin'"):
        load_file(config)
    config.write_text('pg_version = "twelve"\n')
    with pytest.raises(ConfigError, match="pg_version must be"):
        load_file(config)
    config.write_text("pg_version = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_file(config)


def test_rule_selection() -> None:
    rules = [r() for r in ALL_RULES]
    defaults = enabled_rule_names(Settings(), rules)
    assert "require-concurrent-index-creation" in defaults
    only = enabled_rule_names(Settings(select=("syntax-error",)), rules)
    assert only == {"syntax-error"}
    assert enabled_rule_names(Settings(select=("ALL",)), rules) == {r.name for r in rules}
    fewer = enabled_rule_names(Settings(extend_ignore=("syntax-error",)), rules)
    assert "syntax-error" not in fewer
    with pytest.raises(ConfigError, match="unknown rule 'nope'"):
        enabled_rule_names(Settings(ignore=("nope",)), rules)
