from __future__ import annotations

from pathlib import Path

from migralint.api import LintRequest, lint
from migralint.config import Settings
from migralint.linter.catalog import Catalog
from migralint.linter.model_replay import apply_postgres
from migralint.sql.postgres.nodes import TableName
from migralint.linter.parse import parse_source
from tests.helpers import rule_set


def replay(*migrations: str) -> Catalog:
    catalog = Catalog()
    for number, sql in enumerate(migrations, start=1):
        for statement in parse_source(sql).statements:
            apply_postgres(catalog, statement, f"m{number}")
    return catalog


USER = TableName("public", "User")


def test_tables_columns_and_their_origins() -> None:
    catalog = replay(
        'CREATE TABLE "User" ("id" TEXT NOT NULL, "name" VARCHAR(10), CONSTRAINT "User_pkey" PRIMARY KEY ("id"));',
        'ALTER TABLE "User" ADD COLUMN "age" INTEGER DEFAULT 0, ALTER COLUMN "name" TYPE VARCHAR(20);',
    )
    user = catalog.tables[USER]
    assert user.origin == "m1"
    assert list(user.columns) == ["id", "name", "age"]
    assert user.columns["id"].not_null and not user.columns["name"].not_null
    assert user.columns["age"].origin == "m2" and user.columns["age"].default is not None
    assert user.columns["name"].type_name is not None
    assert user.columns["name"].type_name["typmods"][0]["A_Const"]["ival"]["ival"] == 20
    assert catalog.indexes[TableName("public", "User_pkey")].unique


def test_constraints_validation_and_default_names() -> None:
    catalog = replay(
        'CREATE TABLE "Order" ("id" int PRIMARY KEY, "total" int, "userId" int);',
        'ALTER TABLE "Order" ADD CHECK ("total" IS NOT NULL) NOT VALID;',
        'ALTER TABLE "Order" VALIDATE CONSTRAINT "Order_total_check";'
        'ALTER TABLE "Order" ADD FOREIGN KEY ("userId") REFERENCES "User"("id") NOT VALID;',
    )
    order = TableName("public", "Order")
    by_name = {c.name: c for c in catalog.constraints_of(order)}
    assert by_name["Order_total_check"].validated and by_name["Order_total_check"].origin == "m2"
    assert not by_name["Order_userId_fkey"].validated
    assert by_name["Order_userId_fkey"].references == USER
    assert by_name["Order_pkey"].kind == "primary"


def test_renames_and_drops_follow_the_objects() -> None:
    catalog = replay(
        "CREATE TABLE a (id int PRIMARY KEY, x int); CREATE INDEX a_x ON a (x); CREATE VIEW v AS SELECT x FROM a;",
        "ALTER TABLE a RENAME TO b; ALTER TABLE b RENAME COLUMN x TO y; ALTER INDEX a_x RENAME TO b_y;",
        "ALTER TABLE b DROP COLUMN y;",
    )
    b = catalog.tables[TableName("public", "b")]
    assert TableName("public", "a") not in catalog.tables
    assert list(b.columns) == ["id"]
    assert TableName("public", "b_y") not in catalog.indexes  # dropped with its column
    assert catalog.indexes[TableName("public", "a_pkey")].table == TableName("public", "b")
    catalog = replay("CREATE TABLE t (id int); CREATE INDEX i ON t (id);", "DROP TABLE t;")
    assert not catalog.tables and not catalog.indexes


def test_enums_sequences_extensions_schemas_views() -> None:
    catalog = replay(
        "CREATE SCHEMA app; CREATE EXTENSION IF NOT EXISTS pgcrypto; CREATE SEQUENCE app.seq;"
        "CREATE TYPE mood AS ENUM ('sad', 'ok');",
        "ALTER TYPE mood ADD VALUE 'happy' AFTER 'ok'; ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';"
        "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';"
        "CREATE MATERIALIZED VIEW stats AS SELECT count(*) FROM app.t;",
    )
    assert catalog.enums[TableName("public", "mood")].values == ["blue", "meh", "ok", "happy"]
    assert catalog.schemas == {"app": "m1"} and catalog.extensions == {"pgcrypto": "m1"}
    assert TableName("app", "seq") in catalog.sequences
    stats = catalog.views[TableName("public", "stats")]
    assert stats.materialized and stats.tables == {TableName("app", "t")}


