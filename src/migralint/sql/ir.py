"""The statement model: what each statement of a migration does, in words every dialect shares.

A front end (`sql/postgres`, `sql/mysql`, ...) turns a file's text into a `ParsedFile` of
`Statement`s. The engine, the catalog and the rules that hold for every database (drops, renames,
required columns, a lock that blocks writes while something slow happens) read only this model;
a dialect's own rules may also read `Statement.raw`, the parser's node.

What a front end must guarantee:
- spans are character offsets into the file's text (not bytes), the ";" excluded, the same unit
  for every dialect, so ignores, reports and `--fix` work unchanged;
- a statement it cannot read is `understood=False` (kind OTHER), never dropped and never taken
  as harmless: rules that need to know may say so;
- `events` list what the statement changes in the schema or the data, in the order it does it;
  `locks` what it holds on each table, what that blocks and the slow work done under it.

The model lives in rooms of its own, re-exported here so that `from migralint.sql import ir;
ir.AddColumn` reads the same everywhere: ir_terms.py (tables, statement kinds, locks, columns),
ir_table_events.py and ir_object_events.py (what a statement changes), ir_statement.py (a
statement, a parsed file, `Event`). The classes are frozen values declared by hand
(migralint/frozen.py): they cost next to nothing to import.
"""

from __future__ import annotations

from migralint.sql.ir_object_events import (
    AddEnumValue, CreateEnum, CreateFunction, CreateObject, DataChange, DropObject, RebuildIndex,
    RenameEnumValue, RenameObject, SetSetting,
)
from migralint.sql.ir_statement import (
    Comment, Event, ParsedFile, Setting, Statement, SyntaxProblem, Tx,
)
from migralint.sql.ir_table_events import (
    ALTER_PRIMARY_KEY, AddColumn, AddConstraint, AlterColumnType, CreateIndex, CreateTable, DropColumn,
    DropConstraint, DropIndex, DropTable, OtherTableChange, RenameColumn, RenameConstraint, RenameTable,
    SetDefault, SetNotNull, ValidateConstraint,
)
from migralint.sql.ir_terms import (
    Blocks, Column, ConstraintKind, Default, Kind, LockTaken, TableName, Work,
)

__all__ = [
    "ALTER_PRIMARY_KEY", "AddColumn", "AddConstraint", "AddEnumValue", "AlterColumnType", "Blocks",
    "Column", "Comment", "ConstraintKind", "CreateEnum", "CreateFunction", "CreateIndex", "CreateObject",
    "CreateTable", "DataChange", "Default", "DropColumn", "DropConstraint", "DropIndex", "DropObject",
    "DropTable", "Event", "Kind", "LockTaken", "OtherTableChange", "ParsedFile", "RebuildIndex",
    "RenameColumn", "RenameConstraint", "RenameEnumValue", "RenameObject", "RenameTable", "SetDefault",
    "SetNotNull", "SetSetting", "Setting", "Statement", "SyntaxProblem", "TableName", "Tx",
    "ValidateConstraint", "Work",
]
