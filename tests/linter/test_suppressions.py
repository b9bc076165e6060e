from __future__ import annotations

from migralint.config import Settings
from tests.helpers import lint_sql as lint_with

INDEX = 'CREATE INDEX "User_email_idx" ON "User"("email")'
# The rules these tests are about; require-lock-timeout would also (rightly) flag INDEX.
RULES = Settings(select=("require-concurrent-index-creation", "unknown-rule-in-ignore", "unused-ignore"))


def lint_sql(sql: str, settings: Settings = RULES):  # type: ignore[no-untyped-def]
    return lint_with(sql, settings=settings)


def test_own_line_ignore_covers_the_next_statement_only() -> None:
    sql = f"-- migralint: ignore require-concurrent-index-creation -- tiny table\n{INDEX};\n{INDEX};\n"
    report = lint_sql(sql)
    assert [(f.rule, f.line) for f in report.findings] == [("require-concurrent-index-creation", 3)]
    assert [(i.finding.line, i.reason) for i in report.ignored] == [(2, "tiny table")]


def test_trailing_ignore_covers_its_own_statement() -> None:
    sql = f"{INDEX}; -- migralint: ignore require-concurrent-index-creation -- ok\n{INDEX};\n"
    report = lint_sql(sql)
    assert [f.line for f in report.findings if f.rule == "require-concurrent-index-creation"] == [2]


def test_ignore_inside_a_multiline_statement_covers_that_statement() -> None:
    sql = 'CREATE INDEX "i"\n  -- migralint: ignore require-concurrent-index-creation -- ok\n  ON "User"("email");\n'
    assert lint_sql(sql).findings == ()


def test_ignore_file_covers_every_statement() -> None:
    sql = f"-- migralint: ignore-file require-concurrent-index-creation\n{INDEX};\n\n{INDEX};\n"
    report = lint_sql(sql)
    assert report.findings == ()
    assert len(report.ignored) == 2


def test_unknown_rule_and_blanket_ignore_are_errors() -> None:
    sql = f"-- migralint: ignore no-such-rule -- typo\n{INDEX};\n-- migralint: ignore\nSELECT 1;\n"
    findings = lint_sql(sql).findings
    unknown = [f for f in findings if f.rule == "unknown-rule-in-ignore"]
    assert [(f.line, f.column, f.end_column) for f in unknown] == [(1, 1, 42), (3, 1, 21)]
    assert "'no-such-rule'" in unknown[0].message
    # The typo ignored nothing, so the index is still reported.
    assert any(f.rule == "require-concurrent-index-creation" for f in findings)


def test_unused_ignore_is_reported_but_not_for_rules_switched_off() -> None:
    sql = "-- migralint: ignore require-concurrent-index-creation -- stale\nSELECT 1;\n"
    assert [f.rule for f in lint_sql(sql).findings] == ["unused-ignore"]
    off = Settings(select=("unknown-rule-in-ignore", "unused-ignore"))
    assert lint_sql(sql, settings=off).findings == ()


def test_block_comment_ignore() -> None:
    sql = f"/* migralint: ignore require-concurrent-index-creation -- ok */ {INDEX};\n"
    assert lint_sql(sql).findings == ()


# -- findings reported once for several statements ------------------------------------------

ONCE = Settings(select=("require-lock-timeout", "statements-after-access-exclusive",
                        "mixing-schema-and-data-changes", "unknown-rule-in-ignore", "unused-ignore"))
TWO_ALTERS = (
    'CREATE TABLE "Fresh" ("id" int);\n'
    'ALTER TABLE "User" ADD COLUMN "a" text;\n'
    "{ignore}"
    'ALTER TABLE "Team" ADD COLUMN "b" text;\n'
)


def _rules_and_lines(report) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [(f.rule, f.line) for f in report.findings]


def test_a_timeout_finding_is_ignored_on_any_statement_it_covers() -> None:
    plain = lint_sql(TWO_ALTERS.format(ignore=""), ONCE)
    # Reported once, on the first ALTER; the second is only counted in its message.
    assert [(r, l) for r, l in _rules_and_lines(plain) if r == "require-lock-timeout"] == [("require-lock-timeout", 2)]
    ignore = "-- migralint: ignore require-lock-timeout, require-statement-timeout -- the deploy sets both\n"
    report = lint_sql(TWO_ALTERS.format(ignore=ignore), Settings(select=("ALL",)))
    rules = [f.rule for f in report.findings]
    assert "require-lock-timeout" not in rules and "require-statement-timeout" not in rules
    assert "unused-ignore" not in rules
    assert sorted((i.finding.rule, i.finding.line, i.reason) for i in report.ignored if "timeout" in i.finding.rule) == [
        ("require-lock-timeout", 2, "the deploy sets both"),
        ("require-statement-timeout", 2, "the deploy sets both"),
    ]


