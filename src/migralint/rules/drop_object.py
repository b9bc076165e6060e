"""The shared shape of the rules about dropping objects that running code may still use.

They read the statement model only (DropObject, CreateObject and RenameObject events): what a
DROP removes, what the file created before it and what the same transaction creates again.
Their verdicts are PostgreSQL's (a transaction hides a drop and re-create from other sessions;
CASCADE takes dependents along), so they run on PostgreSQL only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from migralint.findings import Finding
from migralint.linter.objects import Created, ObjectName, created, dropped_name
from migralint.rules.base import Rule
from migralint.sql import ir

if TYPE_CHECKING:
    from migralint.linter.model_context import ModelContext

_TRAILING_CASCADE = re.compile(r"\s+CASCADE\s*\Z", re.IGNORECASE)


def _created(statement: ir.Statement) -> Iterator[Created]:
    for event in statement.events:
        if isinstance(event, (ir.CreateObject, ir.RenameObject)):
            yield created(event)


# A plain class, not a dataclass: see section_state.py.
class _Created:
    """What the earlier statements of the section surely created, shared by the drop rules."""

    __slots__ = ("certain", "seen")

    def __init__(self) -> None:
        self.certain: list[ObjectName] = []
        self.seen = 0  # how many earlier statements `certain` has read


class DropObjectRule(Rule):
    """A DROP of one family of objects: subclasses say which, and what breaks."""

    _base_class: ClassVar[bool] = True
    kinds = (ir.Kind.DROP_OTHER,)
    dropped: ClassVar[tuple[str, ...]]  # the DropObject.what values this rule covers
    breaks: ClassVar[str]  # what running code still does with the object ("{it}" is replaced)
    cascade_drops: ClassVar[str]  # what CASCADE takes along
    # Re-creating a view in the same transaction brings back what CASCADE dropped with it.
    recreating_restores_dependents: ClassVar[bool] = False

    def still_needed(self, ctx: ModelContext, event: ir.DropObject) -> bool:
        """Whether running code may still use the object; subclasses that know better narrow it."""
        return True

    def check_statement(self, statement: ir.Statement, ctx: ModelContext) -> Iterator[Finding]:
        drops = [e for e in statement.events if isinstance(e, ir.DropObject) and e.what in self.dropped]
        if not drops or ctx.rollback:
            # A rollback drops what its forward migration created, which this file cannot see.
            return
        risky = [e for e in drops if not self._created_earlier(ctx, e) and self._risky(ctx, e) and self.still_needed(ctx, e)]
        if risky:
            message, help = self._words(ctx, statement, risky)
            yield ctx.finding(self, message, help=help)

    def _risky(self, ctx: ModelContext, event: ir.DropObject) -> bool:
        """Not risky: a name the same transaction creates again, unless CASCADE dropped
        dependents that re-creating it does not restore (views: a migration that rebuilds them
        rebuilds the views on them too, and one it forgets fails loudly)."""
        return (event.cascade and not self.recreating_restores_dependents) or not _recreated(ctx, event)

    @staticmethod
    def _created_earlier(ctx: ModelContext, event: ir.DropObject) -> bool:
        """An earlier statement of the file surely created it (or renamed something to it)."""
        # The names are gathered as the section is checked, not by rescanning it for every DROP.
        gathered = ctx.state(_Created)
        earlier = ctx.earlier
        for statement in earlier[gathered.seen :]:
            gathered.certain.extend(c.object for c in _created(statement) if c.certain)
        gathered.seen = len(earlier)
        named = dropped_name(event)
        return any(obj.matches(named) for obj in gathered.certain)

    def _words(self, ctx: ModelContext, statement: ir.Statement, risky: list[ir.DropObject]) -> tuple[str, str]:
        """Message and help; `breaks` finishes "running code that ..." and `cascade_drops` says
        what CASCADE removes too; both may say `{it}`, which becomes "it" or "them"."""
        names = ", ".join(f'"{ctx.sql.name(e.name)}"' for e in risky)
        it = "it" if len(risky) == 1 else "them"
        cascade = risky[0].cascade
        keyword = "DROP " + risky[0].what.upper()
        sql = ctx.source(statement)
        without_cascade = _TRAILING_CASCADE.sub("", sql) + ";"
        dependents_note = f"-- drop the objects that depend on {it} by name first: without CASCADE PostgreSQL refuses while any remain"
        if cascade and all(_recreated(ctx, e) for e in risky):
            # The name comes back before anybody sees it gone; what CASCADE took with it does not.
            message = (
                f"{keyword} {names} CASCADE also drops {self.cascade_drops.format(it=it)}; re-creating {it} later in "
                "this transaction does not bring those back."
            )
            help = (
                f"Drop and re-create what depends on {names} by name, so that nothing disappears unnoticed.\n"
                f"{dependents_note}\n{without_cascade}"
            )
            return message, help
        what = risky[0].what if len(risky) == 1 else risky[0].what + "s"
        message = f"{keyword} removes {what} {names}: running code that {self.breaks.format(it=it)} fails."
        if cascade:
            message += f" CASCADE also drops {self.cascade_drops.format(it=it)}."
        lines = [
            f"Deploy code that no longer uses {names} first, then drop {it} in a later migration"
            + (f", removing what depends on {it} by name instead of CASCADE." if cascade else "."),
            f"-- in a later migration, once no deployed code uses {names}:",
        ]
        if cascade:
            lines.append(dependents_note)
        lines.append(without_cascade if cascade else sql + ";")
        return message, "\n".join(lines)


def _recreated(ctx: ModelContext, event: ir.DropObject) -> bool:
    """A later statement in the current transaction creates it again: the name never disappears
    for other sessions, which wait on the DROP's lock until the commit."""
    named = dropped_name(event)
    for statement in ctx.later:
        if not ctx.same_transaction(statement):
            return False  # a transaction is a run of statements: none after this one is in it
        if any(c.object.matches(named) for c in _created(statement)):
            return True
    return False
