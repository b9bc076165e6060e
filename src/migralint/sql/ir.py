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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, Flag, auto
from typing import NamedTuple, Union

from migralint.source import LineIndex
from migralint.sql.dialect import Dialect


class TableName(NamedTuple):
    """A table (or index, view...) as the database resolves it: schema and folded name.

    `schema` is what the dialect resolves an unqualified name to ("public" on PostgreSQL; "" on
    MySQL and SQLite, where it is the connection's database). A NamedTuple: rules build and hash
    hundreds of thousands of them, and tuples do both in C.
    """

    schema: str
    name: str

    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


class Kind(str, Enum):
    """The statement's shape, as its author wrote it. What it does is in `events`."""

    CREATE_TABLE = "create table"
    ALTER_TABLE = "alter table"  # RENAME COLUMN / RENAME TO written as ALTER TABLE included
    DROP_TABLE = "drop table"
    RENAME_TABLE = "rename table"  # a statement of its own: MySQL RENAME TABLE, sp_rename
    CREATE_INDEX = "create index"
    DROP_INDEX = "drop index"
    CREATE_OTHER = "create"  # views, types, functions, sequences, extensions, schemas...
    ALTER_OTHER = "alter"
    DROP_OTHER = "drop"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    TRUNCATE = "truncate"
    SELECT = "select"
    TRANSACTION = "transaction"  # BEGIN, COMMIT, ROLLBACK, SAVEPOINT: see `tx`
    SET = "set"  # session settings: SET lock_timeout, SET lock_wait_timeout, PRAGMA ...
    OTHER = "other"


class Blocks(Flag):
    """What other sessions wait for while a lock is held."""

    NOTHING = 0
    DDL = auto()  # other schema changes (and VACUUM on PostgreSQL)
    WRITES = auto()  # INSERT, UPDATE, DELETE
    READS = auto()  # SELECT


class Work(str, Enum):
    """The slow thing done while a lock is held: time in proportion to the table's rows."""

    SCAN = "a scan of every row"  # validating a constraint or NOT NULL
    REWRITE = "a rewrite of the table"  # in place (PostgreSQL, MySQL INPLACE rebuild)
    COPY = "a copy of the table"  # MySQL ALGORITHM=COPY, SQLite's create-copy-drop-rename
    INDEX_BUILD = "an index build"
    BACKFILL = "a backfill of every row"  # UPDATE of every row, a default written to each row


class LockTaken(NamedTuple):
    table: TableName
    blocks: Blocks
    name: str  # the dialect's own name for it: "ACCESS EXCLUSIVE", "an exclusive metadata lock"
    work: Work | None = None  # what happens while it is held; None: nothing that grows with rows


class Default(str, Enum):
    """How a column's default fills existing rows."""

    NONE = "none"
    CONSTANT = "constant"  # one value for every row (PostgreSQL 11+ stores it, no rewrite)
    VOLATILE = "volatile"  # a value per row: now() on some databases, random(), gen_random_uuid()
    SEQUENCE = "sequence"  # serial, IDENTITY, AUTO_INCREMENT: numbered row by row


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # as written, normalised to lower case: "varchar(255)", "integer"
    not_null: bool = False
    default: Default = Default.NONE
    generated_stored: bool = False  # a STORED generated column: computed for every row
    primary_key: bool = False  # part of the primary key (not_null is then True as well)
    generated: bool = False  # GENERATED ... AS (expr), stored or virtual: never NULL for want of a value
    # What only the dialect's own readers use, kept for the replayed schema (linter/catalog.py):
    # GENERATED ... AS IDENTITY (the database makes it NOT NULL; `not_null` says what was written),
    # and the parser's type and DEFAULT expression (PostgreSQL rules compare libpg_query TypeName
    # trees). Left out of == and hash: they may be the parser's dicts.
    identity: bool = False
    raw_type: object = field(default=None, compare=False)
    raw_default: object = field(default=None, compare=False)


class ConstraintKind(str, Enum):
    PRIMARY_KEY = "primary key"
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    CHECK = "check"
    EXCLUSION = "exclusion"
    NOT_NULL = "not null"  # PostgreSQL 18's named NOT NULL constraint (CONSTRAINT c NOT NULL col)


# -- events: what a statement changes, in order ------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateTable:
    table: TableName
    columns: tuple[Column, ...] = ()
    from_query: bool = False  # CREATE TABLE ... AS SELECT: it holds rows at once
    if_not_exists: bool = False  # an existing table of that name is left as it is
    partitioned: bool = False  # PARTITION BY: its rows live in its partitions
    partition_of: TableName | None = None  # PARTITION OF: it has the parent's columns
    # Its constraints, the columns' own and the table's, in the order written. Not events of
    # their own: creating a table with its keys takes no lock of their own and scans no rows.
    constraints: tuple[AddConstraint, ...] = ()


@dataclass(frozen=True, slots=True)
class DropTable:
    table: TableName
    cascade: bool = False  # drops what depends on it too (views, foreign keys): help SQL keeps it


@dataclass(frozen=True, slots=True)
class RenameTable:
    table: TableName
    new: TableName


