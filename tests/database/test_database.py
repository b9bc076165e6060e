"""The database as a source of truth, against a real PostgreSQL that the tests start (tests/pg.py).

Migrations are applied the way each runner applies them: their SQL runs, and the runner's
history table gets the rows the runner writes (Prisma's `_prisma_migrations` with its exact
columns, Flyway's `flyway_schema_history`, golang-migrate's and dbmate's `schema_migrations`).
"""

from __future__ import annotations

import hashlib
import json
import socket
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from migralint.cli import main
from migralint.database.checksums import flyway_checksum
from migralint.database.connection import DatabaseError, DatabaseSource, connect
from migralint.migrations.discover import discover, folders_of
from tests.pg import READER, READER_PASSWORD, Database

PRISMA_TABLE = """
CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)"""
FLYWAY_TABLE = """
CREATE TABLE "flyway_schema_history" (
    "installed_rank" INT NOT NULL PRIMARY KEY,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INT,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INT NOT NULL,
    "success" BOOLEAN NOT NULL
)"""

INIT = (
    '-- ☕ the first migration\n'
    'CREATE TABLE "Booking" ("id" SERIAL PRIMARY KEY, "note" TEXT);\n'
    'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "name" TEXT);\n'
)
ADD_EMAIL = 'ALTER TABLE "User" ADD COLUMN "email" TEXT;\n'
INDEX_BOOKING = "SET lock_timeout = '5s';\n" 'CREATE INDEX "Booking_note_idx" ON "Booking"("note");\n'
APPLIED = ("20240101000000_init", "20240201000000_add_email")
PENDING = "20240301000000_index_booking"


