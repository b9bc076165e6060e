"""model_replay.apply_model: the neutral events of the statement model replayed into the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.config_file import settings_from_table
from migralint.errors import ConfigError
from migralint.linter.catalog import Catalog
from migralint.linter.model_replay import apply_model, model_type
from migralint.sql.postgres.nodes import TableName
from migralint.sql.mysql.parse import parse_file


def replay(catalog: Catalog, sql: str, origin: str) -> None:
    for statement in parse_file(sql).statements:
        apply_model(catalog, statement, origin)


def test_tables_columns_indexes_and_renames() -> None:
    catalog = Catalog()
    replay(catalog, "CREATE TABLE `Post` (`id` INT NOT NULL, `title` VARCHAR(63) NULL, PRIMARY KEY (`id`));\n"
                    "CREATE INDEX `Post_title_idx` ON `Post` (`title`);", "1_init")
    replay(catalog, "ALTER TABLE `Post` CHANGE `title` `headline` VARCHAR(191) NOT NULL;\n"
                    "RENAME TABLE `Post` TO `Article`;\n"
                    "ALTER TABLE `Article` ADD COLUMN `body` TEXT NULL;", "2_rename")
    assert TableName("", "Post") not in catalog.tables
    article = catalog.tables[TableName("", "Article")]
    assert article.origin == "1_init"
    headline = article.columns["headline"]
    assert (model_type(headline), headline.not_null, headline.origin) == ("varchar(191)", True, "1_init")
    assert article.columns["body"].origin == "2_rename"
    (index,) = catalog.indexes_of(TableName("", "Article"))
    assert index.columns == ("headline",) and index.table == TableName("", "Article")
    replay(catalog, "DROP INDEX `Post_title_idx` ON `Article`;\nALTER TABLE `Article` DROP COLUMN `body`;", "3")
    assert list(catalog.indexes_of(TableName("", "Article"))) == []
    assert "body" not in article.columns
    replay(catalog, "DROP TABLE `Article`;", "4")
    assert catalog.tables == {}


def test_a_table_older_than_the_history_is_known_once_altered() -> None:
    catalog = Catalog()
    replay(catalog, "ALTER TABLE `legacy` MODIFY `code` CHAR(3) NOT NULL;", "1")
    legacy = catalog.tables[TableName("", "legacy")]
    assert legacy.origin == "" and model_type(legacy.columns["code"]) == "char(3)"


@pytest.mark.parametrize(("table", "error"), [
    ({"mysql_version": "eight"}, 'mysql_version must be a version such as "8.0.29"'),
    ({"mariadb_version": True}, 'mariadb_version must be a version such as "8.0.29"'),
    ({"dialect": "oracle"}, "dialect must be one of 'cockroach', 'cockroachdb', 'crdb', 'mariadb', 'mssql', 'mysql', "
                            "'pg', 'postgres', 'postgresql', 'sqlite', 'sqlite3', 'sqlserver', 'tsql'"),
])
def test_bad_dialect_settings_are_one_sentence(table: dict[str, object], error: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_table(table, Path("/p/migralint.toml"))
    assert str(raised.value) == f"/p/migralint.toml: {error}"


def test_versions_read() -> None:
    settings = settings_from_table({"mysql_version": "8.0.28", "mariadb_version": "10.6"}, Path("/p/migralint.toml"))
    assert (settings.mysql_version, settings.mariadb_version) == ((8, 0, 28), (10, 6))
