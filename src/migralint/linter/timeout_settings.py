"""What a message calls a statement that takes a lock: "ALTER TABLE", "DROP INDEX", or "This
statement", from libpg_query's tree (statements-after-access-exclusive) or from the statement
model (require-lock-timeout and require-statement-timeout, rules/unprotected_lock.py)."""

from __future__ import annotations

from migralint.linter.parse import Statement
from migralint.sql import ir

# What a message calls a statement, by libpg_query's node type; others are "This statement".
_VERBS = {
    "AlterTableStmt": "ALTER TABLE",
    "IndexStmt": "CREATE INDEX",
    "RenameStmt": "ALTER TABLE ... RENAME",
    "TruncateStmt": "TRUNCATE",
    "CreateStmt": "CREATE TABLE",
    "CreateTrigStmt": "CREATE TRIGGER",
    "LockStmt": "LOCK TABLE",
    "ReindexStmt": "REINDEX",
    "ClusterStmt": "CLUSTER",
    "VacuumStmt": "VACUUM FULL",
    "RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
}
_DROP_VERBS = {"OBJECT_TABLE": "DROP TABLE", "OBJECT_INDEX": "DROP INDEX", "OBJECT_TRIGGER": "DROP TRIGGER"}


def statement_verb(statement: Statement) -> str:
    """What a message calls the statement: "ALTER TABLE", "DROP INDEX", or "This statement"."""
    if statement.kind == "DropStmt":
        return _DROP_VERBS.get(statement.node.get("removeType", ""), "This statement")
    return _VERBS.get(statement.kind, "This statement")


def model_verb(statement: ir.Statement) -> str:
    """statement_verb for a PostgreSQL statement read as the model (its node type, its events)."""
    if statement.node_type == "DropStmt":
        if statement.kind is ir.Kind.DROP_TABLE:
            return "DROP TABLE"
        if statement.kind is ir.Kind.DROP_INDEX:
            return "DROP INDEX"
        if any(isinstance(e, ir.DropObject) and e.what == "trigger" for e in statement.events):
            return "DROP TRIGGER"
        return "This statement"
    return _VERBS.get(statement.node_type, "This statement")
