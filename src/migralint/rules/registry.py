"""Every rule migralint has, in one explicit tuple."""

from __future__ import annotations

from collections.abc import Iterable

from migralint.rules.adding_exclusion_constraint import AddingExclusionConstraint
from migralint.rules.adding_field_with_default import AddingFieldWithDefault
from migralint.rules.adding_foreign_key_constraint import AddingForeignKeyConstraint
from migralint.rules.adding_not_nullable_field import AddingNotNullableField
from migralint.rules.adding_required_field import AddingRequiredField
from migralint.rules.adding_serial_primary_key_field import AddingSerialPrimaryKeyField
from migralint.rules.adding_stored_generated_column import AddingStoredGeneratedColumn

# --- object and maintenance rules: imports ---
from migralint.rules.ban_alter_domain_with_add_constraint import (
    BanAlterDomainWithAddConstraint,
)

# --- style rules: imports ---
from migralint.rules.ban_char_field import BanCharField
from migralint.rules.ban_concurrent_index_creation_in_transaction import (
    BanConcurrentIndexCreationInTransaction,
)
from migralint.rules.ban_create_domain_with_constraint import (
    BanCreateDomainWithConstraint,
)
from migralint.rules.ban_drop_column import BanDropColumn
from migralint.rules.ban_drop_database import BanDropDatabase
from migralint.rules.ban_drop_extension import BanDropExtension
from migralint.rules.ban_drop_function import BanDropFunction
from migralint.rules.ban_drop_not_null import BanDropNotNull
from migralint.rules.ban_drop_schema import BanDropSchema
from migralint.rules.ban_drop_sequence import BanDropSequence
from migralint.rules.ban_drop_table import BanDropTable
from migralint.rules.ban_drop_type import BanDropType
from migralint.rules.ban_drop_view import BanDropView
from migralint.rules.ban_table_rewrite_maintenance import BanTableRewriteMaintenance
from migralint.rules.ban_truncate import BanTruncate

# --- transaction and rewrite rules: imports ---
from migralint.rules.ban_uncommitted_transaction import BanUncommittedTransaction
from migralint.config import Settings, unknown_rule
from migralint.errors import ConfigError
from migralint.linter.rule_set import RuleSet
from migralint.rules.base import Rule
from migralint.rules.changing_column_type import ChangingColumnType
from migralint.rules.concurrent_index_on_affected_version import (
    ConcurrentIndexOnAffectedVersion,
)
from migralint.rules.concurrently_on_partitioned_table import (
    ConcurrentlyOnPartitionedTable,
)
from migralint.rules.constraint_missing_not_valid import ConstraintMissingNotValid
from migralint.rules.disallowed_unique_constraint import DisallowedUniqueConstraint
from migralint.rules.enum_value_used_in_same_transaction import (
    EnumValueUsedInSameTransaction,
)
from migralint.rules.identifier_too_long import IdentifierTooLong
from migralint.rules.mixing_schema_and_data_changes import MixingSchemaAndDataChanges
from migralint.rules.prefer_bigint_over_int import PreferBigintOverInt
from migralint.rules.prefer_bigint_over_smallint import PreferBigintOverSmallint
from migralint.rules.prefer_identity import PreferIdentity
from migralint.rules.prefer_jsonb import PreferJsonb
from migralint.rules.prefer_robust_stmts import PreferRobustStmts
from migralint.rules.prefer_text_field import PreferTextField
from migralint.rules.prefer_timestamptz import PreferTimestamptz
from migralint.rules.renaming_column import RenamingColumn
from migralint.rules.renaming_enum_value import RenamingEnumValue
from migralint.rules.renaming_table import RenamingTable
from migralint.rules.require_concurrent_index_creation import (
    RequireConcurrentIndexCreation,
)
from migralint.rules.require_concurrent_index_deletion import (
    RequireConcurrentIndexDeletion,
)
from migralint.rules.require_concurrent_partition_detach import (
    RequireConcurrentPartitionDetach,
)
from migralint.rules.require_concurrent_refresh import RequireConcurrentRefresh
from migralint.rules.require_concurrent_reindex import RequireConcurrentReindex
from migralint.rules.require_enum_value_ordering import RequireEnumValueOrdering
from migralint.rules.require_lock_timeout import RequireLockTimeout
from migralint.rules.require_statement_timeout import RequireStatementTimeout
from migralint.rules.statements_after_access_exclusive import (
    StatementsAfterAccessExclusive,
)
from migralint.rules.internal_error import InternalError_
from migralint.rules.syntax_error import SyntaxError_
from migralint.rules.transaction_nesting import TransactionNesting
from migralint.rules.unbatched_backfill import UnbatchedBackfill
from migralint.rules.unknown_rule_in_ignore import UnknownRuleInIgnore
from migralint.rules.unused_ignore import UnusedIgnore

