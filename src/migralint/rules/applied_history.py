"""What the history rules about applied migrations share: facts in, words out.

A source of truth (git, a runner's history table) reports a `HistoryProblem`, a fact with no
sentence in it. The rule whose `event` it is puts it into words with `describe`, and so do
`migralint apply` and `migralint status` (through `words_for`): one wording wherever it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

from migralint.findings import Finding
from migralint.migrations.history import HistoryEvent, HistoryProblem
from migralint.rules.base import HistoryRule, Rule

if TYPE_CHECKING:
    from migralint.linter.history_context import HistoryContext


class AppliedHistoryRule(HistoryRule):
    """A rule that reports one kind of fact a source found about an applied migration."""

    _base_class: ClassVar[bool] = True
    about_applied: ClassVar[bool] = True
    event: ClassVar[HistoryEvent]

    @staticmethod
    def describe(problem: HistoryProblem) -> tuple[str, str]:
        """The message and the help for `problem`."""
        raise NotImplementedError

    def check_history(self, ctx: HistoryContext) -> Iterator[Finding]:
        for problem in ctx.state.problems:
            if problem.event is self.event:
                message, help = self.describe(problem)
                yield ctx.finding(self, problem.path, message, help=help, line=problem.line)


def words_for(problem: HistoryProblem, rules: Iterable[type[Rule]]) -> tuple[str, str, str]:
    """The rule that reports `problem` among `rules` (the registry), its message and its help."""
    for rule in rules:
        if issubclass(rule, AppliedHistoryRule) and rule.event is problem.event:
            message, help = rule.describe(problem)
            return rule.name, message, help
    raise LookupError(f"no rule reports {problem.event.value} migrations")


MISSING_HELP = (
    "Bring the migration back (merge the branch that added it, or restore it from git); "
    "never delete or rename an applied migration."
)