@dataclass(frozen=True, slots=True)
class AddColumn:
    table: TableName
    column: Column
    if_not_exists: bool = False  # IF NOT EXISTS: nothing happens (its constraints neither) if it exists


@dataclass(frozen=True, slots=True)
class DropColumn:
    table: TableName
    column: str
    cascade: bool = False


@dataclass(frozen=True, slots=True)
class RenameColumn:
    table: TableName
    column: str
    new: str


@dataclass(frozen=True, slots=True)
class AlterColumnType:
    table: TableName
    column: str
    type: str  # the new type, as in Column.type
    rewrites: bool  # False where the dialect changes it in place (the front end knows which)
    raw_type: object = field(default=None, compare=False)  # as Column.raw_type


@dataclass(frozen=True, slots=True)
class SetNotNull:
    table: TableName
    column: str
    not_null: bool  # False: DROP NOT NULL / NULL


@dataclass(frozen=True, slots=True)
class SetDefault:
    table: TableName
    column: str
    default: Default
    raw: object = field(default=None, compare=False)  # the parser's expression, as Column.raw_default


@dataclass(frozen=True, slots=True)
class AddConstraint:
    table: TableName
    kind: ConstraintKind
    name: str | None = None
    columns: tuple[str, ...] = ()
    validated: bool = True  # False: NOT VALID (checks new rows only)
    references: TableName | None = None  # a foreign key's referenced table
    # A foreign key's ON DELETE action, lower case ("cascade", "set null", "set default",
    # "restrict", "no action"); "" when not written. Deleting or dropping the referenced table's
    # rows fires it: SQLite's table rebuilds wipe children through it.
    on_delete: str = ""
    referenced_columns: tuple[str, ...] = ()  # a foreign key's referenced columns (empty: its primary key)
    default_name: str = ""  # the name the database gives it ("" when it has a name, or unknown)
    makes_index: bool = False  # a key that builds an index of its own name (PostgreSQL, no USING INDEX)
    raw_expression: object = field(default=None, compare=False)  # a CHECK's expression, the parser's node


@dataclass(frozen=True, slots=True)
class DropConstraint:
    table: TableName
    name: str


@dataclass(frozen=True, slots=True)
class ValidateConstraint:
    """Checks the existing rows against a constraint added NOT VALID."""

    table: TableName
    name: str


@dataclass(frozen=True, slots=True)
class OtherTableChange:
    """A change to a table that no other event describes (triggers, storage, statistics...), so
    that an ALTER TABLE has one event per subcommand."""

    table: TableName
    what: str  # the dialect's own name for it: "SetStatistics", "EnableTrig"


# OtherTableChange.what of a primary key replaced in one statement (CockroachDB's ALTER PRIMARY
# KEY): an event of its own, so that the rewrite's PostgreSQL-shaped ADD PRIMARY KEY is not taken
# for a new primary key. Here, beside the event, so that the rule reading it does not import the
# front end (and its syntax tables) into every start.
ALTER_PRIMARY_KEY = "AlterPrimaryKey"


@dataclass(frozen=True, slots=True)
class CreateObject:
    """A view, type, function... created: a view can keep an old table name working."""

    what: str  # as DropObject.what
    name: TableName
    # A function's input argument types (PostgreSQL's overloads); None: not given or not a function.
    args: tuple[str, ...] | None = None
    replaces: bool = False  # OR REPLACE, IF NOT EXISTS: the name may have existed before
    # A view's query: the tables it reads and every column name it mentions (renames and drops
    # of those break it).
    reads: tuple[TableName, ...] = ()
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CreateIndex:
    table: TableName
    name: str | None
    columns: tuple[str, ...] = ()
    unique: bool = False
    online: bool = False  # CONCURRENTLY, ALGORITHM=INPLACE LOCK=NONE, WITH (ONLINE = ON)
    default_name: str = ""  # the name the database gives it ("" when it has a name, or unknown)
    if_not_exists: bool = False
    partial: bool = False  # WHERE ...: it indexes some rows only


@dataclass(frozen=True, slots=True)
class DropIndex:
    name: TableName
    table: TableName | None = None
    online: bool = False


@dataclass(frozen=True, slots=True)
class DataChange:
    table: TableName
    op: str  # "insert", "update", "delete", "truncate", "copy"
    all_rows: bool = False  # no WHERE (UPDATE/DELETE), TRUNCATE: every existing row
    # INSERT INTO table (columns) SELECT ... FROM source: the rows of one table copied into
    # another, as SQLite's table rebuild does. `columns` are the target's columns filled, in
    # order (empty: none named, the table's own order); `source_columns` the source column each
    # is read from ("*" for all of them; for an expression the one column it reads, as in
    # coalesce("c", 0); "" when it reads none or several).
    source: TableName | None = None
    columns: tuple[str, ...] = ()
    source_columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DropObject:
    what: str  # "view", "type", "function", "sequence", "schema", "database", "extension"...
    name: TableName  # schemas, extensions and databases: TableName("", name)
    cascade: bool = False  # drops what depends on it too
    args: tuple[str, ...] | None = None  # a function's input argument types; None: not given
    force: bool = False  # DROP DATABASE ... WITH (FORCE): ends the sessions connected to it


