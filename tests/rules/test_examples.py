"""The examples in every rule's docs are tests: `bad` is flagged, `good` is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from pglast import parser

from migralint.config import Settings
from migralint.rules.base import EVERY_DIALECT, HistoryRule
from migralint.rules.registry import ALL_RULES
from migralint.sql.dialect import Dialect
from migralint.sql.front_ends import front_end

# History rules look at a folder and its sources of truth, not at SQL: they have tests of their own,
# as has internal-error, which no SQL should trigger.
STATEMENT_RULES = [rule for rule in ALL_RULES if not issubclass(rule, HistoryRule) and rule.example_language == "sql"]
from tests.helpers import lint_sql


def _dialect(rule: type) -> Dialect:
    """The database a rule's examples are written for: PostgreSQL when the rule covers it."""
    dialects = rule.dialects  # type: ignore[attr-defined]
    return Dialect.POSTGRESQL if Dialect.POSTGRESQL in dialects else min(dialects)


@pytest.mark.parametrize("rule", STATEMENT_RULES, ids=lambda r: r.name)
def test_bad_example_is_flagged(rule: type) -> None:
    findings = lint_sql(rule.bad, settings=_example_settings(rule), dialect=_dialect(rule)).findings
    assert any(f.rule == rule.name for f in findings), f"{rule.name}: bad example not flagged"


@pytest.mark.parametrize("rule", STATEMENT_RULES, ids=lambda r: r.name)
def test_good_example_is_clean(rule: type) -> None:
    findings = lint_sql(rule.good, settings=_example_settings(rule), dialect=_dialect(rule)).findings
    assert not [f for f in findings if f.rule == rule.name], [f.message for f in findings]


@pytest.mark.parametrize("rule", STATEMENT_RULES, ids=lambda r: r.name)
def test_help_of_bad_example_is_runnable_sql(rule: type) -> None:
    """Help text is prose lines and SQL; the SQL part must parse."""
    dialect = _dialect(rule)
    for finding in lint_sql(rule.bad, settings=_example_settings(rule), dialect=dialect).findings:
        if finding.rule == rule.name and finding.rule != "syntax-error":
            parse_help(help_sql(finding.help), dialect)


def parse_help(sql: str, dialect: Dialect) -> None:
    """Raise when the help's SQL does not parse in the dialect it is written for."""
    if dialect is Dialect.POSTGRESQL:
        parser.parse_sql_json(sql)
        return
    parsed = front_end(dialect).parse(sql, {})
    problems = [*parsed.statement_errors, *([parsed.syntax_error] if parsed.syntax_error else [])]
    not_read = [s for s in parsed.statements if not s.understood]
    if problems or not_read:
        raise AssertionError(f"help SQL that {dialect.display_name} cannot run: {problems or not_read}\n{sql}")


def help_sql(help_text: str) -> str:
    """The SQL lines of a help text: everything after its first line of prose."""
    _, _, sql = help_text.partition("\n")
    return sql


def _example_settings(rule: type) -> Settings:
    """Every rule on, at the PostgreSQL version the rule's examples are written for."""
    return Settings(select=("ALL",), pg_version=rule.example_pg_version)


_FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.sql"))


@pytest.mark.parametrize("path", _FIXTURES, ids=lambda p: p.stem)
def test_help_of_every_fixture_finding_is_runnable_sql(path: Path) -> None:
    """Help that does not parse is a bug: every finding the fixtures produce is checked."""
    from tests.rules.test_fixtures import fixture_options

    sql = path.read_text(encoding="utf-8")
    runner, settings, dialect = fixture_options(sql)
    for finding in lint_sql(sql, runner=runner, settings=settings, dialect=dialect).findings:
        if finding.rule == "syntax-error":
            continue
        # One line of prose, then the SQL to run instead.
        first, _, rest = finding.help.partition("\n")
        assert first and not first.startswith("--"), (path.name, finding.line, finding.rule, finding.help)
        if finding.rule in ("unknown-rule-in-ignore", "unused-ignore"):
            continue  # about a comment: there is no SQL to suggest
        assert rest.strip(), (path.name, finding.line, finding.rule, finding.help)
        try:
            parse_help(rest, dialect)
        except (parser.ParseError, AssertionError) as exc:
            raise AssertionError(f"{path.name}:{finding.line} {finding.rule}: {exc}\n{finding.help}") from None


_DIALECT_EXAMPLES = [
    (rule, dialect, example)
    for rule in STATEMENT_RULES
    for dialect, example in sorted(rule.dialect_examples.items())  # type: ignore[attr-defined]
]
# Databases whose identifiers are never quoted with '"' (so a '"' in a message is PostgreSQL's quoting).
_NO_DOUBLE_QUOTES = {Dialect.MYSQL, Dialect.SQLSERVER}


def test_shared_rules_have_examples_in_each_database() -> None:
    """A rule that covers other databases besides PostgreSQL shows its form in each of them too."""
    for rule in STATEMENT_RULES:
        others = rule.dialects - {Dialect.POSTGRESQL}  # type: ignore[attr-defined]
        # syntax-error and the ignore rules hold for every database and need no SQL of each
        if Dialect.POSTGRESQL in rule.dialects and rule.dialects != EVERY_DIALECT:  # type: ignore[attr-defined]
            assert others <= set(rule.dialect_examples), rule.name  # type: ignore[attr-defined]


@pytest.mark.parametrize(("rule", "dialect", "example"), _DIALECT_EXAMPLES, ids=lambda v: getattr(v, "name", str(v)))
def test_dialect_bad_example_is_flagged_with_runnable_help(rule: type, dialect: Dialect, example: object) -> None:
    findings = [f for f in lint_sql(example.bad, settings=Settings(select=("ALL",)), dialect=dialect).findings  # type: ignore[attr-defined]
                if f.rule == rule.name]
    assert findings, f"{rule.name}: {dialect.display_name} bad example not flagged"
    for finding in findings:
        if dialect in _NO_DOUBLE_QUOTES:
            assert '"' not in finding.message, f"{rule.name}: PostgreSQL quoting in a {dialect} message: {finding.message}"
        parse_help(help_sql(finding.help), dialect)


@pytest.mark.parametrize(("rule", "dialect", "example"), _DIALECT_EXAMPLES, ids=lambda v: getattr(v, "name", str(v)))
def test_dialect_good_example_is_clean(rule: type, dialect: Dialect, example: object) -> None:
    findings = lint_sql(example.good, settings=Settings(select=("ALL",)), dialect=dialect).findings  # type: ignore[attr-defined]
    assert not [f for f in findings if f.rule == rule.name], [f.message for f in findings]
