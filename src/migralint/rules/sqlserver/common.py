"""What the SQL Server rules share: sources, and what an ALTER COLUMN costs given the old type.

Nothing here imports the SQL Server front end (migralint.sql.sqlserver loads sqlglot): the rules
are imported on every run, whatever the dialect.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from migralint.sql import ir
from migralint.sql.dialect import Dialect

SQLSERVER = frozenset({Dialect.SQLSERVER})
ALTER_TABLE = "https://learn.microsoft.com/en-us/sql/t-sql/statements/alter-table-transact-sql"
CREATE_INDEX = "https://learn.microsoft.com/en-us/sql/t-sql/statements/create-index-transact-sql"
ONLINE_INDEX = "https://learn.microsoft.com/en-us/sql/relational-databases/indexes/guidelines-for-online-index-operations"
EDITIONS = "https://learn.microsoft.com/en-us/sql/sql-server/editions-and-components-of-sql-server-2022"
LOCKING = "https://learn.microsoft.com/en-us/sql/relational-databases/sql-server-transaction-locking-and-row-versioning-guide"
ALTER_COLUMN_LEVELS = "https://learn.microsoft.com/en-us/answers/questions/1049402/alter-column"
SWART = "https://michaeljswart.com/2013/04/altering-text-columns-only-a-metadata-change/"
MSG_1712 = "https://www.mssqltips.com/sqlservertip/6523/alter-table-modify-column-online-issues-in-sql-server/"
# Where ONLINE = ON runs: the Enterprise feature list (online index operations; online ALTER COLUMN
# from SQL Server 2016), Developer and Evaluation having Enterprise's features, and Azure SQL.
ONLINE_INDEX_EDITIONS = (
    "SQL Server Enterprise, Developer or Evaluation edition, Azure SQL Database or Azure SQL Managed Instance; "
    "Standard and Express refuse ONLINE = ON with Msg 1712"
)
ONLINE_ALTER_EDITIONS = "SQL Server 2016 or later; " + ONLINE_INDEX_EDITIONS

_VARIABLE = frozenset({"varchar", "nvarchar", "varbinary"})
# The old large-object types become their (max) successors without touching the rows (Swart).
_LOB_TO_MAX = {("text", "varchar"), ("ntext", "nvarchar"), ("image", "varbinary")}
_TYPE = re.compile(r"\s*\[?(?P<base>[a-z_0-9]+)\]?\s*(?:\(\s*(?P<size>max|\d+)\s*(?:,\s*(?P<scale>\d+)\s*)?\))?", re.I)


class TypeChange(NamedTuple):
    work: ir.Work | None  # None: metadata only
    why: str  # in words a message can quote


def type_change(old: str, new: str) -> TypeChange:
    """What ALTER COLUMN from `old` to `new` does to the rows (Erland Sommarskog's three levels on
    Microsoft Q&A, 1049402; Michael J. Swart, "Altering Text Columns: Only a Metadata Change?"):
    metadata only for a longer varchar/nvarchar/varbinary and text/ntext/image to (max); a check
    of every row for a shorter one; a rewrite of every row for any other change of type or size
    (int to bigint, char(4) to char(6), varchar to nvarchar, a length to or from max)."""
    before, after = _parts(old), _parts(new)
    if before == after:
        return TypeChange(None, "the type is unchanged")
    (old_base, old_size, old_scale), (new_base, new_size, _) = before, after
    if (old_base, new_base) in _LOB_TO_MAX and new_size == "max":
        return TypeChange(None, f"{old_base} to {new_base}(max) changes only metadata")
    if old_base == new_base and old_base in _VARIABLE and old_scale is None:
        if old_size == "max" or new_size == "max":
            return TypeChange(ir.Work.REWRITE, f"{old} to {new} moves every value between in-row and large-object storage")
        if int(new_size or 1) > int(old_size or 1):
            return TypeChange(None, f"a longer {old_base} changes only metadata")
        return TypeChange(ir.Work.SCAN, f"a shorter {old_base} is checked against every row (and may rewrite them)")
    return TypeChange(ir.Work.REWRITE, f"{old} to {new} changes how every value is stored")


def _parts(type_text: str) -> tuple[str, str | None, str | None]:
    match = _TYPE.match(type_text.lower())
    if match is None:
        return (type_text.strip().lower(), None, None)
    return (match["base"], match["size"], match["scale"])


def blocks_reads_or_writes(statement: ir.Statement, table: ir.TableName) -> ir.LockTaken | None:
    """The lock `statement` holds on `table` when it blocks reads or writes (an online one does not)."""
    for lock in statement.locks:
        if lock.table == table and lock.blocks & (ir.Blocks.READS | ir.Blocks.WRITES):
            return lock
    return None


def column_definition(statement: ir.Statement, event: ir.AlterColumnType) -> str:
    """`[c] type [NULL | NOT NULL]` as the ALTER COLUMN states it (help SQL restates it whole)."""
    nullability = next((e.not_null for e in statement.events if isinstance(e, ir.SetNotNull) and e.column == event.column), None)
    suffix = "" if nullability is None else " NOT NULL" if nullability else " NULL"
    return f"{event.type}{suffix}"