# --- git history rules: imports ---
from migralint.rules.deleted_applied_migration import DeletedAppliedMigration
from migralint.rules.edited_applied_migration import EditedAppliedMigration

# --- integrity rules: imports ---
from migralint.rules.migration_name import MigrationName
from migralint.rules.migration_order_conflict import MigrationOrderConflict
from migralint.rules.migrations_lock_mismatch import MigrationsLockMismatch
from migralint.rules.prisma_provider_mismatch import PrismaProviderMismatch

# --- database history rules: imports ---
from migralint.rules.failed_migration import FailedMigration
from migralint.rules.missing_applied_migration import MissingAppliedMigration

# --- MySQL rules: imports ---
from migralint.rules.mysql.blocking_index import MySqlBlockingIndex
from migralint.rules.mysql.lock_wait_timeout import RequireLockWaitTimeout
from migralint.rules.mysql.non_transactional import NonTransactionalMigration
from migralint.rules.mysql.table_copy import MySqlTableCopy
from migralint.rules.mysql.table_rebuild import MySqlTableRebuild
# --- CockroachDB rules: imports ---
from migralint.rules.cockroachdb.alter_primary_key import CockroachAlterPrimaryKey
from migralint.rules.cockroachdb.ddl_then_dml_in_transaction import CockroachDdlThenDmlInTransaction
from migralint.rules.cockroachdb.schema_changes_in_transaction import CockroachSchemaChangesInTransaction

# --- SQL Server rules: imports ---
from migralint.rules.sqlserver.alter_column_size_of_data import MssqlAlterColumnSizeOfData
from migralint.rules.sqlserver.blocking_index import MssqlBlockingIndex

# --- SQLite rules: imports ---
from migralint.rules.sqlite.foreign_keys_pragma import SqliteForeignKeysPragmaInTransaction
from migralint.rules.sqlite.rebuild_cascades import SqliteRebuildCascades
from migralint.rules.sqlite.rebuild_drops_columns import SqliteRebuildDropsColumns
from migralint.rules.sqlite.rebuild_renames_old_table import SqliteRebuildRenamesOldTable
from migralint.rules.sqlite.table_rebuild import SqliteTableRebuild

