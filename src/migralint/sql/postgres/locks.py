"""PostgreSQL's table lock levels, and which lock a statement takes on which table.

The levels and what each blocks follow the "Explicit Locking" chapter of the PostgreSQL
documentation and `AlterTableGetLockLevel` in tablecmds.c.
"""

from __future__ import annotations

from enum import IntEnum
from functools import lru_cache
from typing import NamedTuple

from migralint.sql.postgres.nodes import Node, TableName, alter_table_commands, unwrap


class Lock(IntEnum):
    ACCESS_SHARE = 1
    ROW_SHARE = 2
    ROW_EXCLUSIVE = 3
    SHARE_UPDATE_EXCLUSIVE = 4
    SHARE = 5
    SHARE_ROW_EXCLUSIVE = 6
    EXCLUSIVE = 7
    ACCESS_EXCLUSIVE = 8

    @property
    def sql_name(self) -> str:
        return _SQL_NAMES[self]

    @property
    def blocks(self) -> str:
        """What waits while this lock is held, in a user's words."""
        if self >= Lock.ACCESS_EXCLUSIVE:
            return "every query on it, reads included, waits"
        if self >= Lock.SHARE:
            return "INSERT, UPDATE and DELETE wait"
        if self >= Lock.SHARE_UPDATE_EXCLUSIVE:
            return "other schema changes and VACUUM wait, reads and writes go on"
        return "only ACCESS EXCLUSIVE waits"

    @property
    def blocks_writes(self) -> bool:
        return self >= Lock.SHARE


# One string per lock: the models of a large file's statements each kept a copy of its name.
_SQL_NAMES = {lock: lock.name.replace("_", " ") for lock in Lock}


class LockTaken(NamedTuple):
    table: TableName
    lock: Lock


@lru_cache(maxsize=8192)
def _shared_lock(table: TableName, lock: Lock) -> LockTaken:
    """One LockTaken for the locks of neighbouring statements: every statement's are kept for
    the passes over a whole file (Context.locks), a large file's by the hundred thousand."""
    return LockTaken(table, lock)


# ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (tablecmds.c).
_ALTER_TABLE_LOCKS = {
    "AT_AddConstraint": Lock.ACCESS_EXCLUSIVE,  # refined for foreign keys below
    "AT_ValidateConstraint": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_SetStatistics": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_SetOptions": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_ResetOptions": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_SetRelOptions": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_ResetRelOptions": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_ClusterOn": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_DropCluster": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_AttachPartition": Lock.SHARE_UPDATE_EXCLUSIVE,
    "AT_EnableTrig": Lock.SHARE_ROW_EXCLUSIVE,
    "AT_EnableAlwaysTrig": Lock.SHARE_ROW_EXCLUSIVE,
    "AT_EnableReplicaTrig": Lock.SHARE_ROW_EXCLUSIVE,
    "AT_EnableTrigAll": Lock.SHARE_ROW_EXCLUSIVE,
    "AT_EnableTrigUser": Lock.SHARE_ROW_EXCLUSIVE,
    "AT_DisableTrig": Lock.SHARE_ROW_EXCLUSIVE,
    "AT_DisableTrigAll": Lock.SHARE_ROW_EXCLUSIVE,
    "AT_DisableTrigUser": Lock.SHARE_ROW_EXCLUSIVE,
}


def alter_table_command_lock(cmd: Node) -> Lock:
    subtype = cmd.get("subtype", "")
    if subtype == "AT_AddConstraint" and _is_foreign_key(cmd.get("def")):
        return Lock.SHARE_ROW_EXCLUSIVE
    if subtype == "AT_DetachPartition" and cmd.get("def", {}).get("PartitionCmd", {}).get("concurrent"):
        return Lock.SHARE_UPDATE_EXCLUSIVE
    return _ALTER_TABLE_LOCKS.get(subtype, Lock.ACCESS_EXCLUSIVE)


def _is_foreign_key(definition: Node | None) -> bool:
    return bool(definition) and unwrap(definition)[1].get("contype") == "CONSTR_FOREIGN"  # type: ignore[arg-type]


def referenced_tables(node: Node) -> list[TableName]:
    """Tables named by foreign keys of a CREATE TABLE or ALTER TABLE.

    Foreign keys stand only as table constraints or column constraints; looking there, and
    not through whole expression trees, keeps this cheap on large CREATE TABLE statements.
    """
    found: list[TableName] = []
    for element in node.get("tableElts", ()):
        _add_references(element, found)
    for command in alter_table_commands(node):
        if command.get("def"):
            _add_references(command["def"], found)
    return found


def _add_references(definition: Node, found: list[TableName]) -> None:
    # One pass, no lists of the elements, no call per constraint: asked of every CREATE and
    # ALTER TABLE, whose columns mostly have constraints (NOT NULL, DEFAULT) that name no table.
    # A node is {type: fields}: its one item is read in a loop rather than unwrapped.
    for kind, body in definition.items():
        if kind == "Constraint":
            if body.get("contype") == "CONSTR_FOREIGN" and "pktable" in body:
                found.append(TableName.from_range_var(body["pktable"]))
        elif kind == "ColumnDef":
            for wrapped in body.get("constraints", ()):
                for constraint in wrapped.values():
                    if constraint.get("contype") == "CONSTR_FOREIGN" and "pktable" in constraint:
                        found.append(TableName.from_range_var(constraint["pktable"]))


