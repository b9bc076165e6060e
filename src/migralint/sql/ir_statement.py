"""A statement of the model (sql/ir.py), the file of them a front end gives back, and `Event`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple, Union, overload

from migralint.source import LineIndex
from migralint.sql.dialect import Dialect
from migralint.sql.ir_object_events import (
    AddEnumValue, CreateEnum, CreateFunction, CreateObject, DataChange, DropObject, RebuildIndex,
    RenameEnumValue, RenameObject, SetSetting,
)
from migralint.sql.ir_table_events import (
    AddColumn, AddConstraint, AlterColumnType, CreateIndex, CreateTable, DropColumn, DropConstraint,
    DropIndex, DropTable, OtherTableChange, RenameColumn, RenameConstraint, RenameTable, SetDefault,
    SetNotNull, ValidateConstraint,
)
from migralint.sql.ir_terms import Kind, LockTaken, TableName
from migralint.frozen import Value, set_field, slot_setters

if TYPE_CHECKING:
    # mypy checks these classes as the frozen dataclasses they behave as (see migralint/frozen.py).
    from dataclasses import dataclass as frozen_value
else:
    from migralint.frozen import frozen_value


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


class LazySpans(Sequence[tuple[int, int]]):
    """Event spans found the first time they are read. Only a finding reads where an event is
    written, and finding the subcommands of every ALTER TABLE up front cost the cold lint of
    the corpus 1.5% of its instructions (issue 13). They are the tuple they stand for: equal to
    it, hashed as it, shown as it, and pickled as it (the result cache keeps plain tuples)."""

    __slots__ = ("_make", "_spans")

    def __init__(self, make: Callable[[], tuple[tuple[int, int], ...]]) -> None:
        self._make: Callable[[], tuple[tuple[int, int], ...]] | None = make
        self._spans: tuple[tuple[int, int], ...] = ()

    def spans(self) -> tuple[tuple[int, int], ...]:
        make = self._make
        if make is not None:
            self._spans = make()
            self._make = None  # and what it held (the file, its statement)
        return self._spans

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[int, int], ...]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, int] | tuple[tuple[int, int], ...]:
        return self.spans()[index]

    def __len__(self) -> int:
        return len(self.spans())

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.spans())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazySpans):
            other = other.spans()
        return self.spans() == other

    def __hash__(self) -> int:
        return hash(self.spans())

    def __repr__(self) -> str:
        return repr(self.spans())

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self.spans(),))


@frozen_value(frozen=True)
class Statement(Value):
    __slots__ = (
        "index", "kind", "start", "end", "tables", "locks", "events", "event_spans", "tx",
        "implicit_commit", "understood", "node_type", "raw", "setting",
    )
    index: int  # its place in the file, from 0
    kind: Kind
    start: int  # character offset of its first token
    end: int  # character offset just past its last token (the ";" excluded)
    tables: tuple[TableName, ...]  # every table it touches, the altered one first
    locks: tuple[LockTaken, ...]
    events: tuple[Event, ...]
    # Where each event is written (an ALTER TABLE subcommand), parallel to `events`; empty when
    # the front end cannot tell: findings then point at the whole statement. A tuple, or
    # LazySpans (the same tuple, found when first read).
    event_spans: Sequence[tuple[int, int]]
    tx: Tx | None
    # MySQL (and others) commit before and after each DDL statement: a file of several cannot
    # be rolled back as a whole.
    implicit_commit: bool
    understood: bool  # False: the front end could not read it; never take it as harmless
    node_type: str  # the parser's own name for it: "AlterTableStmt", "Alter", "Command"
    raw: object  # the parser's node, for the dialect's own rules
    setting: Setting | None  # Kind.SET: what it sets


    def __init__(
        self, index: int, kind: Kind, start: int, end: int, tables: tuple[TableName, ...] = (),
        locks: tuple[LockTaken, ...] = (), events: tuple[Event, ...] = (),
        event_spans: Sequence[tuple[int, int]] = (), tx: Tx | None = None, implicit_commit: bool = False,
        understood: bool = True, node_type: str = "", raw: object = None, setting: Setting | None = None,
    ) -> None:
        _statement_index(self, index)
        _statement_kind(self, kind)
        _statement_start(self, start)
        _statement_end(self, end)
        _statement_tables(self, tables)
        _statement_locks(self, locks)
        _statement_events(self, events)
        _statement_event_spans(self, event_spans)
        _statement_tx(self, tx)
        _statement_implicit_commit(self, implicit_commit)
        _statement_understood(self, understood)
        _statement_node_type(self, node_type)
        _statement_raw(self, raw)
        _statement_setting(self, setting)

    def span_of(self, event: Event) -> tuple[int, int]:
        """Where `event` is written, or the whole statement."""
        for candidate, span in zip(self.events, self.event_spans):
            if candidate is event:
                return span
        return (self.start, self.end)


# What Statement.__init__ sets each field through (frozen.slot_setters).
(
    _statement_index, _statement_kind, _statement_start, _statement_end, _statement_tables,
    _statement_locks, _statement_events, _statement_event_spans, _statement_tx,
    _statement_implicit_commit, _statement_understood, _statement_node_type, _statement_raw,
    _statement_setting,
) = slot_setters(
    Statement,
    "index kind start end tables locks events event_spans tx implicit_commit "
    "understood node_type raw setting",
)


class Comment(NamedTuple):
    start: int
    end: int  # exclusive
    text: str
    own_line: bool  # nothing but white space before it on its line


class SyntaxProblem(NamedTuple):
    message: str
    offset: int  # character offset the parser points at


@frozen_value(frozen=True)
class ParsedFile(Value):
    __slots__ = (
        "dialect", "index", "statements", "comments", "syntax_error", "nul_offset", "statement_errors",
    )
    dialect: Dialect
    index: LineIndex
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...]
    syntax_error: SyntaxProblem | None  # nothing after its offset was read
    nul_offset: int | None
    # Statements the parser refused while the rest of the file was still read (a front end that
    # parses statement by statement, as MySQL's does): each is also an understood=False statement.
    statement_errors: tuple[SyntaxProblem, ...]


    def __init__(
        self, dialect: Dialect, index: LineIndex, statements: tuple[Statement, ...],
        comments: tuple[Comment, ...], syntax_error: SyntaxProblem | None = None,
        nul_offset: int | None = None, statement_errors: tuple[SyntaxProblem, ...] = (),
    ) -> None:
        set_field(self, "dialect", dialect)
        set_field(self, "index", index)
        set_field(self, "statements", statements)
        set_field(self, "comments", comments)
        set_field(self, "syntax_error", syntax_error)
        set_field(self, "nul_offset", nul_offset)
        set_field(self, "statement_errors", statement_errors)

    @property
    def text(self) -> str:
        return self.index.text
