"""SQLite's table rebuilds in a file's statements, and what each one loses: the facts the
sqlite-rebuild-* rules of issue 15 read.

SQLite alters little in place, so a table is changed by rebuilding it (sqlite.org/
lang_altertable.html, "Making Other Kinds Of Table Schema Changes"): create `new_X`, copy the
rows from `X`, drop `X`, rename `new_X` to `X`. The other order, renaming `X` away first
(`X_old`), then creating `X`, copying from `X_old` and dropping it, is the one that page warns
about: since SQLite 3.26 the rename rewrites the children's `REFERENCES X` to `X_old`
(lang_altertable.html, "ALTER TABLE RENAME" compatibility notes), which the drop then leaves
dangling, or cascades through.

`DROP TABLE X` deletes every row of X first when foreign keys are enforced
(sqlite.org/lang_droptable.html), firing each child's ON DELETE action; a `PRAGMA
foreign_keys=OFF` prevents it only outside a transaction (docs/dialects/sqlite-runners.md).

Pure functions over model statements; the schema known before a file comes from `replay` of
the folder's earlier files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from migralint.sql import ir

_FIRING = frozenset({"cascade", "set null", "set default"})
_OFF = frozenset({"off", "0", "false", "no"})


@dataclass
class Schema:
    """Tables' columns and foreign keys as a replay of statements leaves them."""

    columns: dict[ir.TableName, tuple[ir.Column, ...]] = field(default_factory=dict)
    foreign_keys: list[ir.AddConstraint] = field(default_factory=list)

    def copy(self) -> Schema:
        return Schema(dict(self.columns), list(self.foreign_keys))

    def apply(self, statement: ir.Statement) -> None:
        for event in statement.events:
            if isinstance(event, ir.CreateTable):
                self.columns[event.table] = event.columns
                self.foreign_keys = [k for k in self.foreign_keys if k.table != event.table]
            elif isinstance(event, ir.AddConstraint) and event.kind is ir.ConstraintKind.FOREIGN_KEY:
                self.foreign_keys.append(event)
            elif isinstance(event, ir.DropTable):
                self.columns.pop(event.table, None)
                # The children's REFERENCES stay, dangling: SQLite keeps them as written.
                self.foreign_keys = [k for k in self.foreign_keys if k.table != event.table]
            elif isinstance(event, ir.RenameTable):
                if event.table in self.columns:
                    self.columns[event.new] = self.columns.pop(event.table)
                self.foreign_keys = [_renamed(k, event.table, event.new) for k in self.foreign_keys]
            elif isinstance(event, ir.AddColumn) and event.table in self.columns:
                self.columns[event.table] = (*self.columns[event.table], event.column)
            elif isinstance(event, ir.DropColumn) and event.table in self.columns:
                self.columns[event.table] = tuple(c for c in self.columns[event.table] if c.name != event.column)
            elif isinstance(event, ir.RenameColumn) and event.table in self.columns:
                self.columns[event.table] = tuple(
                    ir.Column(event.new, c.type, c.not_null, c.default, c.generated_stored) if c.name == event.column else c
                    for c in self.columns[event.table]
                )


def _renamed(key: ir.AddConstraint, old: ir.TableName, new: ir.TableName) -> ir.AddConstraint:
    """SQLite 3.26+ rewrites both sides of a foreign key when a table is renamed."""
    table = new if key.table == old else key.table
    references = new if key.references == old else key.references
    if table == key.table and references == key.references:
        return key
    return ir.AddConstraint(table, key.kind, key.name, key.columns, key.validated, references, key.on_delete)


def replay(files: Iterable[Sequence[ir.Statement]], schema: Schema | None = None) -> Schema:
    """The schema the statements of `files`, in order, leave (a folder's earlier migrations)."""
    state = schema.copy() if schema is not None else Schema()
    for statements in files:
        for statement in statements:
            state.apply(statement)
    return state