def test_an_ignore_on_a_statement_the_finding_does_not_cover_is_unused() -> None:
    # The CREATE TABLE takes no lock on a table with rows: the finding is not about it.
    sql = (
        "-- migralint: ignore require-lock-timeout -- wrong place\n"
        + TWO_ALTERS.format(ignore="")
    )
    assert _rules_and_lines(lint_sql(sql, ONCE)) == [("unused-ignore", 1), ("require-lock-timeout", 3)]


def test_every_ignore_on_a_covered_statement_is_used() -> None:
    sql = (
        'ALTER TABLE "User" ADD COLUMN "a" text; -- migralint: ignore require-lock-timeout -- small\n'
        'ALTER TABLE "Team" ADD COLUMN "b" text; -- migralint: ignore require-lock-timeout -- small too\n'
    )
    report = lint_sql(sql, ONCE)
    assert _rules_and_lines(report) == []
    assert [(i.finding.rule, i.reason) for i in report.ignored] == [("require-lock-timeout", "small")]


def test_statements_after_access_exclusive_is_ignored_on_the_lock_or_any_slow_statement() -> None:
    sql = (
        "BEGIN;\n"
        'ALTER TABLE "User" ADD COLUMN "email" text;{on_lock}\n'
        'UPDATE "User" SET "email" = "legacyEmail";\n'
        'UPDATE "User" SET "email" = lower("email");{on_second}\n'
        "COMMIT;\n"
    )
    rule = "statements-after-access-exclusive"
    comment = f" -- migralint: ignore {rule} -- a quiet hour"
    settings = Settings(select=(rule, "unused-ignore"))
    assert _rules_and_lines(lint_sql(sql.format(on_lock="", on_second=""), settings)) == [(rule, 3)]
    for on_lock, on_second in ((comment, ""), ("", comment)):
        report = lint_sql(sql.format(on_lock=on_lock, on_second=on_second), settings)
        assert _rules_and_lines(report) == []
        assert [(i.finding.rule, i.finding.line) for i in report.ignored] == [(rule, 3)]


def test_mixing_schema_and_data_changes_is_ignored_on_the_schema_change() -> None:
    rule = "mixing-schema-and-data-changes"
    sql = (
        "BEGIN;\n"
        f'ALTER TABLE "User" ADD COLUMN "fullName" text; -- migralint: ignore {rule} -- seconds of work\n'
        'UPDATE "User" SET "fullName" = "firstName";\n'
        'DELETE FROM "User" WHERE "fullName" IS NULL;\n'
        "COMMIT;\n"
    )
    settings = Settings(select=(rule, "unused-ignore"))
    report = lint_sql(sql, settings)
    assert report.findings == ()
    assert [(i.finding.rule, i.finding.line) for i in report.ignored] == [(rule, 3)]
    # The covered statements are only those the finding is about: a COMMIT is not one of them.
    stray = sql.replace(f" -- migralint: ignore {rule} -- seconds of work", "").replace(
        "COMMIT;", f"COMMIT; -- migralint: ignore {rule} -- nothing"
    )
    assert _rules_and_lines(lint_sql(stray, settings)) == [(rule, 3), ("unused-ignore", 5)]


def test_an_ignore_past_a_syntax_error_is_not_called_unused() -> None:
    # Nothing after the error was checked: the ignore may be needed once the SQL parses.
    settings = Settings(select=("ban-drop-column", "unused-ignore", "syntax-error"))
    sql = (
        '-- migralint: ignore ban-drop-column -- before the error, truly unused\nSELECT 1;\n'
        "ALTER TABLE `User` DROP COLUMN `a`;\n"
        '-- migralint: ignore ban-drop-column -- release 4.2 stopped using "b"\n'
        'ALTER TABLE "User" DROP COLUMN "b";\n'
    )
    assert _rules_and_lines(lint_sql(sql, settings=settings)) == [("unused-ignore", 1), ("syntax-error", 3)]
