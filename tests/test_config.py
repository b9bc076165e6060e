from __future__ import annotations

from pathlib import Path

import pytest

from migralint.config import Settings, find_config
from migralint.config_file import load_file, load_settings
from migralint.rules.registry import enabled_rule_names
from migralint.errors import ConfigError
from migralint.findings import Severity
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


@pytest.mark.parametrize(("toml", "message"), [
    ('select = ["ban-drop-colum"]\n', "unknown rule 'ban-drop-colum' in select (did you mean 'ban-drop-column'?)"),
    ('extend-ignore = ["require-lock-timeot"]\n',
     "unknown rule 'require-lock-timeot' in extend-ignore (did you mean 'require-lock-timeout'?)"),
    ('[severity]\n"ban-drop-colum" = "warning"\n',
     "unknown rule 'ban-drop-colum' in severity (did you mean 'ban-drop-column'?)"),
    ('[per-file-ignores]\n"old/*.sql" = ["ban-drop-colum"]\n',
     "unknown rule 'ban-drop-colum' in per-file-ignores.\"old/*.sql\" (did you mean 'ban-drop-column'?)"),
    ('[per-file-ignores]\n"old/*.sql" = ["zzzz"]\n',
     "unknown rule 'zzzz' in per-file-ignores.\"old/*.sql\" (see `migralint rules`)"),
    ("pg_versoin = 12\n", "unknown key 'pg_versoin' (did you mean 'pg_version'?)"),
    ("per_file_ignore = {}\n", "unknown key 'per_file_ignore' (did you mean 'per_file_ignores'?)"),
])
def test_every_rule_name_in_the_config_is_checked_where_the_file_says_it(
    tmp_path: Path, toml: str, message: str
) -> None:
    config = tmp_path / "migralint.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError) as raised:
        load_file(config)
    assert str(raised.value).startswith(f"{config.resolve()}: {message}")


def test_a_pyproject_table_is_checked_too(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.migralint.per-file-ignores]\n"prisma/migrations/2023*/migration.sql" = ["ban-drop-column", "ban-drop-tabel"]\n'
    )
    with pytest.raises(ConfigError, match=r"pyproject.toml: unknown rule 'ban-drop-tabel' in per-file-ignores\..*"
                                          r"did you mean 'ban-drop-table'"):
        load_settings(cwd=tmp_path)


def test_flags_say_which_flag_holds_the_unknown_rule() -> None:
    rules = [r() for r in ALL_RULES]
    with pytest.raises(ConfigError, match=r"unknown rule 'ban-truncat' in --extend-select \(did you mean 'ban-truncate'\?\)"):
        enabled_rule_names(Settings(extend_select=("ban-truncat",)), rules)