def test_drops_and_renames_replayed_from_the_model() -> None:
    catalog = replay(
        "CREATE SCHEMA app; CREATE SCHEMA keep; CREATE EXTENSION citext; CREATE SEQUENCE s; CREATE SEQUENCE app.s;"
        "CREATE TYPE mood AS ENUM ('sad'); CREATE TYPE app.mood AS ENUM ('ok');"
        "CREATE VIEW v AS SELECT 1; CREATE MATERIALIZED VIEW app.m AS SELECT 1; CREATE TABLE t (id int);"
        "CREATE INDEX i ON t (id); CREATE INDEX j ON t (id);",
        "DROP SCHEMA app CASCADE; DROP EXTENSION citext; DROP SEQUENCE s; DROP TYPE mood; DROP VIEW v;"
        "DROP MATERIALIZED VIEW app.m; DROP INDEX i; ALTER INDEX j RENAME TO k;"
        "CREATE VIEW w AS SELECT 1; ALTER FUNCTION w() RENAME TO x;",
    )
    # An unqualified name is in "public"; schemas and extensions have no schema of their own.
    assert catalog.schemas == {"keep": "m1"} and not catalog.extensions
    assert list(catalog.sequences) == [TableName("app", "s")]
    assert list(catalog.enums) == [TableName("app", "mood")]
    assert list(catalog.views) == [TableName("public", "w")]  # a function's rename is not a view's
    assert list(catalog.indexes) == [TableName("public", "k")]


def test_what_the_events_carry_beyond_the_rules_model() -> None:
    catalog = replay(
        'CREATE TABLE "P" ("id" int GENERATED ALWAYS AS IDENTITY, "at" date, UNIQUE ("at")) PARTITION BY RANGE ("at");'
        'CREATE TABLE "P1" PARTITION OF "P" FOR VALUES FROM (\'2020-01-01\') TO (\'2021-01-01\');'
        'CREATE TABLE IF NOT EXISTS "P" ("other" text);'
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'begin return new; end';",
        'ALTER TABLE "P" ADD COLUMN IF NOT EXISTS "at" text UNIQUE; ALTER TABLE "P" RENAME CONSTRAINT "P_at_key" TO "P_day_key";'
        'CREATE INDEX ON "P" (lower("at")) WHERE "id" > 0; ALTER TABLE "P" ADD CONSTRAINT "c" NOT NULL "at";',
    )
    parent, partition = catalog.tables[TableName("public", "P")], catalog.tables[TableName("public", "P1")]
    assert parent.partitioned and list(parent.columns) == ["id", "at"] and parent.columns["id"].not_null
    assert partition.partition_of == parent.name and list(partition.columns) == ["id", "at"]
    assert partition.columns["at"].origin == "m1" and partition.columns["at"].type_name is parent.columns["at"].type_name
    assert parent.columns["at"].origin == "m1" and parent.columns["at"].not_null  # IF NOT EXISTS left it, with no new key
    assert list(parent.constraints) == ["P_day_key", "c"] and parent.constraints["c"].kind == "not_null"
    expression_index = catalog.indexes[TableName("public", "P_expr_idx")]
    assert expression_index.partial and expression_index.columns == ("",)
    assert catalog.trigger_functions == {TableName("public", "touch")}


def test_tables_older_than_the_history_are_remembered_from_their_alters() -> None:
    catalog = replay('ALTER TABLE "Legacy" ADD CONSTRAINT c CHECK ("x" IS NOT NULL), ALTER COLUMN "y" SET NOT NULL;')
    legacy = catalog.tables[TableName("public", "Legacy")]
    assert legacy.origin == "" and legacy.columns["y"].not_null and legacy.columns["y"].type_name is None
    assert [c.name for c in catalog.constraints_of(legacy.name)] == ["c"]


def test_statements_it_does_not_model_are_skipped() -> None:
    catalog = replay("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'; GRANT ALL ON t TO u; DO $$ BEGIN END $$;")
    assert not catalog.tables


def _project(tmp_path: Path, migrations: dict[str, str]) -> Path:
    root = tmp_path / "prisma" / "migrations"
    for name, sql in migrations.items():
        (root / name).mkdir(parents=True)
        (root / name / "migration.sql").write_text(sql)
    return root


def _rules(root: Path, targets: list[str], **settings: object) -> list[tuple[str, str]]:
    chosen = Settings(**settings)  # type: ignore[arg-type]
    result = lint(LintRequest(paths=targets, settings=chosen, rules=rule_set(chosen))).result
    return sorted({(Path(f.path).parent.name, f.rule) for f in result.findings})


