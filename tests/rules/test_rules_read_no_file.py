"""A rule reads no file: what it judges comes through its context, read beforehand by api.

So a result cache can see every input a finding depends on. The folder-level rules that used to
read files (migration-name, migrations-lock-mismatch, prisma-provider-mismatch) get
FolderFiles; here they judge facts about a folder that does not exist on disk.
"""

from __future__ import annotations

import ast
from pathlib import Path

from migralint.config import Settings
from migralint.linter.history_context import HistoryContext
from migralint.migrations.layouts import RunnerMode
from migralint.migrations.folder_files import FolderFiles, read_folder_files
from migralint.migrations.history import AppliedState
from migralint.migrations.layouts import Layout, MigrationFile, classify
from migralint.migrations.lockfile import LockProblem
from migralint.migrations.prisma_schema import DatasourceProvider
from migralint.rules.migration_name import MigrationName
from migralint.rules.migration_order_conflict import MigrationOrderConflict
from migralint.rules.migrations_lock_mismatch import MigrationsLockMismatch
from migralint.rules.prisma_provider_mismatch import PrismaProviderMismatch

RULES = Path(__file__).resolve().parents[2] / "src" / "migralint" / "rules"
# Calls that read a file or a folder; rules/docs.py writes the docs and is no rule.
READS = {"open", "read_text", "read_bytes", "read_sql", "read_head", "is_file", "is_dir", "exists", "iterdir",
         "glob", "rglob", "scandir", "is_blank_sql", "verify", "prisma_provider", "schema_files",
         "datasource_providers", "folders_without_sql", "read_folder_files"}


def test_no_rule_module_calls_a_file_reading_function() -> None:
    calls = []
    for module in sorted(RULES.glob("*.py")):
        if module.name == "docs.py":
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in READS:
                    calls.append(f"{module.name}:{node.lineno} {name}()")
    assert calls == []


def _prisma(root: Path, name: str) -> MigrationFile:
    return MigrationFile(root / name / "migration.sql", Layout.PRISMA, name, (name,), RunnerMode.TRANSACTION)


def _context(root: Path, migrations: list[MigrationFile], files: FolderFiles) -> HistoryContext:
    return HistoryContext(root=root, migrations=migrations, state=AppliedState(), settings=Settings(), files=files)


def test_folder_rules_judge_the_facts_they_are_given(tmp_path: Path) -> None:
    root = tmp_path / "gone" / "migrations"  # nothing on disk: every fact below comes from FolderFiles
    init = _prisma(root, "20240101000000_init")
    files = FolderFiles(
        blank={init.path: True},
        without_sql=(root / "20240102000000_leftover",),
        lock=root / "migrations.lock",
        lock_problems=(LockProblem("conflict", 3),),
        prisma_lock=root / "migration_lock.toml",
        locked_provider="postgres",
        datasources=(DatasourceProvider(root.parent / "schema.prisma", "sqlite", 7),),
    )
    ctx = _context(root, [init], files)
    found = [(f.rule, f.path, f.line, f.message) for rule in (MigrationName(), MigrationsLockMismatch(),
                                                               PrismaProviderMismatch()) for f in rule.check_history(ctx)]
    shown = str(root.relative_to(Path.cwd())) if root.is_relative_to(Path.cwd()) else str(root)
    assert [(rule, line) for rule, _, line, _ in found] == [
        ("migration-name", 1), ("migration-name", 1), ("migrations-lock-mismatch", 3), ("prisma-provider-mismatch", 7),
    ]
    assert found[0][3].startswith("20240102000000_leftover has no migration.sql")
    assert found[1][3] == ("20240101000000_init holds no SQL, only comments or blank lines: Prisma Migrate records it as "
                           "applied without changing anything.")
    assert found[2][1] == f"{shown}/migrations.lock"
    assert found[3][3].startswith('the datasource provider is "sqlite" but migration_lock.toml says "postgresql"')
    assert _context(root, [init], FolderFiles()).is_blank(init) is False
    assert [f for rule in (MigrationsLockMismatch(), PrismaProviderMismatch())
            for f in rule.check_history(_context(root, [init], FolderFiles()))] == []


def test_the_facts_are_read_from_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "prisma" / "migrations"
    init = _prisma(root, "20240101000000_init")
    init.path.parent.mkdir(parents=True)
    init.path.write_text("-- nothing yet\n", encoding="utf-8")
    (root / "20240102000000_leftover").mkdir()
    (root / "migration_lock.toml").write_text('provider = "postgresql"\n', encoding="utf-8")
    (root.parent / "schema.prisma").write_text('datasource db {\n  provider = "sqlite"\n}\n', encoding="utf-8")
    files = read_folder_files(root, [init])
    assert files.blank == {init.path: True} and files.without_sql == (root / "20240102000000_leftover",)
    assert files.lock is None and files.lock_problems == ()
    assert (files.prisma_lock, files.locked_provider) == (root / "migration_lock.toml", "postgresql")
    assert files.datasources == (DatasourceProvider(root.parent / "schema.prisma", "sqlite", 2),)
    # What the lint run already knows is not read again, and an applied migration's content is not judged.
    assert read_folder_files(root, [init], blank={init.path: False}).blank == {init.path: False}
    assert read_folder_files(root, [init], applied=frozenset({init.name})).blank == {}


def test_a_rename_moves_the_siblings_the_listing_names(tmp_path: Path) -> None:
    root = tmp_path / "gone" / "sql"  # nothing on disk: the .conf is known from the listing alone
    applied, late = classify(root / "V2__add_invoice.sql"), classify(root / "V1_5__add_phone.sql")
    state = AppliedState(True, {applied.name}, sources=["the test"])
    listing = frozenset({applied.path, late.path, root / "V1_5__add_phone.sql.conf"})
    ctx = HistoryContext(root=root, migrations=[late, applied], state=state, settings=Settings(),
                         files=FolderFiles(listing=listing))
    [finding] = list(MigrationOrderConflict().check_history(ctx))
    moves = [line.split()[2:] for line in finding.help.splitlines() if line.startswith("git mv ")]
    assert [(Path(old).name, Path(new).name) for old, new in moves] == [
        ("V1_5__add_phone.sql", "V3__add_phone.sql"), ("V1_5__add_phone.sql.conf", "V3__add_phone.sql.conf"),
    ]
    ctx = HistoryContext(root=root, migrations=[late, applied], state=state, settings=Settings(),
                         files=FolderFiles(listing=listing - {root / "V1_5__add_phone.sql.conf"}))
    [finding] = list(MigrationOrderConflict().check_history(ctx))
    assert ".conf" not in finding.help
