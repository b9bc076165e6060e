"""What a history rule may know: one migrations folder, its files in order, what is applied, and
what the folder's other files say (read beforehand: a rule reads no file)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from migralint.findings import Finding, RuleInfo
from migralint.source import display_path

if TYPE_CHECKING:
    from migralint.config import Settings
    from migralint.migrations.folder_files import FolderFiles
    from migralint.migrations.history import AppliedState
    from migralint.migrations.layouts import MigrationFile


class HistoryContext:
    def __init__(
        self,
        *,
        root: Path,
        migrations: list[MigrationFile],
        state: AppliedState,
        settings: Settings,
        files: FolderFiles,
    ) -> None:
        self.root = root
        self.migrations = migrations  # every migration of the folder, in the order they apply
        self.state = state
        self.settings = settings
        self.files = files

    def is_blank(self, migration: MigrationFile) -> bool:
        """Nothing but white space and comments (from the lint run when it read the file)."""
        return self.files.blank.get(migration.path, False)

    def finding(
        self, rule: RuleInfo, path: Path, message: str, *, help: str = "", line: int = 1, column: int = 1
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
