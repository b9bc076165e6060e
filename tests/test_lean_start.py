"""What `migralint` imports for a command: a module loaded for nothing is start-up time on every commit.

Each case runs the entry point's work (migralint.launcher.command) in a fresh interpreter and
lists sys.modules after it: a regression that pulls the linter into `--version`, or rich or
psycopg into a JSON lint on a pipe, fails here instead of quietly costing tens of milliseconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migralint import __version__

_PROBE = """
import json, sys
sys.argv = ["migralint", *json.loads(sys.argv[1])]
from migralint.launcher import command  # what main runs: main then ends the process, and this probe goes on
try:
    command()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(OUT, "w") as handle:
    # A module still lazy (importlib.util.LazyLoader, sql/lean_pglast.py) is named but never ran.
    json.dump({"code": code, "modules": sorted(n for n, m in sys.modules.items() if type(m).__name__ != "_LazyModule")},
              handle)
"""

# Never on a lint whose output is a pipe: rendering (rich), databases (psycopg), git.
_NEVER_ON_A_PIPE = ("rich", "psycopg", "pgserver", "migralint.database.connection", "migralint.migrations.git_history",
                    "migralint.migrations.git_repository",
                    "migralint.rules.docs")
# Nothing of the linter for the version and the help: click and the command declarations only.
_NOT_FOR_HELP = ("pglast", "migralint.linter", "migralint.rules", "migralint.api", "migralint.migrations",
                 "migralint.report.json_format", "migralint.report.text", *_NEVER_ON_A_PIPE)
# Standard modules only a mistake (difflib), a bug (traceback) or git (subprocess) needs; a pool
# of workers (multiprocessing) only several folders with work enough for it; the database
# commands (apply, status, resolve) only themselves; the fixer only --fix.
_ONLY_WHEN_NEEDED = ("difflib", "traceback", "subprocess", "multiprocessing", "signal", "migralint.cli.database",
                     "migralint.linter.fixing")
_OTHER_REPORTERS = tuple(f"migralint.report.{name}" for name in
                         ("text", "concise", "github", "sarif", "gitlab", "junit", "markdown"))


def imported(args: list[str], cwd: Path) -> tuple[int, list[str], str]:
    out = cwd / "modules.json"
    probe = f"OUT = {str(out)!r}\n{_PROBE}"
    run = subprocess.run([sys.executable, "-c", probe, json.dumps(args)], cwd=cwd, capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.exists(), run.stderr
    data = json.loads(out.read_text())
    return data["code"], data["modules"], run.stdout


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def test_version_loads_neither_click_nor_the_linter(tmp_path: Path) -> None:
    code, modules, stdout = imported(["--version"], tmp_path)
    assert (code, stdout) == (0, f"migralint {__version__}\n")
    assert loaded(modules, ("click", *_NOT_FOR_HELP)) == []


@pytest.mark.parametrize("args", [["--help"], ["lint", "--help"], ["apply", "--help"], ["status", "--help"]])
def test_help_loads_only_the_command_declarations(tmp_path: Path, args: list[str]) -> None:
    code, modules, stdout = imported(args, tmp_path)
    assert code == 0 and "Usage: migralint" in stdout
    assert "click" in modules
    assert loaded(modules, _NOT_FOR_HELP) == []


def test_a_json_lint_of_a_file_list_loads_its_reporter_only(tmp_path: Path) -> None:
    for name in ("1_a.sql", "2_b.sql"):
        (tmp_path / name).write_text('CREATE INDEX "i" ON "t"("x");\n')
    code, modules, stdout = imported(["lint", "--format", "json", "1_a.sql", "2_b.sql"], tmp_path)
    report = json.loads(stdout)
    assert code == 1 and report["files_checked"] == 2
    assert {f["rule"] for f in report["findings"]} >= {"require-concurrent-index-creation"}
    assert "migralint.report.json_format" in modules
    assert loaded(modules, _NEVER_ON_A_PIPE + _OTHER_REPORTERS + _ONLY_WHEN_NEEDED) == []
    assert loaded(modules, ("sqlglot",)) == []  # ~100 ms: only a MySQL (or SQLite...) file to parse loads it


def test_a_text_lint_on_a_pipe_does_not_load_rich(tmp_path: Path) -> None:
    (tmp_path / "1_a.sql").write_text('CREATE INDEX "i" ON "t"("x");\n')
    code, modules, stdout = imported(["lint", "1_a.sql"], tmp_path)
    assert code == 1 and "require-concurrent-index-creation" in stdout
    assert loaded(modules, _NEVER_ON_A_PIPE) == []


def cold_then_warm(tmp_path: Path) -> tuple[list[str], list[str]]:
    """What a lint of two files imports with an empty result cache, then with the cache it filled
    (the same output both times)."""
    for name in ("1_a.sql", "2_b.sql"):
        (tmp_path / name).write_text('CREATE INDEX "i" ON "t"("x");\n')
    args = ["lint", "--format", "json", "--cache-dir", "cache", "1_a.sql", "2_b.sql"]
    cold_code, cold_modules, cold_out = imported(args, tmp_path)
    warm_code, warm_modules, warm_out = imported(args, tmp_path)
    assert cold_code == warm_code == 1 and warm_out == cold_out
    return cold_modules, warm_modules


def test_a_run_whose_files_are_all_cache_hits_parses_nothing_and_loads_no_parser(tmp_path: Path) -> None:
    cold_modules, warm_modules = cold_then_warm(tmp_path)
    assert "pglast" in cold_modules  # the cold run parses, so the probe can see pglast load
    assert loaded(warm_modules, ("pglast", "sqlglot")) == []


def test_a_run_that_writes_the_cache_loads_no_tempfile(tmp_path: Path) -> None:
    # The cold run writes its packs, catalog and answer through answers.create_temporary:
    # tempfile would load random and shutil (zlib, bz2, lzma), about 4.5 ms of every such run.
    cold_modules, _ = cold_then_warm(tmp_path)
    assert [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.name != "CACHEDIR.TAG"]  # it wrote
    assert loaded(cold_modules, ("tempfile", "shutil", "random", "bz2", "lzma")) == []


def test_a_lint_that_parses_runs_none_of_pglasts_enums_and_ast_classes(tmp_path: Path) -> None:
    # 45-110 ms of every cold start: the parser extension imports them, migralint reads none.
    cold_modules, _ = cold_then_warm(tmp_path)
    assert {"pglast", "pglast.parser"} <= set(cold_modules)
    assert loaded(cold_modules, ("pglast.ast", "pglast.enums", "pglast.printers", "pglast.visitors")) == []


def test_a_misspelt_database_command_still_gets_a_suggestion(tmp_path: Path) -> None:
    # The database commands load only when asked for: a fresh interpreter, so that none is loaded
    # yet when click looks for a close name.
    for typo, meant in (("aply", "apply"), ("stauts", "status"), ("lnt", "lint")):
        run = subprocess.run([sys.executable, "-m", "migralint", typo], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120, check=False)
        assert run.returncode == 2 and f"No such command '{typo}'. Did you mean '{meant}'?" in run.stderr


def test_a_postgresql_lint_imports_no_other_databases_code(tmp_path: Path) -> None:
    # The rules that also judge MySQL, SQLite, SQL Server and CockroachDB import those verdicts in
    # the branch for that dialect: a PostgreSQL lint that runs all of them loads none.
    (tmp_path / "1_a.sql").write_text(
        'ALTER TABLE "t" ADD COLUMN "a" TEXT NOT NULL, ALTER COLUMN "b" TYPE BIGINT, DROP COLUMN "c", '
        'ALTER COLUMN "d" DROP NOT NULL, ADD CONSTRAINT "f" FOREIGN KEY ("e") REFERENCES "u"("id");\n'
        'ALTER TABLE "t" RENAME COLUMN "g" TO "h";\nALTER TABLE "t" RENAME TO "v";\nDROP TABLE "w";\n'
    )
    code, modules, stdout = imported(["lint", "--format", "json", "--no-cache", "1_a.sql"], tmp_path)
    rules = {finding["rule"] for finding in json.loads(stdout)["findings"]}
    assert code == 1 and {"adding-required-field", "changing-column-type", "ban-drop-column", "ban-drop-not-null",
                          "renaming-column", "renaming-table", "ban-drop-table"} <= rules
    others = ("mysql", "sqlite", "sqlserver", "cockroachdb")
    assert loaded(modules, tuple(f"migralint.{room}.{db}" for room in ("rules", "sql") for db in others)) == []


def _git(cwd: Path, *args: str) -> None:
    # No user's or system's config (a signing hook, another default branch): a repository as CI has.
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


def test_the_pre_commit_hook_with_a_new_migration_loads_no_diff_and_no_pglast_classes(tmp_path: Path) -> None:
    # The realistic hook run: the history pushed, one new migration staged. Nothing was edited,
    # so nothing needs difflib (it describes edits); nothing reads pglast's enums or node classes.
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    folder = work / "prisma" / "migrations"
    for name, sql in (("20240101000000_init", 'CREATE TABLE "t" ("id" INT);\n'),
                      ("20240102000000_more", 'ALTER TABLE "t" ADD COLUMN "x" INT;\n')):
        (folder / name).mkdir(parents=True)
        (folder / name / "migration.sql").write_text(sql)
    _git(tmp_path, "init", "-q", "--bare", str(remote))
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "history")
    _git(work, "remote", "add", "origin", str(remote))
    _git(work, "push", "-q", "-u", "origin", "HEAD")
    (folder / "20240103000000_index").mkdir()
    (folder / "20240103000000_index" / "migration.sql").write_text('CREATE INDEX "i" ON "t"("x");\n')
    _git(work, "add", "-A")
    code, modules, stdout = imported(["lint", "--staged", "--no-cache"], work)
    assert code == 1 and "20240103000000_index/migration.sql:1:1: error[require-concurrent-index-creation]" in stdout
    assert "migralint.migrations.git_history" in modules and "pglast.parser" in modules
    assert loaded(modules, ("difflib", "pglast.ast", "pglast.enums", "migralint.migrations.changes")) == []


def test_every_dataclass_has_a_docstring() -> None:
    # dataclass gives a class without one a docstring made from inspect.signature, at every start:
    # 12 such classes cost a pre-commit run about 2 ms (2026-12-07). And a class says what it is.
    import ast

    missing = []
    for path in sorted((Path(__file__).resolve().parents[1] / "src" / "migralint").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            decorators = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
            named = {d.id if isinstance(d, ast.Name) else d.attr if isinstance(d, ast.Attribute) else "" for d in decorators}
            if named & {"dataclass"} and ast.get_docstring(node) is None:
                missing.append(f"{path.name}:{node.lineno} {node.name}")
    assert missing == []
