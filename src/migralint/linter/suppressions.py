"""Inline ignores: `-- migralint: ignore RULE[, RULE] -- reason` and `ignore-file`.

An own-line comment covers the next statement (or the statement it sits inside); a trailing
comment covers the statement on its line; `ignore-file` covers the whole file. Rules are
always named: there is no blanket ignore.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from migralint.findings import Finding, IgnoredFinding, RuleInfo
from migralint.linter.parse import Comment, ParsedSource
from migralint.linter.rule_set import FileReport, RuleSet

if TYPE_CHECKING:
    from migralint.config import Settings

_DIRECTIVE = re.compile(r"migralint:\s*(ignore-file|ignore)\b(.*)", re.S)
_NAME = re.compile(r"[A-Za-z0-9_-]+")


class Ignore(NamedTuple):
    rules: tuple[str, ...]
    statement: int | None  # the statement covered; None for ignore-file
    reason: str
    span: tuple[int, int]  # the comment, in characters

    @property
    def file_wide(self) -> bool:
        return self.statement is None


def parse_ignores(parsed: ParsedSource) -> list[Ignore]:
    ignores: list[Ignore] = []
    if not parsed.comments:  # a file that never says "migralint" is not scanned for comments
        return ignores
    starts = [s.start for s in parsed.statements]
    for comment in parsed.comments:
        if "migralint:" not in comment.text:
            continue
        match = _DIRECTIVE.search(_comment_body(comment.text))
        if not match:
            continue
        kind, rest = match.groups()
        names_part, _, reason = rest.partition("--")
        rules = tuple(_NAME.findall(names_part))
        statement = None if kind == "ignore-file" else _covered_statement(parsed, starts, comment)
        ignores.append(Ignore(rules, statement, reason.strip(), (comment.start, comment.end)))
    return ignores


def _comment_body(text: str) -> str:
    if text.startswith("/*"):
        return text[2:-2] if text.endswith("*/") else text[2:]
    return text[2:]


def _covered_statement(parsed: ParsedSource, starts: list[int], comment: Comment) -> int | None:
    statements = parsed.statements
    before = bisect_right(starts, comment.start) - 1  # last statement starting before the comment
    if before >= 0:
        enclosing = statements[before]
        if comment.start < enclosing.end or not comment.own_line:
            return enclosing.index
    following = before + 1
    return statements[following].index if following < len(statements) else None


def ignore_comment(rule: str, reason: str) -> str:
    """The own-line comment that accepts `rule`'s finding on the next statement, for help text
    whose SQL is right only once something the linter cannot see is true (the reason)."""
    return f"-- migralint: ignore {rule} -- {reason}"


def apply_ignores(
    parsed: ParsedSource, path: str, findings: list[Finding], settings: Settings, rules: RuleSet
) -> FileReport:
    ignores = parse_ignores(parsed)
    per_file = settings.ignored_in_file(path)
    if not ignores:  # as in most files: nothing to match, and no ignore to report as unused
        plain = [f for f in findings if f.rule not in per_file] if per_file else findings[:]
        plain.sort(key=_ORDER)
        return FileReport(path, tuple(plain), ())
    starts = [s.start for s in parsed.statements]
    used: set[int] = set()
    kept: list[Finding] = []
    ignored: list[IgnoredFinding] = []
    for finding in findings:
        if finding.rule in per_file:
            continue
        statement = _statement_at(parsed, starts, finding)
        # A finding reported once for several statements may be ignored on any of them; every
        # ignore that names it is then used, so none of them is reported as unused.
        covered = {statement, *finding.covers}
        matches = [
            k
            for k, ignore in enumerate(ignores)
            if finding.rule in ignore.rules and (ignore.file_wide or ignore.statement in covered)
        ]
        if not matches:
            kept.append(finding)
        else:
            used.update(matches if finding.covers else matches[:1])
            ignored.append(IgnoredFinding(finding, ignores[matches[0]].reason))
    kept.extend(_ignore_problems(parsed, path, ignores, used, settings, rules))
    kept.sort(key=_ORDER)
    return FileReport(path, tuple(kept), tuple(ignored))


# A report's order: by place, then by rule.
_ORDER = attrgetter("line", "column", "rule")


def _statement_at(parsed: ParsedSource, starts: list[int], finding: Finding) -> int | None:
    offset = parsed.index.offset(finding.line, finding.column)
    k = bisect_right(starts, offset) - 1
    if k >= 0 and offset <= parsed.statements[k].end:
        return k
    return None


def _ignore_problems(
    parsed: ParsedSource, path: str, ignores: list[Ignore], used: set[int], settings: Settings, rules: RuleSet
) -> list[Finding]:
    problems = []
    unknown_rule = rules.by_name.get("unknown-rule-in-ignore")
    unused_rule = rules.by_name.get("unused-ignore")
    # Nothing after a syntax error was checked, so an ignore there (or a file-wide one) may well
    # be needed once the SQL parses: calling it unused would be a false alarm.
    unchecked_from = parsed.syntax_error.offset if parsed.syntax_error is not None else None
    for k, ignore in enumerate(ignores):
        unchecked = unchecked_from is not None and (ignore.file_wide or ignore.span[0] >= unchecked_from)
        unknown = [name for name in ignore.rules if name not in rules.known]
        if unknown_rule and (unknown or not ignore.rules):
            message = (
                f"Unknown rule {', '.join(repr(n) for n in unknown)} in an ignore comment."
                if unknown
                else "This ignore comment names no rule; migralint has no blanket ignore."
            )
            problems.append(
                _comment_finding(parsed, path, ignore, unknown_rule, settings, message,
                                 "Name the rules to ignore; `migralint rules` lists them.")
            )
        elif unused_rule and k not in used and not unchecked and all(name in rules.enabled for name in ignore.rules):
            names = ", ".join(ignore.rules)
            problems.append(
                _comment_finding(parsed, path, ignore, unused_rule, settings,
                                 f"This ignore of {names} suppresses nothing: remove it.",
                                 "Delete the comment; it no longer applies to the statement it covers.")
            )
    return problems


def _comment_finding(
    parsed: ParsedSource, path: str, ignore: Ignore, rule: RuleInfo, settings: Settings, message: str, help: str
) -> Finding:
    line, column = parsed.index.position(ignore.span[0])
    end_line, end_column = parsed.index.position(ignore.span[1])
    return Finding(path, line, column, end_line, end_column, rule.name, settings.severity_for(rule), message, help)
