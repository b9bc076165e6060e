"""Every rule migralint has, in one explicit tuple."""

from __future__ import annotations

from migralint.rules.base import Rule
from migralint.rules.adding_field_with_default import AddingFieldWithDefault
from migralint.rules.adding_foreign_key_constraint import AddingForeignKeyConstraint
from migralint.rules.adding_not_nullable_field import AddingNotNullableField
from migralint.rules.adding_required_field import AddingRequiredField
from migralint.rules.ban_concurrent_index_creation_in_transaction import BanConcurrentIndexCreationInTransaction
from migralint.rules.ban_drop_column import BanDropColumn
from migralint.rules.ban_drop_table import BanDropTable
from migralint.rules.changing_column_type import ChangingColumnType
from migralint.rules.constraint_missing_not_valid import ConstraintMissingNotValid
from migralint.rules.disallowed_unique_constraint import DisallowedUniqueConstraint
from migralint.rules.mixing_schema_and_data_changes import MixingSchemaAndDataChanges
from migralint.rules.renaming_column import RenamingColumn
from migralint.rules.renaming_table import RenamingTable
from migralint.rules.require_concurrent_index_creation import RequireConcurrentIndexCreation
from migralint.rules.require_concurrent_index_deletion import RequireConcurrentIndexDeletion
from migralint.rules.require_lock_timeout import RequireLockTimeout
from migralint.rules.syntax_error import SyntaxError_
from migralint.rules.unbatched_backfill import UnbatchedBackfill
from migralint.rules.unknown_rule_in_ignore import UnknownRuleInIgnore
from migralint.rules.unused_ignore import UnusedIgnore
# --- object and maintenance rules: imports ---
# --- transaction and rewrite rules: imports ---
# --- style rules: imports ---

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
    # --- transaction and rewrite rules ---
    # --- style rules ---
)

RULES_BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}