@dataclass(frozen=True)
class Rebuild:
    """SQLite's table rebuild as a file writes it (create the new table, copy the rows, drop the old
    one, rename), and what it loses."""

    table: ir.TableName  # X, the table rebuilt
    new: ir.TableName  # the other name: new_X, or X_old when the old table is renamed first
    renames_old_first: bool
    create: int  # the statements' indexes in the file
    copies: tuple[int, ...]  # the INSERT ... SELECTs from the old table; none: every row is lost
    drop: int
    rename: int
    old_columns: tuple[ir.Column, ...] | None  # None: X's columns are not known
    columns_lost: tuple[str, ...]  # columns of X the copy does not read
    unfilled_required: tuple[str, ...]  # NOT NULL columns of the new table, no default, not copied
    # Foreign keys of other tables on X whose ON DELETE fires when X's rows go; with
    # renames_old_first, those the rename moves onto X_old.
    children: tuple[ir.AddConstraint, ...]
    foreign_keys_off: bool  # a `PRAGMA foreign_keys=OFF` is in force at the drop
    pragma_in_transaction: bool  # ... but it was written after an open BEGIN: SQLite ignores it
    # After an old-first rebuild, `RENAME X TO X_old; RENAME X_old TO X` (drizzle-kit's old
    # output) makes SQLite rewrite the dangling REFERENCES X_old back to X.
    references_restored: bool = False


def find_rebuilds(statements: Sequence[ir.Statement], before: Schema | None = None) -> tuple[Rebuild, ...]:
    """Every rebuild in one file's statements, `before` the schema known when the file starts."""
    states: list[Schema] = []
    state = before.copy() if before is not None else Schema()
    for statement in statements:
        states.append(state.copy())
        state.apply(statement)
    pragmas = _pragma_states(statements)
    found: list[Rebuild] = []
    drops: set[int] = set()
    for index, statement in enumerate(statements):
        for event in statement.events:
            if isinstance(event, ir.RenameTable):
                rebuild = _old_first(statements, states, pragmas, index, event) or _documented(statements, states, pragmas, index, event)
                # One drop, one rebuild: drizzle's closing rename pair would read as a second one.
                if rebuild is not None and rebuild.drop not in drops:
                    drops.add(rebuild.drop)
                    found.append(rebuild)
    return tuple(found)


def _event_at(statements: Sequence[ir.Statement], kind: type, where: range, test: Callable[[Any], bool]) -> int | None:
    for i in where:
        for event in statements[i].events:
            if isinstance(event, kind) and test(event):
                return i
    return None


def _documented(statements: Sequence[ir.Statement], states: list[Schema], pragmas: list[tuple[bool, bool]], rename: int, event: ir.RenameTable) -> Rebuild | None:
    """create new_X ... copy ... DROP X ... RENAME new_X TO X."""
    new, table = event.table, event.new
    drop = _event_at(statements, ir.DropTable, range(rename - 1, -1, -1), lambda e: e.table == table)
    if drop is None:
        return None
    create = _event_at(statements, ir.CreateTable, range(drop - 1, -1, -1), lambda e: e.table == new)
    if create is None:
        return None
    copies = _events_at(statements, range(create + 1, drop), new, table)
    old_columns = states[create].columns.get(table)
    return _rebuild(statements, states, pragmas, table, new, False, create, copies, drop, rename, old_columns, drop)


def _old_first(statements: Sequence[ir.Statement], states: list[Schema], pragmas: list[tuple[bool, bool]], rename: int, event: ir.RenameTable) -> Rebuild | None:
    """RENAME X TO X_old ... create X ... copy from X_old ... DROP X_old."""
    table, old = event.table, event.new
    create = _event_at(statements, ir.CreateTable, range(rename + 1, len(statements)), lambda e: e.table == table)
    if create is None:
        return None
    drop = _event_at(statements, ir.DropTable, range(create + 1, len(statements)), lambda e: e.table == old)
    if drop is None:
        return None
    copies = _events_at(statements, range(create + 1, drop), table, old)
    old_columns = states[rename].columns.get(table)
    restored = _event_at(statements, ir.RenameTable, range(drop + 1, len(statements)), lambda e: e.table == table and e.new == old)
    back = restored is not None and _event_at(
        statements, ir.RenameTable, range(restored + 1, len(statements)), lambda e: e.table == old and e.new == table
    ) is not None
    # The children that matter are those the rename moved onto X_old: read them at the drop.
    found = _rebuild(statements, states, pragmas, table, old, True, create, copies, drop, rename, old_columns, drop, dropped=old)
    return replace(found, references_restored=back)


