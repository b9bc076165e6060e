"""What fixtures cannot show for the drop, rename and constraint rules: rollbacks, and the help."""

from __future__ import annotations

from pglast import parser

from migralint.config import Settings
from migralint.findings import Finding
from migralint.linter.constraint_names import object_name
from tests.helpers import lint_sql


def _findings(sql: str, rule: str, **kwargs: object) -> list[Finding]:
    return [f for f in lint_sql(sql, **kwargs).findings if f.rule == rule]  # type: ignore[arg-type]


def _help_sql(finding: Finding) -> str:
    sql = finding.help.partition("\n")[2]
    parser.parse_sql_json(sql)
    return sql


def test_a_rollback_may_drop_what_its_migration_created() -> None:
    forward = 'CREATE TABLE "Tag" ("id" INTEGER); ALTER TABLE "User" ADD COLUMN "nickname" TEXT;'
    rollback = 'ALTER TABLE "User" DROP COLUMN "nickname"; DROP TABLE "Tag";'
    found = lint_sql(rollback, forward_sql=forward, rollback=True).findings
    assert not [f for f in found if f.rule in ("ban-drop-column", "ban-drop-table")]


def test_drop_column_help_keeps_the_users_drop_with_if_exists() -> None:
    (finding,) = _findings('ALTER TABLE ONLY app."User" DROP "legacyId" CASCADE;', "ban-drop-column")
    assert _help_sql(finding).endswith('ALTER TABLE ONLY app."User" DROP COLUMN IF EXISTS "legacyId" CASCADE;')


def test_rename_column_help_uses_a_type_set_earlier_in_the_file() -> None:
    sql = (
        'ALTER TABLE "Invoice" ALTER COLUMN "total" TYPE DECIMAL(12, 2);\n'
        'ALTER TABLE "Invoice" RENAME COLUMN "total" TO "amount";'
    )
    (finding,) = _findings(sql, "renaming-column")
    help_sql = _help_sql(finding)
    assert 'ALTER TABLE "Invoice" ADD COLUMN amount numeric(12, 2);' in help_sql
    assert "placeholder" not in help_sql


def test_rename_column_help_says_when_the_type_is_a_placeholder() -> None:
    (finding,) = _findings('ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";', "renaming-column")
    help_sql = _help_sql(finding)
    assert "-- use the column's current type" in help_sql
    assert "EXECUTE FUNCTION" in help_sql


def test_rename_column_trigger_syntax_follows_the_server_version() -> None:
    settings = Settings(select=("ALL",), pg_version=10)
    (finding,) = _findings('ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";', "renaming-column", settings=settings)
    assert "EXECUTE PROCEDURE" in _help_sql(finding)


def test_foreign_key_help_names_an_unnamed_key_as_postgresql_would() -> None:
    sql = 'ALTER TABLE "Post" ADD FOREIGN KEY ("authorId", "orgId") REFERENCES "User" ON DELETE CASCADE;'
    (finding,) = _findings(sql, "adding-foreign-key-constraint")
    help_sql = _help_sql(finding)
    assert (
        'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_orgId_fkey" FOREIGN KEY ("authorId", "orgId") '
        'REFERENCES "User" ON DELETE CASCADE NOT VALID;' in help_sql
    )
    assert 'ALTER TABLE "Post" VALIDATE CONSTRAINT "Post_authorId_orgId_fkey";' in help_sql


def test_column_constraint_help_moves_the_constraint_out_of_add_column() -> None:
    sql = 'ALTER TABLE "Order" ADD COLUMN "qty" INTEGER NOT NULL DEFAULT 1 CHECK ("qty" > 0);'
    (finding,) = _findings(sql, "constraint-missing-not-valid")
    help_sql = _help_sql(finding)
    assert 'ALTER TABLE "Order" ADD COLUMN "qty" INTEGER NOT NULL DEFAULT 1;' in help_sql
    assert 'ADD CONSTRAINT "Order_qty_check" CHECK ("qty" > 0) NOT VALID;' in help_sql


def test_not_valid_is_never_appended_inside_a_trailing_comment() -> None:
    sql = 'ALTER TABLE "Product" ADD CONSTRAINT "p" CHECK ("price" >= 0) -- prices are never negative\n;'
    (finding,) = _findings(sql, "constraint-missing-not-valid")
    assert 'CHECK ("price" >= 0) NOT VALID;' in _help_sql(finding)


def test_unique_help_builds_the_index_concurrently_then_attaches_it() -> None:
    sql = 'ALTER TABLE "Membership" ADD UNIQUE ("userId", "teamId");'
    (finding,) = _findings(sql, "disallowed-unique-constraint")
    help_sql = _help_sql(finding)
    name = '"Membership_userId_teamId_key"'
    assert f'CREATE UNIQUE INDEX CONCURRENTLY {name} ON "Membership" ("userId", "teamId");' in help_sql
    assert f'ALTER TABLE "Membership" ADD CONSTRAINT {name} UNIQUE USING INDEX {name};' in help_sql


def test_default_names_are_shortened_as_postgresql_does() -> None:
    # PostgreSQL named this constraint so (checked on PostgreSQL 15).
    assert (
        object_name("ThisIsAVeryLongTableNameThatGoesOnAndOnForeverAndEver", "andAVeryLongColumnNameAsWellToo_x", "key")
        == "ThisIsAVeryLongTableNameThatG_andAVeryLongColumnNameAsWellT_key"
    )
    assert object_name("café", "", "pkey") == "café_pkey"


def test_rollbacks_may_rename_back_and_drop_not_null() -> None:
    from migralint.migrations.layouts import RunnerMode

    down = (
        'ALTER TABLE "Post" RENAME COLUMN "content" TO "body";\n'
        'ALTER TABLE "Article" RENAME TO "Post";\n'
        "ALTER TYPE \"Role\" RENAME VALUE 'MEMBER' TO 'USER';\n"
        'ALTER TABLE "Post" ALTER COLUMN "title" DROP NOT NULL;\n'
    )
    rules = {"renaming-column", "renaming-table", "renaming-enum-value", "ban-drop-not-null"}
    forward = lint_sql(down, runner=RunnerMode.TRANSACTION).findings
    assert rules <= {f.rule for f in forward}
    rollback = lint_sql(down, runner=RunnerMode.TRANSACTION, rollback=True).findings
    assert not rules & {f.rule for f in rollback}
