"""What a history rule may know: one migrations folder, its files in order, what is applied."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from migralint.findings import Finding
from migralint.source import display_path

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.migrations.history import AppliedState
    from migralint.migrations.layouts import MigrationFile
    from migralint.rules.base import Rule


class HistoryContext:
    def __init__(
        self,
        *,
        root: Path,
        migrations: list[MigrationFile],
        state: AppliedState,
        settings: Settings,
        blank: dict[Path, bool] | None = None,
    ) -> None:
        self.root = root
        # For each file the lint run read: whether it parsed cleanly and held no statement.
        self._blank = blank or {}
        self.migrations = migrations  # every migration of the folder, in the order they apply
        self.state = state
        self.settings = settings

    def is_blank(self, migration: MigrationFile) -> bool:
        """Nothing but white space and comments: from the lint run when it read the file."""
        if migration.path in self._blank:
            return self._blank[migration.path]
        from migralint.migrations.naming import is_blank_sql

        return is_blank_sql(migration.path)

    def finding(
        self, rule: Rule, path: Path, message: str, *, help: str = "", line: int = 1, column: int = 1
    ) -> Finding:
        """A finding on a file of the folder (a whole-file finding points at its first line)."""
        return Finding(
            path=display_path(path),
            line=line,
            column=column,
            end_line=line,
            end_column=column + 1,
            rule=rule.name,
            severity=self.settings.severity_for(rule),
            message=message,
            help=help,
        )