def statement_locks(kind: str, node: Node) -> list[LockTaken]:
    """The table locks a statement takes, strongest per table; unknown statements take none."""
    # The three kinds most migrations are made of first, each in one pass: every statement is
    # asked once, and the general path below cost an ALTER TABLE twice as much.
    if kind == "AlterTableStmt":
        return _alter_table_locks(node) if node.get("objtype") in ("OBJECT_TABLE", None) else []
    if kind == "IndexStmt":
        lock = Lock.SHARE_UPDATE_EXCLUSIVE if node.get("concurrent") else Lock.SHARE
        return [_shared_lock(TableName.from_range_var(node["relation"]), lock)]
    if kind == "CreateStmt":
        found: list[TableName] = []
        for element in node.get("tableElts", ()):
            _add_references(element, found)
        return _strongest_per_table([LockTaken(other, Lock.SHARE_ROW_EXCLUSIVE) for other in found]) if found else []
    taken: list[LockTaken] = []
    if kind == "RenameStmt" and node.get("renameType") in ("OBJECT_TABLE", "OBJECT_COLUMN", "OBJECT_TABCONSTRAINT"):
        taken.append(LockTaken(TableName.from_range_var(node["relation"]), Lock.ACCESS_EXCLUSIVE))
    elif kind == "DropStmt" and node.get("removeType") == "OBJECT_TABLE":
        for obj in node.get("objects", []):
            taken.append(LockTaken(TableName.from_names(unwrap(obj)[1].get("items", [])), Lock.ACCESS_EXCLUSIVE))
    elif kind == "TruncateStmt":
        for relation in node.get("relations", []):
            taken.append(LockTaken(TableName.from_range_var(unwrap(relation)[1]), Lock.ACCESS_EXCLUSIVE))
    elif kind == "CreateTrigStmt" and "relation" in node:
        taken.append(LockTaken(TableName.from_range_var(node["relation"]), Lock.SHARE_ROW_EXCLUSIVE))
    elif kind == "LockStmt":
        lock = Lock(node.get("mode", Lock.ACCESS_EXCLUSIVE))
        for relation in node.get("relations", []):
            taken.append(LockTaken(TableName.from_range_var(unwrap(relation)[1]), lock))
    elif kind == "ReindexStmt" and node.get("kind") == "REINDEX_OBJECT_TABLE" and "relation" in node:
        # REINDEX INDEX names only the index; its table is found through the file schema.
        concurrent = any(unwrap(p)[1].get("defname") == "concurrently" for p in node.get("params", []))
        lock = Lock.SHARE_UPDATE_EXCLUSIVE if concurrent else Lock.SHARE
        taken.append(LockTaken(TableName.from_range_var(node["relation"]), lock))
    elif kind == "DropStmt" and node.get("removeType") in ("OBJECT_TRIGGER", "OBJECT_RULE"):
        for obj in node.get("objects", []):
            items = unwrap(obj)[1].get("items", [])  # [schema,] table, trigger
            taken.append(LockTaken(TableName.from_names(items[:-1]), Lock.ACCESS_EXCLUSIVE))
    elif kind == "ClusterStmt" and "relation" in node:
        taken.append(LockTaken(TableName.from_range_var(node["relation"]), Lock.ACCESS_EXCLUSIVE))
    elif kind == "VacuumStmt" and any(
        unwrap(o)[1].get("defname") == "full" and not unwrap(o)[1].get("arg") for o in node.get("options", [])
    ):
        for relation in node.get("rels", []):
            range_var = unwrap(relation)[1].get("relation", {})
            taken.append(LockTaken(TableName.from_range_var(range_var), Lock.ACCESS_EXCLUSIVE))
    elif kind == "RefreshMatViewStmt":
        lock = Lock.EXCLUSIVE if node.get("concurrent") else Lock.ACCESS_EXCLUSIVE
        taken.append(LockTaken(TableName.from_range_var(node["relation"]), lock))
    return _strongest_per_table(taken)


def _alter_table_locks(node: Node) -> list[LockTaken]:
    """An ALTER TABLE's locks: the strongest its subcommands take on the table (tablecmds.c's
    AlterTableGetLockLevel), and SHARE ROW EXCLUSIVE on each table a foreign key it adds names."""
    commands = alter_table_commands(node)
    strongest = Lock.ACCESS_SHARE  # weaker than any subcommand's
    found: list[TableName] = []
    for cmd in commands:
        subtype = cmd.get("subtype", "")
        definition = cmd.get("def")
        if subtype == "AT_AddConstraint" and definition and _is_foreign_key(definition):
            lock = Lock.SHARE_ROW_EXCLUSIVE
        elif subtype == "AT_DetachPartition" and cmd.get("def", {}).get("PartitionCmd", {}).get("concurrent"):
            lock = Lock.SHARE_UPDATE_EXCLUSIVE
        else:
            lock = _ALTER_TABLE_LOCKS.get(subtype, Lock.ACCESS_EXCLUSIVE)
        if lock > strongest:
            strongest = lock
        if definition:
            _add_references(definition, found)
    table = TableName.from_range_var(node["relation"])
    if not found:
        return [_shared_lock(table, strongest)] if commands else []
    taken = [LockTaken(table, strongest)] if commands else []
    return _strongest_per_table(taken + [LockTaken(other, Lock.SHARE_ROW_EXCLUSIVE) for other in found])


def _strongest_per_table(taken: list[LockTaken]) -> list[LockTaken]:
    if len(taken) == 1:  # most statements lock one table
        return [_shared_lock(*taken[0])]
    strongest: dict[TableName, Lock] = {}
    for item in taken:
        if item.lock > strongest.get(item.table, Lock.ACCESS_SHARE - 1):
            strongest[item.table] = item.lock
    return [_shared_lock(table, lock) for table, lock in strongest.items()]