@dataclass(frozen=True, slots=True)
class RenameObject:
    """An index, view, materialized view, type, function, schema or sequence renamed: the new
    name is one the file brings into existence (tables and columns have RenameTable and
    RenameColumn, a table's constraints RenameConstraint)."""

    what: str  # as DropObject.what
    name: TableName
    new: TableName


@dataclass(frozen=True, slots=True)
class SetSetting:
    """A session setting changed: SET, SET LOCAL, RESET, PostgreSQL's set_config()."""

    name: str  # lower case; "" for RESET ALL (every setting back to its default)
    value: str | None  # as written, unquoted ("?": an expression); None: back to the default
    local: bool = False  # SET LOCAL, set_config(..., true): only until the transaction ends


@dataclass(frozen=True, slots=True)
class RebuildIndex:
    """An index built again in place (REINDEX INDEX): its table is locked while it builds."""

    name: TableName
    online: bool = False  # CONCURRENTLY


@dataclass(frozen=True, slots=True)
class CreateEnum:
    """An enum type's values, as created: the statement's CreateObject("type") names it for
    the rules; this is what the replayed schema keeps of it."""

    name: TableName
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AddEnumValue:
    name: TableName  # the enum type
    value: str
    neighbour: str = ""  # BEFORE or AFTER this value; "": at the end
    after: bool = False


@dataclass(frozen=True, slots=True)
class RenameEnumValue:
    name: TableName  # the enum type
    value: str
    new: str


@dataclass(frozen=True, slots=True)
class CreateFunction:
    """A function or procedure created (or replaced): its return type, for the replayed schema
    (the statement's CreateObject names it and its arguments for the rules)."""

    name: TableName
    returns: str = ""  # the return type's name, lower case: "trigger" (only triggers call it), "" for none


@dataclass(frozen=True, slots=True)
class RenameConstraint:
    table: TableName
    name: str
    new: str


Event = Union[
    CreateTable, DropTable, RenameTable, AddColumn, DropColumn, RenameColumn, AlterColumnType,
    SetNotNull, SetDefault, AddConstraint, DropConstraint, CreateIndex, DropIndex, DataChange,
    DropObject, ValidateConstraint, OtherTableChange, CreateObject, RenameObject, SetSetting, RebuildIndex,
    CreateEnum, AddEnumValue, RenameEnumValue, CreateFunction, RenameConstraint,
]


class Tx(str, Enum):
    BEGIN = "begin"
    COMMIT = "commit"
    ROLLBACK = "rollback"
    SAVEPOINT = "savepoint"
    RELEASE = "release"
    ROLLBACK_TO = "rollback to savepoint"


class Setting(NamedTuple):
    """A session setting a statement writes: SQLite's `PRAGMA foreign_keys=OFF`."""

    name: str  # lower case
    value: str  # as written, unquoted; "" when the statement only reads it


@dataclass(frozen=True, slots=True)
class Statement:
    index: int  # its place in the file, from 0
    kind: Kind
    start: int  # character offset of its first token
    end: int  # character offset just past its last token (the ";" excluded)
    tables: tuple[TableName, ...] = ()  # every table it touches, the altered one first
    locks: tuple[LockTaken, ...] = ()
    events: tuple[Event, ...] = ()
    # Where each event is written (an ALTER TABLE subcommand), parallel to `events`; empty when
    # the front end cannot tell: findings then point at the whole statement.
    event_spans: tuple[tuple[int, int], ...] = ()
    tx: Tx | None = None
    # MySQL (and others) commit before and after each DDL statement: a file of several cannot
    # be rolled back as a whole.
    implicit_commit: bool = False
    understood: bool = True  # False: the front end could not read it; never take it as harmless
    node_type: str = ""  # the parser's own name for it: "AlterTableStmt", "Alter", "Command"
    raw: object = None  # the parser's node, for the dialect's own rules
    setting: Setting | None = None  # Kind.SET: what it sets

    def span_of(self, event: Event) -> tuple[int, int]:
        """Where `event` is written, or the whole statement."""
        for candidate, span in zip(self.events, self.event_spans):
            if candidate is event:
                return span
        return (self.start, self.end)


class Comment(NamedTuple):
    start: int
    end: int  # exclusive
    text: str
    own_line: bool  # nothing but white space before it on its line


class SyntaxProblem(NamedTuple):
    message: str
    offset: int  # character offset the parser points at


@dataclass(frozen=True, slots=True)
class ParsedFile:
    dialect: Dialect
    index: LineIndex
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]
    syntax_error: SyntaxProblem | None = None  # nothing after its offset was read
    nul_offset: int | None = None
    # Statements the parser refused while the rest of the file was still read (a front end that
    # parses statement by statement, as MySQL's does): each is also an understood=False statement.
    statement_errors: tuple[SyntaxProblem, ...] = ()

    @property
    def text(self) -> str:
        return self.index.text