@pytest.fixture
def prisma(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database) -> Path:
    """A Prisma folder whose first two migrations are applied to `database`; the third is pending."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    folder = tmp_path / "prisma" / "migrations"
    for name, sql in zip((*APPLIED, PENDING), (INIT, ADD_EMAIL, INDEX_BOOKING)):
        (folder / name).mkdir(parents=True)
        (folder / name / "migration.sql").write_text(sql, encoding="utf-8")
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    apply_prisma(database, folder, APPLIED)
    # Production has bookings: an index on an empty table would be no finding.
    database.run("""INSERT INTO "Booking" ("note") VALUES ('first')""")
    database.run('ANALYZE "Booking"')
    return folder


def apply_prisma(database: Database, folder: Path, names: tuple[str, ...]) -> None:
    """What `prisma migrate deploy` does: run each migration, then record it with its checksum."""
    with database.server.admin(database.name) as connection:
        connection.execute(PRISMA_TABLE)
        for name in names:
            data = (folder / name / "migration.sql").read_bytes()
            row = connection.execute(
                'INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at") '
                "VALUES (%s, %s, %s, now()) RETURNING id",
                [str(uuid.uuid4()), hashlib.sha256(data).hexdigest(), name],
            ).fetchone()
            assert row is not None
            connection.execute(data.decode("utf-8"))
            connection.execute(
                'UPDATE "_prisma_migrations" SET "finished_at" = now(), "applied_steps_count" = 1 WHERE "id" = %s',
                [row[0]],
            )


def lint(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[dict[str, Any]], str]:
    result = CliRunner().invoke(main, ["lint", *args, "--format", "json"], env=env)
    findings = json.loads(result.stdout)["findings"] if result.stdout.strip() else []
    return result.exit_code, findings, result.stderr


def rules(findings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["path"]) for f in findings)


def test_only_the_pending_migration_is_linted_with_the_applied_ones_as_history(prisma: Path, database: Database) -> None:
    code, findings, stderr = lint("prisma/migrations", "--database-url", database.url)
    assert rules(findings) == [("require-concurrent-index-creation", f"prisma/migrations/{PENDING}/migration.sql")]
    # "Booking" has one row in the database: the lock is over at once, so it is only a warning.
    assert '"Booking" (1 row: below small_table_rows, a warning)' in findings[0]["message"]
    assert findings[0]["severity"] == "warning" and code == 0, stderr
    # Without the database every migration is linted (the ALTER TABLE of an applied one too).
    _, everything, _ = lint("prisma/migrations")
    assert {f["path"] for f in everything} > {f["path"] for f in findings}


def test_database_url_comes_from_the_environment_too(prisma: Path, database: Database) -> None:
    database.run(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}")
    code, findings, stderr = lint("prisma/migrations", env={"DATABASE_URL": database.reader_url})
    assert [f["rule"] for f in findings] == ["require-concurrent-index-creation"] and code == 0
    # It says where "applied" came from (a development database has the new migration applied
    # already), without the password.
    assert "(from $DATABASE_URL) count as applied and are not linted" in stderr
    assert READER_PASSWORD not in stderr
    # The pre-commit check asks git only, never the environment's database.
    _, _, staged = lint("prisma/migrations", "--staged", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})
    assert "DATABASE_URL" not in staged


def test_an_edited_applied_migration_is_found_by_its_checksum(prisma: Path, database: Database) -> None:
    path = prisma / APPLIED[1] / "migration.sql"
    path.write_text(ADD_EMAIL + 'ALTER TABLE "User" ADD COLUMN "phone" TEXT;\n', encoding="utf-8")
    code, findings, _ = lint("prisma/migrations", "--database-url", database.url)
    edited = [f for f in findings if f["rule"] == "edited-applied-migration"]
    assert [f["path"] for f in edited] == [f"prisma/migrations/{APPLIED[1]}/migration.sql"]
    assert "SHA-256" in edited[0]["message"] and "_prisma_migrations" in edited[0]["message"]
    assert code == 1


def test_line_endings_changed_by_a_checkout_are_not_an_edit(prisma: Path, database: Database) -> None:
    for name in APPLIED:
        path = prisma / name / "migration.sql"
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    _, findings, _ = lint("prisma/migrations", "--database-url", database.url)
    assert [f["rule"] for f in findings] == ["require-concurrent-index-creation"]


def test_a_deleted_applied_migration_is_missing(prisma: Path, database: Database) -> None:
    (prisma / APPLIED[1] / "migration.sql").unlink()
    (prisma / APPLIED[1]).rmdir()
    code, findings, _ = lint("prisma/migrations", "--database-url", database.url)
    missing = [f for f in findings if f["rule"] == "missing-applied-migration"]
    assert [f["path"] for f in missing] == [f"prisma/migrations/{APPLIED[1]}/migration.sql"]
    assert APPLIED[1] in missing[0]["message"] and code == 1


def test_a_failed_migration_says_how_to_resolve_it(prisma: Path, database: Database) -> None:
    database.run(
        'INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "logs") VALUES (%s, %s, %s, %s)',
        [str(uuid.uuid4()), "0" * 64, PENDING, 'Database error code: 42P07\nERROR: relation "x" already exists'],
    )
    database.run(  # a failure that was rolled back is history, not a problem
        'INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "rolled_back_at") '
        "VALUES (%s, %s, %s, now())",
        [str(uuid.uuid4()), "1" * 64, APPLIED[0]],
    )
    code, findings, _ = lint("prisma/migrations", "--database-url", database.url)
    failed = [f for f in findings if f["rule"] == "failed-migration"]
    assert [f["path"] for f in failed] == [f"prisma/migrations/{PENDING}/migration.sql"]
    assert f"migration {PENDING} failed in the database" in failed[0]["message"]
    assert 'failed in the database (started ' in failed[0]["message"]
    assert failed[0]["message"].count("ERROR: relation \"x\" already exists;") == 1
    assert f"prisma migrate resolve --applied {PENDING}" in failed[0]["help"]
    assert code == 1


def test_lock_findings_tell_the_table_size_and_small_tables_only_warn(prisma: Path, database: Database) -> None:
    database.run("""INSERT INTO "Booking" ("note") SELECT 'note ' || n FROM generate_series(1, 20000) AS n""")
    database.run('ANALYZE "Booking"')
    code, findings, _ = lint("prisma/migrations", "--database-url", database.url)
    (index,) = findings
    assert index["severity"] == "error" and code == 1
    assert 'takes SHARE on "Booking" (20K rows, ' in index["message"], index["message"]
    assert " MB)" in index["message"] or " kB)" in index["message"]

    Path("migralint.toml").write_text("small_table_rows = 50000\n")
    code, findings, _ = lint("prisma/migrations", "--database-url", database.url)
    (index,) = findings
    assert index["severity"] == "warning" and code == 0
    assert '"Booking" (20K rows: below small_table_rows, a warning)' in index["message"]


def test_the_table_size_is_data_on_the_finding_and_every_format_shows_it(prisma: Path, database: Database) -> None:
    database.run("""INSERT INTO "Booking" ("note") SELECT 'note ' || n FROM generate_series(1, 20000) AS n""")
    database.run('ANALYZE "Booking"')
    _, findings, _ = lint("prisma/migrations", "--database-url", database.url)
    (index,) = findings
    size = index["table_size"]
    assert size["table"] == "public.Booking" and size["small"] is False
    assert 19_000 <= size["rows"] <= 21_000 and size["bytes"] > 20_000 * 8  # an estimate, and the table's pages
    said = '"Booking" (20K rows, '
    assert said in index["message"]
    url = ["--database-url", database.url]
    for form in ("text", "concise", "github", "gitlab", "junit", "markdown"):
        result = CliRunner().invoke(main, ["lint", "prisma/migrations", *url, "--format", form])
        shown = {said, json.dumps(said)[1:-1], said.replace('"', "&quot;")}  # as each format escapes it
        assert any(variant in result.stdout for variant in shown), (form, result.stdout)
    sarif = json.loads(CliRunner().invoke(main, ["lint", "prisma/migrations", *url, "--format", "sarif"]).stdout)
    (found,) = sarif["runs"][0]["results"]
    assert found["properties"]["tableSize"] == size and said in found["message"]["text"]
    _, without, _ = lint("prisma/migrations")  # no database: no size, and no key for it
    assert all("table_size" not in f and "rows, " not in f["message"] for f in without)


def test_missing_history_table_means_nothing_is_applied_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "prisma" / "migrations" / APPLIED[0]
    folder.mkdir(parents=True)
    (folder / "migration.sql").write_text(INIT + 'CREATE INDEX "Booking_note_idx" ON "Booking"("note");\n')
    code, findings, stderr = lint("prisma/migrations", "--database-url", database.url)
    assert "note: the database has no _prisma_migrations table" in stderr
    assert findings == [] and code == 0


def test_flyway_checksums_are_flywayss_crc32(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "db" / "migration"
    folder.mkdir(parents=True)
    scripts = {
        "V1__init.sql": "\ufeffCREATE TABLE account (id bigint PRIMARY KEY, name text);\r\n",
        "V1_1__add_email.sql": "ALTER TABLE account ADD COLUMN email text;\n",
        "V2__index.sql": "SET lock_timeout = '5s';\nCREATE INDEX account_email_idx ON account (email);\n",
    }
    for name, sql in scripts.items():
        (folder / name).write_text(sql, encoding="utf-8", newline="")
    database.run(FLYWAY_TABLE)
    for rank, (version, name, checksum) in enumerate((
        ("1", "V1__init.sql", flyway_checksum((folder / "V1__init.sql").read_bytes())),
        ("1.1", "V1_1__add_email.sql", 123456),  # recorded for other text than the file holds now
    ), start=1):
        database.run(scripts[name].lstrip("\ufeff"))
        database.run(
            'INSERT INTO "flyway_schema_history" VALUES (%s, %s, %s, %s, %s, %s, %s, now(), %s, %s)',
            [rank, version, name[len(f"V{version}__"):-4], "SQL", name, checksum, "ci", 12, True],
        )
    database.run("INSERT INTO account (id) VALUES (1)")  # not empty: the index is a finding
    code, findings, _ = lint("db/migration", "--database-url", database.url)
    assert rules(findings) == [
        ("edited-applied-migration", "db/migration/V1_1__add_email.sql"),
        ("require-concurrent-index-creation", "db/migration/V2__index.sql"),
    ]
    edited = next(f for f in findings if f["rule"] == "edited-applied-migration")
    assert "(123456)" in edited["message"] and code == 1


def test_golang_migrate_version_dirty_and_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "1_init.up.sql").write_text("CREATE TABLE account (id bigint PRIMARY KEY, email text);\n")
    (folder / "1_init.down.sql").write_text("DROP TABLE account;\n")
    (folder / "2_index.up.sql").write_text("SET lock_timeout = '5s';\nCREATE INDEX account_email_idx ON account (email);\n")
    database.run("CREATE TABLE account (id bigint PRIMARY KEY, email text)")
    database.run("INSERT INTO account (id) VALUES (1)")  # not empty: the index is a finding
    database.run("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)")
    database.run("INSERT INTO schema_migrations VALUES (1, false)")
    code, findings, _ = lint("migrations", "--database-url", database.url)
    assert rules(findings) == [("require-concurrent-index-creation", "migrations/2_index.up.sql")]

    database.run("UPDATE schema_migrations SET version = 2, dirty = true")
    _, findings, _ = lint("migrations", "--database-url", database.url)
    failed = [f for f in findings if f["rule"] == "failed-migration"]
    assert [f["path"] for f in failed] == ["migrations/2_index.up.sql"] and "dirty" in failed[0]["message"]

    database.run("UPDATE schema_migrations SET version = 3, dirty = false")
    _, findings, _ = lint("migrations", "--database-url", database.url)
    assert rules(findings) == [("missing-applied-migration", "migrations")]


def test_dbmate_rows_are_the_applied_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "db" / "migrations"
    folder.mkdir(parents=True)
    (folder / "20240101000000_init.sql").write_text(
        "-- migrate:up\nCREATE TABLE account (id bigint PRIMARY KEY, email text);\n-- migrate:down\nDROP TABLE account;\n")
    (folder / "20240201000000_index.sql").write_text(
        "-- migrate:up\nCREATE INDEX account_email_idx ON account (email);\n-- migrate:down\n")
    database.run("CREATE TABLE account (id bigint PRIMARY KEY, email text)")
    database.run("CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)")
    database.run("INSERT INTO schema_migrations VALUES ('20240101000000'), ('20231201000000')")
    _, findings, _ = lint("db/migrations", "--database-url", database.url)
    assert ("missing-applied-migration", "db/migrations") in rules(findings)
    assert {f["path"] for f in findings if f["rule"] != "missing-applied-migration"} == {
        "db/migrations/20240201000000_index.sql"
    }


@pytest.mark.parametrize("case", ["bad url", "wrong password", "unreachable", "permission denied"])
def test_connection_problems_are_one_sentence_and_exit_2_without_the_password(
    case: str, prisma: Path, database: Database
) -> None:
    secret = READER_PASSWORD
    if case == "bad url":
        url = f"postgresql://{READER}:{secret}@/{database.name}?host=/tmp&frobnicate=1&sslmode=bogus"  # unknown: dropped, as Prisma does
        expected = 'invalid sslmode value: "bogus"'
    elif case == "wrong password":
        secret = "Wr0ng-Secret-x9"
        url = database.server.url(database.name, READER, secret)
        expected = f'password authentication failed for user "{READER}"'
    elif case == "unreachable":
        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"postgresql://{READER}:{secret}@127.0.0.1:{port}/{database.name}"
        expected = "connection refused"
    else:
        url = database.reader_url  # the right password, but no SELECT on _prisma_migrations
        expected = "permission denied for table _prisma_migrations"
    result = CliRunner().invoke(main, ["lint", "prisma/migrations", "--database-url", url])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert expected in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("migralint: error: ")
    assert secret not in result.stderr and ":***@" in result.stderr


def test_a_reader_with_select_is_enough(prisma: Path, database: Database) -> None:
    database.run(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}')
    code, findings, stderr = lint("prisma/migrations", "--database-url", database.reader_url)
    assert [f["rule"] for f in findings] == ["require-concurrent-index-creation"], stderr
    assert READER_PASSWORD not in stderr


def test_the_connection_is_read_only(database: Database) -> None:
    with connect(database.url) as connection:
        row = connection.execute("SHOW default_transaction_read_only").fetchone()
        assert row == ("on",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            connection.execute("CREATE TABLE written_by_migralint (id int)")
        connection.rollback()
        connection.execute("SET default_transaction_read_only = off")  # BEGIN READ ONLY still holds
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            connection.execute("CREATE TABLE written_by_migralint (id int)")
    assert database.run("SELECT to_regclass('written_by_migralint')") == [(None,)]


def test_prisma_schema_parameter_sets_the_search_path(prisma: Path, database: Database) -> None:
    database.run('CREATE SCHEMA app')
    database.run('ALTER TABLE "_prisma_migrations" SET SCHEMA app')
    database.run('ALTER TABLE "Booking" SET SCHEMA app')
    database.run("""INSERT INTO app."Booking" ("note") SELECT 'n' FROM generate_series(1, 299) AS n""")
    database.run('ANALYZE app."Booking"')
    url = database.url + "&schema=app&connection_limit=5"
    _, findings, stderr = lint("prisma/migrations", "--database-url", url)
    assert [f["rule"] for f in findings] == ["require-concurrent-index-creation"], stderr
    assert '"Booking" (300 rows: below small_table_rows, a warning)' in findings[0]["message"]


def test_source_reads_states_and_sizes_directly(prisma: Path, database: Database) -> None:
    files = discover(["prisma/migrations"])
    folders = folders_of(files)
    source = DatabaseSource(database.url)
    try:
        (root, migrations), = folders.items()
        state = source.read(root, migrations)
        assert state.known and state.applied == set(APPLIED) and state.problems == []
        stats = source.table_stats(["public.Booking", "public.User", "public.Nope"])
        assert set(stats) == {"public.Booking", "public.User"}
    finally:
        source.close()
    with pytest.raises(DatabaseError):
        DatabaseSource("postgresql://nobody@/nowhere?host=/nonexistent-socket-dir").read(root, migrations)


def test_a_layout_without_a_history_table_is_linted_as_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "001_index.sql").write_text("CREATE INDEX account_email_idx ON account (email);\n")
    code, findings, stderr = lint("sql", "--database-url", database.url)
    assert "note: the database cannot say which migrations of sql are applied" in stderr
    assert "require-concurrent-index-creation" in [f["rule"] for f in findings] and code == 1