def _events_at(statements: Sequence[ir.Statement], where: range, target: ir.TableName, source: ir.TableName) -> tuple[int, ...]:
    return tuple(
        i for i in where
        if any(isinstance(e, ir.DataChange) and e.table == target and e.source == source for e in statements[i].events)
    )


def _rebuild(
    statements: Sequence[ir.Statement], states: list[Schema], pragmas: list[tuple[bool, bool]],
    table: ir.TableName, other: ir.TableName, old_first: bool, create: int, copies: tuple[int, ...], drop: int,
    rename: int, old_columns: tuple[ir.Column, ...] | None, at: int, dropped: ir.TableName | None = None,
) -> Rebuild:
    rebuilt = table if old_first else other
    new_columns = next((e.columns for e in statements[create].events if isinstance(e, ir.CreateTable)), ())
    filled: set[str] = set()
    read: set[str] = set()
    for copy in copies:
        more_filled, more_read = _copied(statements[copy], new_columns, old_columns)
        filled |= more_filled
        read |= more_read
    lost = tuple(c.name for c in old_columns or () if c.name not in read)
    unfilled = tuple(
        c.name for c in new_columns if c.not_null and c.default is ir.Default.NONE and c.name not in filled
    )
    target = dropped or table
    children = tuple(
        k for k in states[at].foreign_keys
        if k.references == target and k.on_delete in _FIRING and k.table not in (target, rebuilt)
    )
    off, in_transaction = pragmas[drop]
    return Rebuild(table, other, old_first, create, copies, drop, rename, old_columns, lost, unfilled, children, off, in_transaction)


def _copied(statement: ir.Statement, new_columns: tuple[ir.Column, ...], old_columns: tuple[ir.Column, ...] | None) -> tuple[set[str], set[str]]:
    """The new table's columns the copy fills, and the old table's columns it reads."""
    from sqlglot import exp  # here: the rules import this module, and a lint served from the cache parses nothing

    change = next(e for e in statement.events if isinstance(e, ir.DataChange))
    star = "*" in change.source_columns
    read = {c for c in change.source_columns if c and c != "*"}
    if isinstance(statement.raw, exp.Insert):
        query = statement.raw.args.get("expression")
        if isinstance(query, exp.Select):
            read |= {c.name.lower() for c in query.find_all(exp.Column) if not isinstance(c.this, exp.Star)}
    if star:
        read |= {c.name for c in old_columns or ()}
    if change.columns:
        filled = set(change.columns)
    elif star and old_columns is None:  # SELECT * of a table the history does not know: take it as whole
        filled = {c.name for c in new_columns}
    else:  # no column list: the new table's columns in order, as many as the SELECT gives
        width = len(old_columns or ()) if star else len(change.source_columns)
        filled = {c.name for c in new_columns[:width]}
    return filled, read


def _pragma_states(statements: Sequence[ir.Statement]) -> list[tuple[bool, bool]]:
    """Before each statement: is foreign_keys=OFF in force from this file, and was it written
    inside an explicit transaction (where SQLite ignores it)?"""
    states: list[tuple[bool, bool]] = []
    off = ignored = False
    open_tx = False
    for statement in statements:
        states.append((off and not ignored, off and ignored))
        if statement.tx is ir.Tx.BEGIN:
            open_tx = True
        elif statement.tx in (ir.Tx.COMMIT, ir.Tx.ROLLBACK):
            open_tx = False
        setting = statement.setting
        if setting is not None and setting.name == "foreign_keys" and setting.value:
            off = setting.value.lower() in _OFF
            ignored = open_tx
    return states
