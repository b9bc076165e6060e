"""Every rule migralint has, in one explicit tuple: where each rule's class is.

The lint never imports this list's modules up front: it reads their metadata from the index that
`python -m migralint.rules.docs` generates from these classes (rule_index.py, checked by
tests/test_docs.py as the pages are) and loads a rule when a statement first needs it
(rules/stand_in.py). `ALL_RULES` and `RULES_BY_NAME`, the classes themselves, import every rule
module on first use: for the docs, `migralint apply` and the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from migralint.config import Settings, unknown_rule
from migralint.errors import ConfigError
from migralint.findings import RuleInfo
from migralint.linter.rule_set import RuleSet
from migralint.rules.rule_index import RULES
from migralint.rules.stand_in import stand_in

if TYPE_CHECKING:
    from migralint.rules.base import Rule

# "module:class", in the order the engines call them (and SARIF numbers them).
RULE_CLASSES: tuple[str, ...] = (
    "migralint.rules.require_concurrent_index_creation:RequireConcurrentIndexCreation",
    "migralint.rules.require_concurrent_index_deletion:RequireConcurrentIndexDeletion",
    "migralint.rules.ban_concurrent_index_creation_in_transaction:BanConcurrentIndexCreationInTransaction",
    "migralint.rules.require_lock_timeout:RequireLockTimeout",
    "migralint.rules.mixing_schema_and_data_changes:MixingSchemaAndDataChanges",
    "migralint.rules.unbatched_backfill:UnbatchedBackfill",
    "migralint.rules.adding_required_field:AddingRequiredField",
    "migralint.rules.adding_not_nullable_field:AddingNotNullableField",
    "migralint.rules.adding_field_with_default:AddingFieldWithDefault",
    "migralint.rules.changing_column_type:ChangingColumnType",
    "migralint.rules.ban_drop_column:BanDropColumn",
    "migralint.rules.ban_drop_table:BanDropTable",
    "migralint.rules.renaming_column:RenamingColumn",
    "migralint.rules.renaming_table:RenamingTable",
    "migralint.rules.adding_foreign_key_constraint:AddingForeignKeyConstraint",
    "migralint.rules.constraint_missing_not_valid:ConstraintMissingNotValid",
    "migralint.rules.disallowed_unique_constraint:DisallowedUniqueConstraint",
    "migralint.rules.syntax_error:SyntaxError_",
    "migralint.rules.unknown_rule_in_ignore:UnknownRuleInIgnore",
    "migralint.rules.unused_ignore:UnusedIgnore",
    # --- object and maintenance rules ---
    "migralint.rules.ban_drop_database:BanDropDatabase",
    "migralint.rules.ban_truncate:BanTruncate",
    "migralint.rules.ban_drop_not_null:BanDropNotNull",
    "migralint.rules.ban_drop_view:BanDropView",
    "migralint.rules.ban_drop_type:BanDropType",
    "migralint.rules.ban_drop_function:BanDropFunction",
    "migralint.rules.ban_drop_schema:BanDropSchema",
    "migralint.rules.ban_drop_extension:BanDropExtension",
    "migralint.rules.ban_drop_sequence:BanDropSequence",
    "migralint.rules.require_concurrent_reindex:RequireConcurrentReindex",
    "migralint.rules.require_concurrent_partition_detach:RequireConcurrentPartitionDetach",
    "migralint.rules.ban_table_rewrite_maintenance:BanTableRewriteMaintenance",
    "migralint.rules.require_concurrent_refresh:RequireConcurrentRefresh",
    "migralint.rules.renaming_enum_value:RenamingEnumValue",
    "migralint.rules.identifier_too_long:IdentifierTooLong",
    "migralint.rules.ban_create_domain_with_constraint:BanCreateDomainWithConstraint",
    "migralint.rules.ban_alter_domain_with_add_constraint:BanAlterDomainWithAddConstraint",
    # --- transaction and rewrite rules ---
    "migralint.rules.ban_uncommitted_transaction:BanUncommittedTransaction",
    "migralint.rules.transaction_nesting:TransactionNesting",
    "migralint.rules.concurrently_on_partitioned_table:ConcurrentlyOnPartitionedTable",
    "migralint.rules.concurrent_index_on_affected_version:ConcurrentIndexOnAffectedVersion",
    "migralint.rules.enum_value_used_in_same_transaction:EnumValueUsedInSameTransaction",
    "migralint.rules.statements_after_access_exclusive:StatementsAfterAccessExclusive",
    "migralint.rules.prefer_robust_stmts:PreferRobustStmts",
    "migralint.rules.adding_serial_primary_key_field:AddingSerialPrimaryKeyField",
    "migralint.rules.adding_stored_generated_column:AddingStoredGeneratedColumn",
    "migralint.rules.adding_exclusion_constraint:AddingExclusionConstraint",
    "migralint.rules.require_statement_timeout:RequireStatementTimeout",
    # --- style rules ---
    "migralint.rules.require_enum_value_ordering:RequireEnumValueOrdering",
    "migralint.rules.ban_char_field:BanCharField",
    "migralint.rules.prefer_text_field:PreferTextField",
    "migralint.rules.prefer_bigint_over_int:PreferBigintOverInt",
    "migralint.rules.prefer_bigint_over_smallint:PreferBigintOverSmallint",
    "migralint.rules.prefer_identity:PreferIdentity",
    "migralint.rules.prefer_timestamptz:PreferTimestamptz",
    "migralint.rules.prefer_jsonb:PreferJsonb",
    # --- git history rules ---
    "migralint.rules.edited_applied_migration:EditedAppliedMigration",
    "migralint.rules.deleted_applied_migration:DeletedAppliedMigration",
    # --- integrity rules ---
    "migralint.rules.migration_order_conflict:MigrationOrderConflict",
    "migralint.rules.migration_name:MigrationName",
    "migralint.rules.prisma_provider_mismatch:PrismaProviderMismatch",
    "migralint.rules.migrations_lock_mismatch:MigrationsLockMismatch",
    # --- database history rules ---
    "migralint.rules.missing_applied_migration:MissingAppliedMigration",
    "migralint.rules.failed_migration:FailedMigration",
    # --- MySQL rules ---
    "migralint.rules.mysql.table_copy:MySqlTableCopy",
    "migralint.rules.mysql.blocking_index:MySqlBlockingIndex",
    "migralint.rules.mysql.lock_wait_timeout:RequireLockWaitTimeout",
    "migralint.rules.mysql.non_transactional:NonTransactionalMigration",
    "migralint.rules.mysql.table_rebuild:MySqlTableRebuild",
    # --- CockroachDB rules ---
    "migralint.rules.cockroachdb.schema_changes_in_transaction:CockroachSchemaChangesInTransaction",
    "migralint.rules.cockroachdb.ddl_then_dml_in_transaction:CockroachDdlThenDmlInTransaction",
    "migralint.rules.cockroachdb.alter_primary_key:CockroachAlterPrimaryKey",
    # --- SQL Server rules ---
    "migralint.rules.sqlserver.blocking_index:MssqlBlockingIndex",
    "migralint.rules.sqlserver.alter_column_size_of_data:MssqlAlterColumnSizeOfData",
    # --- SQLite rules ---
    "migralint.rules.sqlite.rebuild_cascades:SqliteRebuildCascades",
    "migralint.rules.sqlite.rebuild_drops_columns:SqliteRebuildDropsColumns",
    "migralint.rules.sqlite.rebuild_renames_old_table:SqliteRebuildRenamesOldTable",
    "migralint.rules.sqlite.table_rebuild:SqliteTableRebuild",
    "migralint.rules.sqlite.foreign_keys_pragma:SqliteForeignKeysPragmaInTransaction",
    # reported by the engine when migralint itself fails; last, so the other rules keep their SARIF index
    "migralint.rules.internal_error:InternalError_",
)


def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, in RULE_CLASSES' order: imports every rule module."""
    import importlib

    found = []
    for path in RULE_CLASSES:
        module, _, name = path.partition(":")
        found.append(getattr(importlib.import_module(module), name))
    return tuple(found)


class _Selectable(RuleInfo, Protocol):
    """A rule or its index entry: enough to choose the rules in effect."""

    @property
    def default_enabled(self) -> bool: ...


def __getattr__(name: str) -> Any:
    # ALL_RULES and RULES_BY_NAME as they always were, made when first imported.
    if name == "ALL_RULES":
        return all_rules()
    if name == "RULES_BY_NAME":
        return {rule.name: rule for rule in all_rules()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_rule_set(settings: Settings) -> RuleSet:
    """The rules `settings` enable (select, ignore and their extensions), ready for the engine:
    stand-ins that load their rule when a statement first needs it."""
    enabled = enabled_rule_names(settings, RULES)
    return RuleSet([stand_in(entry) for entry in RULES if entry.name in enabled], (entry.name for entry in RULES))


def enabled_rule_names(settings: Settings, all_rules: Iterable[_Selectable]) -> set[str]:
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
