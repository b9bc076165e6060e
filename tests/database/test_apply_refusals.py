"""apply's refusals, each checked twice: `--dry-run` must say exactly what `apply` says, and change nothing.

Against the real PostgreSQL the suite starts (tests/pg.py). Prisma's own behaviour, which these
follow, is cited in docs/apply.md ("What Prisma does, what migralint does").
"""

from __future__ import annotations

import pytest

from tests.database.test_apply import INIT, Project, project  # noqa: F401  (the fixture)
from tests.pg import Database

UNIQUE_NOTE = 'CREATE UNIQUE INDEX CONCURRENTLY "Booking_note_key" ON "Booking"("note");\n'


def same_refusal(project: Project, *args: str) -> str:
    """Run --dry-run, then apply: both exit 1 with the same output, and the database is unchanged. stderr."""
    before = _snapshot(project.database)
    dry = project.run("apply", "--dry-run", *args)
    assert _snapshot(project.database) == before
    real = project.apply(*args)
    assert _snapshot(project.database) == before
    assert dry == real, (dry, real)
    assert real[0] == 1, real
    return real[2]


def _snapshot(database: Database) -> list[tuple[object, ...]]:
    """Every relation outside the catalogs, and every history row: what a refused run must not change."""
    relations = database.run(
        "SELECT n.nspname, c.relname, c.relkind FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%%' ORDER BY 1, 2"
    )
    rows = database.run("SELECT to_regclass('_prisma_migrations') IS NOT NULL")
    if rows[0][0]:
        relations += database.run('SELECT id, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY 1')
    return relations


