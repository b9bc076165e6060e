"""CONCURRENTLY operations: which statements are one, and how to get them out of a transaction."""

from __future__ import annotations

from migralint.sql.postgres.nodes import reindex_is_concurrent as reindex_is_concurrent  # the model reads it too
from migralint.migrations.layouts import RunnerMode

# Runners that wrap each file in a transaction need to be told not to, each in its own way.
NON_TRANSACTIONAL_NOTE = (
    "-- mark that migration non-transactional: Flyway executeInTransaction=false in <script>.sql.conf, "
    "diesel run_in_transaction = false in metadata.toml, dbmate -- migrate:up transaction:false"
)


def own_migration_note(runner: RunnerMode) -> str:
    """An SQL comment line: where a CONCURRENTLY statement must go."""
    if runner is RunnerMode.TRANSACTION:
        return NON_TRANSACTIONAL_NOTE
    return "-- a migration of its own, holding only this statement (a one-statement file runs outside a transaction):"


def concurrent_step_note(runner: RunnerMode) -> str:
    """SQL comment lines before a CONCURRENTLY step of a longer help: it goes in a migration of its
    own, which a runner that wraps files in a transaction must be told to run without one."""
    note = "-- in a migration of its own (CONCURRENTLY cannot run inside a transaction):"
    return f"{note}\n{NON_TRANSACTIONAL_NOTE}" if runner is RunnerMode.TRANSACTION else note


