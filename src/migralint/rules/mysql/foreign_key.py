"""adding-foreign-key-constraint's verdict on MySQL and MariaDB: ADD FOREIGN KEY on a table that may
hold rows copies it while foreign_key_checks is on.

Source: MySQL 8.4 manual, 17.12.1 "Online DDL Operations", foreign key operations: "The INPLACE
algorithm is supported when foreign_key_checks is disabled. Otherwise, only the COPY algorithm is
supported." With the checks off MySQL does not check the existing rows (15.1.20.5 "FOREIGN KEY
Constraints", Foreign Key Checks). MariaDB refuses INPLACE the same way (error 1846, "Adding foreign
keys needs foreign_key_checks=OFF").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migralint.findings import Finding, RuleInfo
from migralint.linter.model_context import ModelContext
from migralint.rules.mysql.common import asks_for_copy, with_online_assertion
from migralint.sql import ir
from migralint.sql.mysql.readings import MySqlNode

# `SET foreign_key_checks = 0`, `SET @@session.foreign_key_checks=OFF`, mysqldump's
# `SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0`: the system variable, not
# a user variable that only shares its name.
_FK_CHECKS = re.compile(r"(?:(?<=@@)|(?<=\.)|(?<![\w@.]))foreign_key_checks\s*=\s*([^\s,;]+)", re.I)
_REFERENCES = re.compile(r"\bREFERENCES\s+(?P<table>(?:`[^`]+`|[\w$]+)(?:\.(?:`[^`]+`|[\w$]+))?)\s*\((?P<columns>[^)]*)\)",
                         re.I)
_ONLINE = ("INSTANT", "INPLACE", "NOCOPY")


def foreign_key_findings(rule: RuleInfo, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
    raw = statement.raw
    if not isinstance(raw, MySqlNode) or raw.alter is None or asks_for_copy(statement):
        return  # ALGORITHM=COPY written out: mysql-table-copy's one finding for the statement
    table = raw.alter.table
    keys = [e for e in statement.events if isinstance(e, ir.AddConstraint) and e.kind is ir.ConstraintKind.FOREIGN_KEY]
    if not keys or not ctx.rows(table).may_hold_rows or checks_off(ctx.earlier):
        return
    refused = raw.alter.algorithm in _ONLINE or raw.alter.lock == "NONE"
    shown = ctx.sql.table(table)
    # One ALTER runs with one algorithm: its foreign keys make one copy, reported once, at the first.
    parents = ", ".join(dict.fromkeys(ctx.sql.table(k.references) for k in keys if k.references is not None))
    what = "ADD FOREIGN KEY" if len(keys) == 1 else f"ADD FOREIGN KEY ({len(keys)} keys in one ALTER)"
    if refused:
        message = (
            f"{what} with foreign_key_checks on needs ALGORITHM=COPY, which this statement's ALGORITHM= / LOCK= "
            "assertion refuses: MySQL stops the migration here (error 1846, \"Adding foreign keys needs "
            "foreign_key_checks=OFF\")."
        )
    else:
        message = (
            f"{what} with foreign_key_checks on (the default): MySQL runs the ALTER with ALGORITHM=COPY, copying every row "
            f"of {shown} and checking it against {parents or 'the referenced table'} while writes to {shown} "
            "(INSERT, UPDATE, DELETE) wait."
        )
    span = statement.span_of(keys[0])
    yield ctx.finding(rule, message, span=span, table=table, help=_help(statement, ctx, keys))


def checks_off(earlier: tuple[ir.Statement, ...]) -> bool:
    """Whether the file turned foreign_key_checks off before the current statement (and not back on)."""
    value = ""
    for statement in earlier:
        if statement.kind is ir.Kind.SET and isinstance(statement.raw, MySqlNode):
            for found in _FK_CHECKS.finditer(statement.raw.text):
                value = found.group(1).strip("'\"").upper()
    return value in ("0", "OFF", "FALSE")


def _help(statement: ir.Statement, ctx: ModelContext, keys: list[ir.AddConstraint]) -> str:
    raw = statement.raw
    text = raw.text if isinstance(raw, MySqlNode) else ""
    lines = [
        "Check that every row has its match, then add the key with foreign_key_checks off for this one statement: "
        "MySQL then adds it in place while writes go on (ALGORITHM=INPLACE, LOCK=NONE makes it refuse rather than "
        "copy). With the checks off the existing rows are NOT checked: a row without its match stays, only new "
        "writes are checked, so run the query first and fix or delete what it finds.",
    ]
    for key in keys:
        span = statement.span_of(key)
        reference = _REFERENCES.search(text[span[0] - statement.start : span[1] - statement.start])
        parents = [c.strip() for c in reference["columns"].split(",")] if reference else []
        if reference and len(parents) == len(key.columns) and key.columns:
            child = ctx.sql.table(key.table)
            on = " AND ".join(f"p.{p} = c.{ctx.sql.quote(k)}" for p, k in zip(parents, key.columns))
            present = " AND ".join(f"c.{ctx.sql.quote(k)} IS NOT NULL" for k in key.columns)
            lines.append(f"SELECT COUNT(*) FROM {child} AS c LEFT JOIN {reference['table']} AS p ON {on} "
                         f"WHERE {present} AND p.{parents[0]} IS NULL;")
        else:
            lines.append("-- first: the rows whose key has no match in the referenced table (a LEFT JOIN ... IS NULL)")
    lines += ["SET foreign_key_checks = 0;", with_online_assertion(statement), "SET foreign_key_checks = 1;"]
    return "\n".join(lines)