def test_a_file_linted_alone_knows_the_schema_its_history_built(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "1_init": 'CREATE TABLE "User" ("id" TEXT NOT NULL, "name" VARCHAR(10), CONSTRAINT "User_pkey" PRIMARY KEY ("id"));',
        "2_widen": 'SET lock_timeout = \'1s\';\nALTER TABLE "User" ALTER COLUMN "name" TYPE VARCHAR(50), ALTER COLUMN "id" SET NOT NULL;',
        "3_narrow": 'SET lock_timeout = \'1s\';\nALTER TABLE "User" ALTER COLUMN "name" TYPE VARCHAR(5);',
    })
    assert _rules(root, [str(root / "2_widen" / "migration.sql")]) == []
    assert _rules(root, [str(root / "3_narrow" / "migration.sql")]) == [("3_narrow", "changing-column-type")]


def test_tables_of_pending_migrations_hold_no_rows(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "1_init": 'CREATE TABLE "User" ("id" TEXT NOT NULL);',
        "2_post": 'CREATE TABLE "Post" ("id" TEXT NOT NULL, "title" TEXT);',
        "3_index": 'CREATE INDEX "Post_title_idx" ON "Post"("title");\nCREATE INDEX "User_id_idx" ON "User"("id");',
    })
    everything_applied = _rules(root, [str(root)], select=("require-concurrent-index-creation",))
    assert everything_applied == [("3_index", "require-concurrent-index-creation")]
    settings = {"select": ("require-concurrent-index-creation",), "applied_through": "1_init"}
    chosen = Settings(**settings)  # type: ignore[arg-type]
    result = lint(LintRequest(paths=[str(root)], settings=chosen, rules=rule_set(chosen))).result
    assert [(f.line, f.message.split(":")[0]) for f in result.findings] == [(2, 'CREATE INDEX takes SHARE on "User"')]


def test_dropping_an_enum_no_column_uses_any_more_is_quiet(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "1_init": "CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\nCREATE TYPE \"Tier\" AS ENUM ('FREE');\n"
                  'CREATE TABLE "User" ("id" TEXT NOT NULL, "role" "Role", "tier" "Tier");',
        "2_role_as_text": 'ALTER TABLE "User" ALTER COLUMN "role" TYPE TEXT;',
        "3_drop": 'DROP TYPE "Role";\nDROP TYPE "Tier";',
    })
    chosen = Settings(select=("ban-drop-type",))
    found = lint(LintRequest(paths=[str(root / "3_drop" / "migration.sql")], settings=chosen, rules=rule_set(chosen))).result.findings
    assert [(f.line, f.rule) for f in found] == [(2, "ban-drop-type")]  # "Tier" is still a column's type


def test_drop_index_knows_its_table_from_history_and_a_lock_already_held(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "1_init": 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT, "name" TEXT);\n'
                  'CREATE INDEX "User_email_idx" ON "User"("email");\nCREATE INDEX "User_name_idx" ON "User"("name");',
        # One Prisma file is one transaction: the ALTER's ACCESS EXCLUSIVE is held already.
        "2_rebuild": 'ALTER TABLE "User" ADD COLUMN "x" INTEGER;\nDROP INDEX "User_email_idx";',
        "3_drop": 'DROP INDEX "User_name_idx";',
    })
    settings = Settings(select=("require-concurrent-index-deletion",))
    result = lint(LintRequest(paths=[str(root)], settings=settings, rules=rule_set(settings))).result
    assert [(Path(f.path).parent.name, f.rule) for f in result.findings] == [
        ("3_drop", "require-concurrent-index-deletion")
    ]
    assert 'on "User"' in result.findings[0].message


def test_popx_steps_of_one_release_are_applied_together(tmp_path: Path) -> None:
    folder = tmp_path / "sql"
    folder.mkdir()
    (folder / "20200101000000000000_sessions.postgres.up.sql").write_text("CREATE TABLE sessions (id int, token text);")
    (folder / "20200101000000000001_sessions_index.postgres.up.sql").write_text("CREATE INDEX sessions_token ON sessions (token);")
    (folder / "20200201000000000000_later.postgres.up.sql").write_text("CREATE INDEX sessions_id ON sessions (id);")
    settings = Settings(select=("require-concurrent-index-creation",))
    result = lint(LintRequest(paths=[str(folder)], settings=settings, rules=rule_set(settings))).result
    assert [Path(f.path).name for f in result.findings] == ["20200201000000000000_later.postgres.up.sql"]