def test_a_database_with_tables_and_no_history_is_refused_with_how_to_baseline(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_add_email", 'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n')
    project.add("20240301000000_invoice", 'CREATE TABLE "Invoice" ("id" INTEGER PRIMARY KEY);\n')
    project.database.run(INIT)  # the schema was made by hand (or by `prisma db push`) before migrations
    err = same_refusal(project)
    lines = err.splitlines()
    assert lines[1] == (
        "migralint: refusing to apply: schema public holds 2 table(s) (Booking, User) but no _prisma_migrations, "
        "so which migrations already ran there is unknown and running them all would fail half-way; nothing was "
        "changed (`prisma migrate deploy` refuses this too: P3005)."
    ), err
    assert "  Baseline it (https://pris.ly/d/migrate-baseline)" in lines[2]
    assert lines[3:] == [
        "migralint:   These create only tables that are already there (check each against the database first):",
        "migralint:     migralint resolve prisma/migrations --applied 20240101000000_init",
    ]
    assert not project.exists("_prisma_migrations")
    code, status = project.status()  # status says the same, and that it needs attention
    assert code == 1 and status["not_empty"] == {
        "schema": "public", "tables": ["Booking", "User"], "baseline": ["20240101000000_init"]}
    _, text, _ = project.run("status")
    assert ("schema public holds 2 table(s) (Booking, User) but no _prisma_migrations: apply refuses to run "
            "migrations into it (as `prisma migrate deploy` does: P3005).") in text
    assert "    migralint resolve prisma/migrations --applied 20240101000000_init" in text.splitlines()
    assert text.splitlines()[-1] == "3 pending: needs attention (tables but no history)."

    # The baselining it describes works: record init, then apply runs the rest.
    assert project.run("resolve", "prisma/migrations", "--applied", "20240101000000_init")[0] == 0
    code, out, err = project.apply()
    assert code == 0, err
    assert "1 applied, 2 pending" in out and project.exists('"Invoice"')


def test_without_a_table_it_recognises_it_names_every_migration_to_baseline(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.database.run('CREATE TABLE "Legacy" ("id" INTEGER)')
    err = same_refusal(project)
    assert "schema public holds 1 table(s) (Legacy)" in err
    assert ("No pending migration creates only tables that are already there: for each migration that is in the "
            "database, in order (the first is 20240101000000_init), run `migralint resolve prisma/migrations "
            "--applied NAME`.") in err


def test_what_prisma_does_not_count_as_a_non_empty_database(project: Project) -> None:
    """prisma-engines counts ordinary tables of the connection's schema, except PostGIS's own."""
    project.add("20240101000000_init", INIT)
    project.database.run(
        "CREATE VIEW legacy_view AS SELECT 1 AS one;"
        "CREATE TYPE mood AS ENUM ('ok');"
        "CREATE SEQUENCE legacy_seq;"
        "CREATE FUNCTION legacy_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';"
        "CREATE TABLE spatial_ref_sys (srid integer PRIMARY KEY);"  # PostGIS's, as the extension creates it
        "CREATE TABLE measurements (at date) PARTITION BY RANGE (at);"  # a partitioned parent, no partitions
        "CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.other (id int);"
    )
    code, out, err = project.apply()
    assert code == 0, err
    assert project.exists('"User"') and project.exists("_prisma_migrations")


def test_a_leftover_invalid_index_is_named_before_anything_runs(project: Project) -> None:
    project.add("20240101000000_init", INIT + """INSERT INTO "Booking" ("note") VALUES ('a'), ('a');\n""")
    project.add("20240201000000_unique_note", UNIQUE_NOTE)
    assert project.apply()[0] == 1  # the build fails on the duplicate and leaves an INVALID index
    project.database.run("""UPDATE "Booking" SET "note" = 'b' WHERE "id" = 2""")  # the cause is fixed...
    assert project.run("resolve", "--rolled-back", "20240201000000_unique_note")[0] == 0  # ...but not the index
    rows = len(project.rows())
    err = same_refusal(project)
    assert err.splitlines()[1] == (
        'migralint: refusing to apply: the INVALID index "Booking_note_key" on "Booking", left by a failed '
        "CONCURRENTLY build, has the name 20240201000000_unique_note creates, which would fail with \"relation "
        'already exists" (or keep the broken index); nothing was changed. Drop it first: DROP INDEX CONCURRENTLY '
        '"Booking_note_key";'
    ), err
    assert len(project.rows()) == rows  # no new failed row
    project.database.run('DROP INDEX CONCURRENTLY "Booking_note_key"')
    code, _, err = project.apply()
    assert code == 0, err
    assert project.database.run("""SELECT indisvalid FROM pg_index WHERE indexrelid = '"Booking_note_key"'::regclass""") == [(True,)]


def test_an_invalid_index_another_migration_does_not_create_does_not_stop_apply(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    assert project.apply()[0] == 0
    project.database.run("""INSERT INTO "Booking" ("note") VALUES ('a'), ('a')""")
    with pytest.raises(Exception, match="could not create unique index"):
        project.database.run('CREATE UNIQUE INDEX CONCURRENTLY "by_hand" ON "Booking"("note")')
    project.add("20240201000000_add_email", 'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n')
    code, _, err = project.apply()
    assert code == 0, err  # status still lists it (needs attention); apply has nothing to collide with


@pytest.mark.parametrize("refusal", ["failed history", "lint", "pgbouncer"])
def test_dry_run_says_what_apply_says(refusal: str, project: Project) -> None:
    project.add("20240101000000_init", INIT)
    args: tuple[str, ...] = ()
    if refusal == "failed history":
        project.add("20240201000000_broken", 'ALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n')
        assert project.apply()[0] == 1
        expected = "migration 20240201000000_broken failed in the database"
    elif refusal == "lint":
        assert project.apply()[0] == 0
        project.add("20240201000000_drop", 'ALTER TABLE "User" DROP COLUMN "name";\n')
        expected = "refusing to apply: the lint failed; nothing was changed."
    else:
        args = ("--database-url", project.database.url + "&pgbouncer=true")
        expected = "goes through PgBouncer (pgbouncer=true)"
    if refusal == "pgbouncer":  # refused before connecting: the user's mistake, exit 2, in both
        dry, real = project.run("apply", "--dry-run", *args), project.apply(*args)
        assert dry == real and real[0] == 2 and expected in real[2], (dry, real)
        return
    assert expected in same_refusal(project, *args)


def test_resolve_is_idempotent_as_prisma_resolve_is(project: Project) -> None:
    project.add("20240101000000_init", INIT)
    project.add("20240201000000_broken", 'ALTER TABLE "Nope" ADD COLUMN "x" TEXT;\n')
    assert project.apply()[0] == 1
    code, _, err = project.run("resolve", "--rolled-back", "20240201000000_broken")
    assert code == 0 and "marked 1 failed run(s) of 20240201000000_broken rolled back" in err
    before = project.rows()
    code, _, err = project.run("resolve", "--rolled-back", "20240201000000_broken")
    assert code == 0, err
    assert err.splitlines()[-1] == ("migralint: 20240201000000_broken has no failed run left to mark rolled back in "
                                    "public._prisma_migrations (already done): nothing changed")
    assert project.rows() == before
    code, _, err = project.run("resolve", "--rolled-back", "20240301000000_never")
    assert code == 2 and "it was never applied to this database (P3011;" in err
    code, _, err = project.run("resolve", "--applied", "20240101000000_init")
    assert code == 2 and "already recorded as applied in public._prisma_migrations (P3008)" in err
    code, _, err = project.run("resolve", "--applied", "20240301000000_never")
    assert code == 2 and "there is no migration 20240301000000_never in prisma/migrations (P3017)" in err


def test_other_layouts_are_refused_the_same_way_without_prisma_words(project: Project) -> None:
    folder = project.root / "sql"
    folder.mkdir()
    (folder / "001_init.sql").write_text("CREATE TABLE account (id bigint PRIMARY KEY);\n")
    (folder / "002_more.sql").write_text("CREATE TABLE invoice (id bigint PRIMARY KEY);\n")
    project.database.run("CREATE TABLE account (id bigint PRIMARY KEY)")
    err = same_refusal(project, "sql")
    assert "holds 1 table(s) (account) but no _migralint_migrations" in err and "P3005" not in err
    assert "migralint:     migralint resolve sql --applied 001_init" in err.splitlines()
    assert project.run("resolve", "sql", "--applied", "001_init")[0] == 0
    code, _, err = project.apply("sql")
    assert code == 0, err
    assert project.exists("invoice")
