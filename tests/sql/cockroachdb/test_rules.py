"""What the rules say about CockroachDB files: no PostgreSQL lock rule, CockroachDB's own words
and severities, and help SQL that the CockroachDB front end reads back."""

from __future__ import annotations

from migralint.findings import Severity
from migralint.sql.cockroachdb.front_end import parse
from migralint.sql.dialect import Dialect
from tests.helpers import lint_sql

LOCKING = (
    "BEGIN;\n"
    "CREATE INDEX users_email_idx ON users (email);\n"
    "ALTER TABLE users ADD COLUMN plan STRING NOT NULL DEFAULT 'free';\n"
    "ALTER TABLE users ALTER COLUMN email TYPE STRING(320);\n"
    "ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);\n"
    "COMMIT;\n"
)


def test_no_postgresql_lock_rule_speaks_about_cockroachdb() -> None:
    as_postgres = {f.rule for f in lint_sql(LOCKING).findings}
    assert {"require-concurrent-index-creation", "adding-foreign-key-constraint"} <= as_postgres
    as_cockroach = {f.rule for f in lint_sql(LOCKING, dialect=Dialect.COCKROACHDB).findings}
    assert as_cockroach == {"cockroach-schema-changes-in-transaction"}


def test_set_not_null_is_a_warning_since_nothing_waits() -> None:
    (finding,) = lint_sql('ALTER TABLE "sessions" ALTER COLUMN "aal" SET NOT NULL;', dialect=Dialect.COCKROACHDB).findings
    assert (finding.rule, finding.severity) == ("adding-not-nullable-field", Severity.WARNING)
    assert "background job" in finding.message and "ACCESS EXCLUSIVE" not in finding.message


def test_help_sql_runs_on_cockroachdb() -> None:
    sql = (
        "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
        "ALTER TABLE teams RENAME TO organisations;\n"
        "ALTER TABLE users ADD COLUMN tenant_id UUID NOT NULL;\n"
    )
    findings = lint_sql(sql, dialect=Dialect.COCKROACHDB).findings
    assert [f.rule for f in findings] == ["renaming-column", "renaming-table", "adding-required-field"]
    for finding in findings:
        assert "ctid" not in finding.help and "plpgsql" not in finding.help and " ONLY " not in finding.help
        parsed = parse(finding.help.split("\n", 1)[1])
        assert not parsed.statement_errors and parsed.syntax_error is None, finding.help
    assert "cannot write through a view" in findings[1].help