def test_dropping_a_trigger_function_is_quiet_unless_with_cascade(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "1_init": 'CREATE TABLE "Post" ("id" TEXT NOT NULL, "updatedAt" TIMESTAMP(3));\n'
                  "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
                  "CREATE FUNCTION slugify(text) RETURNS text LANGUAGE sql AS $$ SELECT lower($1) $$;\n"
                  'CREATE TRIGGER "Post_touch" BEFORE UPDATE ON "Post" FOR EACH ROW EXECUTE FUNCTION touch();',
        "2_drop": 'DROP TRIGGER "Post_touch" ON "Post";\nDROP FUNCTION touch();\nDROP FUNCTION slugify(text);',
    })
    settings = Settings(select=("ban-drop-function",))
    found = lint(LintRequest(paths=[str(root / "2_drop" / "migration.sql")], settings=settings, rules=rule_set(settings))).result.findings
    assert [(f.line, f.rule) for f in found] == [(3, "ban-drop-function")]  # slugify: code may call it


def test_columns_share_a_tree_only_when_it_is_the_same_but_for_locations() -> None:
    # Keyed by repr with the locations 0 (catalog._shared_tree): a string that reads like a
    # location inside a default must not make two different defaults one.
    catalog = replay(
        'CREATE TABLE a (x VARCHAR(10) DEFAULT \'it\'\'s\', y VARCHAR(10), z TEXT DEFAULT \'\'\'location\'\': 1\');',
        'CREATE TABLE b (x VARCHAR(10) DEFAULT \'it\'\'s\', y  VARCHAR(10), z TEXT DEFAULT \'\'\'location\'\': 2\');',
        'CREATE TABLE c (y VARCHAR(11), z TEXT DEFAULT \'"location": 2\');',
    )
    a, b, c = (catalog.tables[TableName("public", name)].columns for name in "abc")
    assert a["x"].default is b["x"].default and a["y"].type_name is b["y"].type_name  # other locations
    assert a["y"].type_name is not c["y"].type_name
    assert a["z"].default is not b["z"].default
    assert a["z"].default is not None and "'location': 1" in str(a["z"].default)
    assert b["z"].default is not None and "'location': 2" in str(b["z"].default)
    assert c["z"].default is not b["z"].default
    assert a["x"].type_name is not None and a["x"].type_name["location"] == 0  # locations become 0


def test_constant_defaults_share_a_tree_only_when_the_same_value_of_the_same_type() -> None:
    # A_Const and SQLValueFunction defaults are keyed by their values (catalog._constant_key).
    catalog = replay(
        "CREATE TABLE a (n INT DEFAULT 1, b BOOLEAN DEFAULT true, t TIMESTAMP DEFAULT CURRENT_TIMESTAMP, "
        "s TEXT DEFAULT '1', f BOOLEAN DEFAULT false, d DATE DEFAULT CURRENT_DATE, z TEXT DEFAULT NULL);",
        "CREATE TABLE b (n INT   DEFAULT 1, b BOOLEAN   DEFAULT true, t TIMESTAMP   DEFAULT CURRENT_TIMESTAMP, "
        "s TEXT   DEFAULT '1', f BOOLEAN   DEFAULT false, d DATE   DEFAULT CURRENT_DATE, z TEXT   DEFAULT NULL);",
        "CREATE TABLE c (n INT DEFAULT 2, b INT DEFAULT 1, t TIMESTAMP DEFAULT CURRENT_TIMESTAMP(3), s TEXT DEFAULT '2');",
    )
    a, b, c = (catalog.tables[TableName("public", name)].columns for name in "abc")
    for column in ("n", "b", "t", "s", "f", "d", "z"):
        assert a[column].default is not None and a[column].default is b[column].default, column  # other locations
        assert "'location': 0" in str(a[column].default)
    assert len({id(a[column].default) for column in ("n", "b", "t", "s", "f", "d", "z")}) == 7
    assert c["n"].default is not a["n"].default and c["s"].default is not a["s"].default
    assert c["b"].default is a["n"].default  # the same constant 1 on another column
    assert c["t"].default is not a["t"].default  # CURRENT_TIMESTAMP(3): another typmod
    assert a["b"].default == {"A_Const": {"boolval": {"boolval": True}, "location": 0}}
