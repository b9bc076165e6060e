"""Re-runnable forms of DDL statements, built from the user's own text: IF [NOT] EXISTS put
where PostgreSQL's grammar wants it, and a DO block for statements that have no such clause.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, NamedTuple

from migralint.linter import lazy_parser as pg_parser
from migralint.linter.constraint_sql import alter_table_prefix
from migralint.linter.constraint_names import default_constraint_name
from migralint.linter.file_schema import altered_table
from migralint.sql.postgres.nodes import TableName, alter_table_commands, quote_ident, unwrap
from migralint.linter.parse import Statement

if TYPE_CHECKING:
    from migralint.linter.context import Context


_CREATE_KEYWORDS = {"CreateStmt": "TABLE", "IndexStmt": "INDEX", "CreateSchemaStmt": "SCHEMA",
                    "CreateSeqStmt": "SEQUENCE", "CreateExtensionStmt": "EXTENSION"}
_DROP_KEYWORDS = frozenset({"TABLE", "INDEX", "VIEW", "TYPE_P", "DOMAIN_P", "SEQUENCE", "SCHEMA", "EXTENSION",
                            "FUNCTION", "PROCEDURE", "TRIGGER", "POLICY"})
_DROPPED = frozenset(f"OBJECT_{kind}" for kind in ("TABLE", "INDEX", "VIEW", "MATVIEW", "TYPE", "DOMAIN", "SEQUENCE",
                                                     "SCHEMA", "EXTENSION", "FUNCTION", "PROCEDURE", "TRIGGER", "POLICY",
                                                     "FOREIGN_TABLE"))
_GUARDED_COMMANDS = {"AT_AddColumn": ("ADD_P", "COLUMN", "IF NOT EXISTS"), "AT_DropColumn": ("DROP", "COLUMN", "IF EXISTS"),
                     "AT_DropConstraint": ("CONSTRAINT", "", "IF EXISTS")}


class RerunProblem(NamedTuple):
    """Why a statement fails when run a second time, and its re-runnable form."""

    what: str  # what the message calls the statement: "CREATE TABLE", "ADD COLUMN"
    exists: bool  # True: a re-run finds it already there; False: already gone
    fixed: str  # the re-runnable SQL, one or more statements
    span: tuple[int, int] | None = None


def insert_after_keyword(text: str, keywords: Collection[str], insertion: str, *, then: str = "") -> str | None:
    """`text` with `insertion` after its first token among `keywords` (scanner names such as
    "TABLE", "ADD_P"), or after the token `then` when it comes right after; None if none is there."""
    try:
        tokens = [t for t in pg_parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    except pg_parser.ParseError:
        return None
    for number, token in enumerate(tokens):
        if token.name in keywords:
            if then and number + 1 < len(tokens) and tokens[number + 1].name == then:
                token = tokens[number + 1]
            end = token.end + 1  # the scanner's ends are inclusive
            return f"{text[:end]} {insertion}{text[end:]}"
    return None


def ignoring_duplicate(statement_sql: str) -> str:
    """A DO block that runs the statement and does nothing when the object already exists."""
    tag = "$$"
    while tag in statement_sql:
        tag = f"${'migralint' if tag == '$$' else tag[1:-1] + '_'}$"
    return f"DO {tag} BEGIN\n    {statement_sql};\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND {tag};"


def without_if_not_exists(text: str) -> str:
    """`text` with its first IF NOT EXISTS cut out."""
    try:
        tokens = [t for t in pg_parser.scan(text) if t.name not in ("SQL_COMMENT", "C_COMMENT")]
    except pg_parser.ParseError:
        return text
    for number in range(len(tokens) - 2):
        if [t.name for t in tokens[number : number + 3]] == ["IF_P", "NOT", "EXISTS"]:
            return (text[: tokens[number].start].rstrip() + " " + text[tokens[number + 2].end + 1 :].lstrip()).strip()
    return text


def rerun_problem(ctx: Context, statement: Statement, sql: str) -> RerunProblem | None:
    """What fails when `statement` (the current one, text `sql`) runs again after it took effect."""
    node, kind = statement.node, statement.kind
    if kind in _CREATE_KEYWORDS or kind == "CreateTableAsStmt":
        if node.get("if_not_exists") or (kind == "IndexStmt" and not node.get("idxname")):
            return None
        if kind == "CreateStmt" and node["relation"].get("relpersistence") == "t":
            return None  # temporary: gone with the session
        keyword = "VIEW" if node.get("objtype") == "OBJECT_MATVIEW" else _CREATE_KEYWORDS.get(kind, "TABLE")
        fixed = insert_after_keyword(sql, {keyword}, "IF NOT EXISTS")
        return RerunProblem(f"CREATE {keyword.split('_')[0]}", True, f"{fixed};") if fixed else None
    if kind in ("CreateEnumStmt", "CompositeTypeStmt"):
        return RerunProblem("CREATE TYPE", True, ignoring_duplicate(sql))
    if kind in ("ViewStmt", "CreateFunctionStmt") and not node.get("replace"):
        fixed = insert_after_keyword(sql, {"CREATE"}, "OR REPLACE")
        return RerunProblem("CREATE VIEW" if kind == "ViewStmt" else "CREATE FUNCTION", True, f"{fixed};") if fixed else None
    if kind == "DropStmt" and node.get("removeType") in _DROPPED and not node.get("missing_ok"):
        fixed = insert_after_keyword(sql, _DROP_KEYWORDS, "IF EXISTS", then="CONCURRENTLY")
        what = "DROP " + str(node["removeType"])[len("OBJECT_"):].replace("MATVIEW", "MATERIALIZED VIEW").replace("_", " ")
        return RerunProblem(what, False, f"{fixed};") if fixed else None
    if kind == "AlterEnumStmt" and node.get("newVal") and not node.get("oldVal") and not node.get("skipIfNewValExists"):
        fixed = insert_after_keyword(sql, {"VALUE_P"}, "IF NOT EXISTS")
        return RerunProblem("ALTER TYPE ... ADD VALUE", True, f"{fixed};") if fixed else None
    if kind == "AlterTableStmt" and node.get("objtype") == "OBJECT_TABLE":
        return _alter_table_problem(ctx, statement, sql)
    return None


def _alter_table_problem(ctx: Context, statement: Statement, sql: str) -> RerunProblem | None:
    node = statement.node
    table = TableName.from_range_var(node["relation"])
    first: tuple[int, str, bool] | None = None  # (subcommand, what, exists)
    drops: list[str] = []
    pieces: list[tuple[int, int, str]] = []  # (start, end, new text) in the statement's text
    for number, cmd in enumerate(alter_table_commands(node)):
        subtype = cmd.get("subtype", "")
        start, end = ctx.subcommand_span(number)
        text = ctx.parsed.text[start:end]
        if subtype in _GUARDED_COMMANDS and not cmd.get("missing_ok"):
            keyword, then, guard = _GUARDED_COMMANDS[subtype]
            fixed = insert_after_keyword(text, {keyword}, guard, then=then)
            if fixed is None:
                continue
            pieces.append((start - statement.start, end - statement.start, fixed))
            what = {"AT_AddColumn": "ADD COLUMN", "AT_DropColumn": "DROP COLUMN"}.get(subtype, "DROP CONSTRAINT")
            first = first or (number, what, subtype == "AT_AddColumn")
        elif subtype == "AT_AddConstraint" and cmd.get("def"):
            constraint = unwrap(cmd["def"])[1]
            name = constraint.get("conname") or (
                default_constraint_name(table, [], "pkey") if constraint.get("contype") == "CONSTR_PRIMARY" else "")
            if not name or constraint.get("indexname") or _dropped_earlier(ctx, table, name):
                continue  # unnamed: a re-run adds a second one; USING INDEX: the index is gone after a first run
            drops.append(f"{alter_table_prefix(node)} DROP CONSTRAINT IF EXISTS {quote_ident(name)};")
            first = first or (number, "ADD CONSTRAINT", True)
    if first is None:
        return None
    for start, end, text in sorted(pieces, reverse=True):
        sql = sql[:start] + text + sql[end:]
    return RerunProblem(first[1], first[2], "\n".join([*drops, f"{sql};"]), ctx.subcommand_span(first[0]))


def _dropped_earlier(ctx: Context, table: TableName, constraint: str) -> bool:
    """Whether an earlier ALTER TABLE dropped the constraint with IF EXISTS: then adding it is re-runnable."""
    return any(
        altered_table(earlier) == table
        and any(
            c.get("subtype") == "AT_DropConstraint" and c.get("missing_ok") and c.get("name") == constraint
            for c in alter_table_commands(earlier.node)
        )
        for earlier in ctx.earlier
    )
