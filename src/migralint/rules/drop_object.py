"""The shared shape of the rules about dropping objects that running code may still use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from migralint.findings import Finding
from migralint.linter.objects import ObjectName, drop_message_and_help, risky_drops
from migralint.linter.parse import Statement
from migralint.rules.base import Rule

if TYPE_CHECKING:
    from migralint.linter.context import Context


class DropObjectRule(Rule):
    """A DROP of one family of objects: subclasses say which, and what breaks."""

    _base_class: ClassVar[bool] = True
    nodes = ("DropStmt",)
    remove_types: ClassVar[tuple[str, ...]]  # DropStmt removeType values this rule covers
    breaks: ClassVar[str]  # what running code still does with the object ("{it}" is replaced)
    cascade_drops: ClassVar[str]  # what CASCADE takes along
    # Re-creating a view in the same transaction brings back what CASCADE dropped with it.
    recreating_restores_dependents: ClassVar[bool] = False

    def what(self, remove_type: str) -> str:
        """The object's kind in words, for the message."""
        return remove_type.removeprefix("OBJECT_").lower()

    def still_needed(self, ctx: Context, obj: ObjectName) -> bool:
        """Whether running code may still use `obj`; subclasses that know better narrow it."""
        return True

    def check(self, statement: Statement, ctx: Context) -> Iterator[Finding]:
        remove_type = statement.node.get("removeType", "")
        if remove_type not in self.remove_types:
            return
        risky = [
            obj
            for obj in risky_drops(ctx, statement.node, recreating_restores_dependents=self.recreating_restores_dependents)
            if self.still_needed(ctx, obj)
        ]
        if not risky:
            return
        message, help = drop_message_and_help(
            ctx, statement, risky, what=self.what(remove_type), breaks=self.breaks, cascade_drops=self.cascade_drops
        )
        yield ctx.finding(self, message, help=help)