ALL_RULES: tuple[type[Rule], ...] = (
    RequireConcurrentIndexCreation,
    RequireConcurrentIndexDeletion,
    BanConcurrentIndexCreationInTransaction,
    RequireLockTimeout,
    MixingSchemaAndDataChanges,
    UnbatchedBackfill,
    AddingRequiredField,
    AddingNotNullableField,
    AddingFieldWithDefault,
    ChangingColumnType,
    BanDropColumn,
    BanDropTable,
    RenamingColumn,
    RenamingTable,
    AddingForeignKeyConstraint,
    ConstraintMissingNotValid,
    DisallowedUniqueConstraint,
    SyntaxError_,
    UnknownRuleInIgnore,
    UnusedIgnore,
    # --- object and maintenance rules ---
    BanDropDatabase,
    BanTruncate,
    BanDropNotNull,
    BanDropView,
    BanDropType,
    BanDropFunction,
    BanDropSchema,
    BanDropExtension,
    BanDropSequence,
    RequireConcurrentReindex,
    RequireConcurrentPartitionDetach,
    BanTableRewriteMaintenance,
    RequireConcurrentRefresh,
    RenamingEnumValue,
    IdentifierTooLong,
    BanCreateDomainWithConstraint,
    BanAlterDomainWithAddConstraint,
    # --- transaction and rewrite rules ---
    BanUncommittedTransaction,
    TransactionNesting,
    ConcurrentlyOnPartitionedTable,
    ConcurrentIndexOnAffectedVersion,
    EnumValueUsedInSameTransaction,
    StatementsAfterAccessExclusive,
    PreferRobustStmts,
    AddingSerialPrimaryKeyField,
    AddingStoredGeneratedColumn,
    AddingExclusionConstraint,
    RequireStatementTimeout,
    # --- style rules ---
    RequireEnumValueOrdering,
    BanCharField,
    PreferTextField,
    PreferBigintOverInt,
    PreferBigintOverSmallint,
    PreferIdentity,
    PreferTimestamptz,
    PreferJsonb,
    # --- git history rules ---
    EditedAppliedMigration,
    DeletedAppliedMigration,
    # --- integrity rules ---
    MigrationOrderConflict,
    MigrationName,
    PrismaProviderMismatch,
    MigrationsLockMismatch,
    # --- database history rules ---
    MissingAppliedMigration,
    FailedMigration,
    # --- MySQL rules ---
    MySqlTableCopy,
    MySqlBlockingIndex,
    RequireLockWaitTimeout,
    NonTransactionalMigration,
    MySqlTableRebuild,
    # --- CockroachDB rules ---
    CockroachSchemaChangesInTransaction,
    CockroachDdlThenDmlInTransaction,
    CockroachAlterPrimaryKey,
    # --- SQL Server rules ---
    MssqlBlockingIndex,
    MssqlAlterColumnSizeOfData,
    # --- SQLite rules ---
    SqliteRebuildCascades,
    SqliteRebuildDropsColumns,
    SqliteRebuildRenamesOldTable,
    SqliteTableRebuild,
    SqliteForeignKeysPragmaInTransaction,
    # reported by the engine when migralint itself fails; last, so the other rules keep their SARIF index
    InternalError_,
)

RULES_BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}


def build_rule_set(settings: Settings) -> RuleSet:
    """The rules `settings` enable (select, ignore and their extensions), ready for the engine."""
    instances = [rule() for rule in ALL_RULES]
    enabled = enabled_rule_names(settings, instances)
    return RuleSet([r for r in instances if r.name in enabled], (r.name for r in instances))


def enabled_rule_names(settings: Settings, all_rules: Iterable[Rule]) -> set[str]:
    rules = list(all_rules)
    known = {r.name for r in rules}
    # A config file's names were checked where it was read; what is left came from the flags.
    lists = {"select": settings.select or (), "extend_select": settings.extend_select,
             "ignore": settings.ignore, "extend_ignore": settings.extend_ignore}
    for option, names in lists.items():
        for name in names:
            if name != "ALL" and name not in known:
                raise ConfigError(unknown_rule(name, f"--{option.replace('_', '-')}", known))
    for name in settings.severity:
        if name not in known:
            raise ConfigError(unknown_rule(name, "severity", known))
    if settings.select is None:
        chosen = {r.name for r in rules if r.default_enabled}
    elif "ALL" in settings.select:
        chosen = set(known)
    else:
        chosen = set(settings.select)
    chosen |= known if "ALL" in settings.extend_select else set(settings.extend_select)
    chosen -= set(settings.ignore) | set(settings.extend_ignore)
    return chosen
