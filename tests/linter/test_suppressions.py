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
