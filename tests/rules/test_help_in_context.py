"""Help never suggests SQL that a rule flags as an error where the help puts it.

For every finding of the rule fixtures and of every rule's `bad` example, the help's SQL is
put where the help says, in the same file (same statements before and after, same runner and
settings), and linted again: no error may land on the suggested statements.

Where the help's SQL goes is read from the help itself, as a person would read it:

- by default it replaces the flagged statement;
- SQL under a comment that says it is "the first statement of the file" goes before the file's
  first statement, and help whose prose says "at the end of the file" goes after the last, the
  flagged statement staying where it is;
- SQL under a comment that sends it to another migration ("in a migration of its own", "in a
  later migration", "the next migration", "after the COMMIT, on its own", "each in a transaction
  of its own", ...), or help whose prose says the whole suggestion is "a migration of its own",
  is linted as a migration of its own that runs after this one, the schema this one built
  replayed as applied history; with the comment that marks it non-transactional
  (NON_TRANSACTIONAL_NOTE) it runs outside a transaction.

A help that accepts a finding says so in its SQL with an ignore comment and its reason (as
ban-truncate's does), so the suggestion is linted with it; the few accepted exceptions are
listed in ACCEPTED below with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.config_file import settings_from_table
from migralint.findings import Finding, Severity
from migralint.linter.catalog import Catalog
from migralint.linter.concurrently import NON_TRANSACTIONAL_NOTE
from migralint.linter.engine import lint_text, replay_text
from migralint.migrations.layouts import Section
from migralint.linter.parse import ParsedSource, parse_source
from migralint.migrations.layouts import RunnerMode
from migralint.rules.base import HistoryRule
from migralint.sql.dialect import Dialect
from migralint.rules.registry import ALL_RULES
from tests.helpers import lint_sql, rule_set
from tests.rules.test_fixtures import FIXTURES, fixture_options

# A comment line that sends the SQL after it to a migration (or transaction) of its own.
_ELSEWHERE = re.compile(
    r"migration of its own|migrations? of their own|later migration|next migration|after the COMMIT|"
    r"transaction of its own|mark that migration non-transactional",
    re.I,
)
_FIRST_OF_FILE = re.compile(r"the first statement of the file", re.I)
_WHOLE_HELP_ELSEWHERE = re.compile(r"\bin a migration of its own\b", re.I)
_AT_END = re.compile(r"at the end of the file", re.I)
# Findings about a comment or about the file's text: there is no statement to replace.
# internal-error: no SQL triggers it on purpose (tests/fuzz and tests/test_robustness.py test it).
_NO_STATEMENT = frozenset({"syntax-error", "unknown-rule-in-ignore", "unused-ignore", "internal-error"})

# (rule whose help is linted, or "*" for any, rule that flags it): why the help is right nonetheless.
ACCEPTED: dict[tuple[str, str], str] = {
    ("*", "concurrent-index-on-affected-version"): (
        "pg_version = 14 cannot tell 14.0-14.3, whose CONCURRENTLY builds can miss rows, from 14.4 and later; "
        "building concurrently is still the advice, and that rule's own finding says how to check the server "
        "and what to set once it runs 14.4 or later"
    ),
    ("prefer-bigint-over-smallint", "changing-column-type"): (
        "an ALTER COLUMN TYPE smallint that changes nothing (the column is smallint already) rewrites nothing, "
        "while bigint does: the help names the better type, and changing-column-type's finding on it gives the "
        "way to change a type without the rewrite (expand and contract)"
    ),
}


@dataclass(frozen=True)
class Case:
    source: str  # the fixture or example, for the test's id
    sql: str
    runner: RunnerMode
    settings: Settings
    finding: Finding


@dataclass
class Placed:
    text: str  # the file with the help's SQL in it
    span: tuple[int, int]  # where the help's SQL is, in characters
    elsewhere: list[tuple[str, RunnerMode]]  # migrations of their own that run after it, in order


def _cases() -> list[Case]:
    cases = []
    for path in sorted(FIXTURES.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        runner, settings, dialect = fixture_options(sql)
        if dialect is Dialect.POSTGRESQL:  # the help runs on PostgreSQL here; MySQL's is parsed (test_examples)
            cases += _cases_of(path.stem, sql, runner, settings)
    for rule in ALL_RULES:
        if not issubclass(rule, HistoryRule) and Dialect.POSTGRESQL in rule.dialects:
            settings = Settings(select=("ALL",), pg_version=rule.example_pg_version)
            cases += _cases_of(f"{rule.name} (bad example)", rule.bad, RunnerMode.AUTOCOMMIT, settings)
    return cases


def _cases_of(source: str, sql: str, runner: RunnerMode, settings: Settings) -> list[Case]:
    findings = lint_sql(sql, runner=runner, settings=settings).findings
    return [Case(f"{source}:{f.line}:{f.rule}", sql, runner, settings, f) for f in findings
            if f.rule not in _NO_STATEMENT]


def _segments(help_text: str) -> tuple[str, list[tuple[str, bool]], bool]:
    """The help's SQL for this file, then each migration of its own (SQL, non-transactional),
    and whether the SQL for this file goes before its first statement."""
    prose, _, sql = help_text.partition("\n")
    here: list[str] = []
    elsewhere: list[list[str]] = []
    first_of_file = False
    for line in sql.splitlines():
        comment = line.lstrip().startswith("--")
        if comment and _ELSEWHERE.search(line) and not (elsewhere and _only_comments(elsewhere[-1])):
            elsewhere.append([])
        if comment and _FIRST_OF_FILE.search(line):
            first_of_file = True
        (elsewhere[-1] if elsewhere else here).append(line)
    if _WHOLE_HELP_ELSEWHERE.search(prose) and not elsewhere:
        elsewhere, here = [here], []
    moved = [("\n".join(lines) + "\n", any(NON_TRANSACTIONAL_NOTE in line for line in lines)) for lines in elsewhere]
    return "\n".join(here), moved, first_of_file


def _only_comments(lines: list[str]) -> bool:
    return all(not line.strip() or line.lstrip().startswith("--") for line in lines)


def _place(case: Case) -> Placed:
    sql = case.sql
    parsed = parse_source(sql)
    offset = parsed.index.offset(case.finding.line, case.finding.column)
    statement = next(s for s in parsed.statements if s.start <= offset <= s.end)
    help_here, moved, first_of_file = _segments(case.finding.help)
    prose = case.finding.help.partition("\n")[0]
    elsewhere = [(text, RunnerMode.AUTOCOMMIT if non_transactional else case.runner) for text, non_transactional in moved]
    insert = help_here.strip("\n") + "\n"
    if first_of_file:
        at = parsed.statements[0].start
        return Placed(sql[:at] + insert + sql[at:], (at, at + len(insert)), elsewhere)
    if _AT_END.search(prose):
        text = sql.rstrip() + "\n"
        return Placed(text + insert, (len(text), len(text) + len(insert)), elsewhere)
    after = statement.end
    while after < len(sql) and sql[after].isspace():
        after += 1
    if after < len(sql) and sql[after] == ";":
        after += 1
    head = sql[: statement.start]
    if head.rstrip(" \t") and not head.rstrip(" \t").endswith("\n"):
        head += "\n"  # the help's SQL starts a line of its own, as a person pastes it
    return Placed(head + insert + sql[after:], (len(head), len(head) + len(insert)), elsewhere)


def _errors(findings: tuple[Finding, ...], case: Case, text: str, before: set[tuple[str, str]]) -> list[Finding]:
    """The errors a help is to blame for: not accepted below, and not one that another rule
    already reported on the same statement before the help touched it (the help of that rule
    deals with it; this help leaves it as it was)."""
    parsed = parse_source(text)
    return [
        f for f in findings
        if f.severity is Severity.ERROR
        and (case.finding.rule, f.rule) not in ACCEPTED
        and ("*", f.rule) not in ACCEPTED
        and (f.rule == case.finding.rule or not {(f.rule, _statement_text(parsed, f)), (f.rule, _FLAGGED)} & before)
    ]


def _statement_text(parsed: ParsedSource, finding: Finding) -> str:
    """The statement a finding starts in, white space and IF [NOT] EXISTS and CONCURRENTLY
    left out, so that a statement the help only made re-runnable or concurrent is the same."""
    offset = parsed.index.offset(finding.line, finding.column)
    statement = next((s for s in parsed.statements if s.start <= offset <= s.end), None)
    if statement is None:
        return ""
    text = parsed.text[statement.start : statement.end]
    return " ".join(_SAME.sub(" ", text).split()).lower()


_SAME = re.compile(r"\bIF\s+(NOT\s+)?EXISTS\b|\bCONCURRENTLY\b", re.I)


def _errors_before(case: Case) -> set[tuple[str, str]]:
    """(rule, statement) of every error of the original file, and (rule, the flagged statement's
    text) for every error on the flagged statement: the help is not to blame for those."""
    parsed = parse_source(case.sql)
    findings = lint_sql(case.sql, runner=case.runner, settings=case.settings).findings
    flagged = _statement_text(parsed, case.finding)
    errors = [(f.rule, _statement_text(parsed, f)) for f in findings if f.severity is Severity.ERROR]
    return {*errors, *((rule, _FLAGGED) for rule, text in errors if text == flagged)}


_FLAGGED = "<the flagged statement>"


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.source)
def test_help_sql_is_not_flagged_where_the_help_puts_it(case: Case) -> None:
    placed = _place(case)
    rules = rule_set(case.settings)
    catalog = Catalog()
    here = lint_text(placed.text, path="this.sql", sections=[Section(0, len(placed.text), case.runner)],
                     settings=case.settings, rules=rules, catalog=catalog, migration="1_this")
    start, end = placed.span
    index = parse_source(placed.text).index
    before = _errors_before(case)
    problems = [
        f"{f.rule} ({f.severity}): {f.message}"
        for f in _errors(here.findings, case, placed.text, before)
        if start <= index.offset(f.line, f.column) < end
    ]
    for number, (text, runner) in enumerate(placed.elsewhere, start=2):
        later = lint_text(text, path=f"{number}.sql", sections=[Section(0, len(text), runner)], settings=case.settings,
                          rules=rules, catalog=catalog, migration=f"{number}_later")
        problems += [f"in migration {number}: {f.rule} ({f.severity}): {f.message}"
                     for f in _errors(later.findings, case, text, before)]
    assert not problems, "\n".join([f"help of {case.finding.rule}:", case.finding.help, "", "flagged:", *problems,
                                    "", "file:", placed.text, *(t for t, _ in placed.elsewhere)])


def test_every_rule_with_sql_help_is_checked() -> None:
    """The cases reach every statement rule, so no help escapes the check."""
    checked = {case.finding.rule for case in CASES}
    # MySQL's rules: their help is MySQL, parsed by test_examples (no MySQL server runs here).
    statement_rules = {rule.name for rule in ALL_RULES
                       if not issubclass(rule, HistoryRule) and Dialect.POSTGRESQL in rule.dialects} - _NO_STATEMENT
    assert statement_rules <= checked, sorted(statement_rules - checked)


@pytest.mark.parametrize("rule, setting", [("require-lock-timeout", "runner_sets_lock_timeout"),
                                           ("require-statement-timeout", "runner_sets_statement_timeout")])
def test_timeout_help_names_the_setting_that_quiets_the_rule(rule: str, setting: str) -> None:
    """For teams whose deploy sets the timeout on its connection: the setting the help names, in the
    config as the help writes it, turns the finding off."""
    sql = 'ALTER TABLE "User" ADD COLUMN "nickname" text;\n'
    (finding,) = [f for f in lint_sql(sql, settings=Settings(select=(rule,))).findings]
    assert f"{setting} = true in the config" in finding.help.partition("\n")[0]
    configured = settings_from_table({setting: True, "select": [rule]}, Path("/project/migralint.toml"))
    assert lint_sql(sql, settings=configured).findings == ()
