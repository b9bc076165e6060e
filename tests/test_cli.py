from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migralint import __version__
from migralint.cli import main

UNSAFE = 'CREATE INDEX "User_email_idx" ON "User"("email");\n'
SAFE = 'CREATE TABLE "Post" ("id" TEXT NOT NULL);\nCREATE INDEX "Post_id_idx" ON "Post"("id");\n'


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "prisma" / "migrations"
    (folder / "20240101000000_init").mkdir(parents=True)
    (folder / "20240101000000_init" / "migration.sql").write_text(SAFE)
    (folder / "20240102000000_email_index").mkdir()
    (folder / "20240102000000_email_index" / "migration.sql").write_text("-- ☕ é\nSET lock_timeout = '5s';\n" + UNSAFE)
    (folder / "migration_lock.toml").write_text('provider = "postgresql"\n')
    return tmp_path


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_concise_output_and_exit_code(project: Path) -> None:
    code, out, err = run("lint", "--format", "concise", "prisma/migrations")
    assert code == 1
    assert out == (
        "prisma/migrations/20240102000000_email_index/migration.sql:3:1: error[require-concurrent-index-creation] "
        'CREATE INDEX takes SHARE on "User": INSERT, UPDATE and DELETE wait until the index is built.\n'
    )


def test_no_path_finds_the_default_folder_and_says_so(project: Path) -> None:
    code, out, err = run("lint", "--format", "concise")
    assert code == 1
    assert err == "migralint: linting prisma/migrations (Prisma Migrate)\n"


def test_no_folder_at_all_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("lint")
    assert code == 2
    assert err == f"migralint: error: no migrations folder found under {tmp_path}; pass a path or set migrations_dir\n"


def test_json_format(project: Path) -> None:
    code, out, _ = run("lint", "--format", "json", "prisma/migrations")
    document = json.loads(out)
    assert document["version"] == __version__ and document["files_checked"] == 2
    (finding,) = document["findings"]
    assert {k: finding[k] for k in ("line", "column", "end_line", "end_column", "rule", "severity")} == {
        "line": 3, "column": 1, "end_line": 3, "end_column": 49,
        "rule": "require-concurrent-index-creation", "severity": "error",
    }
    assert "CREATE INDEX CONCURRENTLY" in finding["help"]


def test_text_format_shows_source_help_and_docs_without_colour(project: Path) -> None:
    code, out, _ = run("lint", "prisma/migrations")
    assert code == 1
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert lines[0] == "prisma/migrations/20240102000000_email_index/migration.sql: 1 error"
    assert lines[1].startswith("prisma/migrations/20240102000000_email_index/migration.sql:3:1: error[require-concurrent-index-creation]")
    assert lines[2] == '  3 | CREATE INDEX "User_email_idx" ON "User"("email");'
    assert lines[3] == "    | " + "^" * 48
    assert lines[4].startswith("  help: ")
    assert any(line.startswith("  docs: ") and line.endswith("require-concurrent-index-creation.md") for line in lines)
    assert lines[-1] == "Found 1 error in 1 of 2 files."


def test_exit_zero_strict_and_ignore(project: Path) -> None:
    assert run("lint", "--exit-zero", "prisma/migrations")[0] == 0
    assert run("lint", "--ignore", "require-concurrent-index-creation", "prisma/migrations")[0] == 0
    config = project / "migralint.toml"
    config.write_text('[severity]\n"require-concurrent-index-creation" = "warning"\n')
    config.write_text('severity = { "require-concurrent-index-creation" = "warning" }\n')
    assert run("lint", "prisma/migrations")[0] == 0
    assert run("lint", "--strict", "prisma/migrations")[0] == 1


def test_user_errors_are_one_line_and_exit_2(project: Path) -> None:
    code, _, err = run("lint", "missing.sql")
    assert (code, err) == (2, "migralint: error: missing.sql: no such file or folder\n")
    code, _, err = run("lint", "--select", "no-such-rule", "prisma/migrations")
    assert (code, err) == (2, "migralint: error: unknown rule 'no-such-rule' in --select (see `migralint rules`)\n")
    (project / "migralint.toml").write_text("colour = true\n")
    code, _, err = run("lint", "prisma/migrations")
    assert code == 2 and "unknown key 'colour'" in err and "Traceback" not in err


def test_unreadable_file_is_exit_2_and_others_are_still_linted(project: Path) -> None:
    bad = project / "prisma" / "migrations" / "20240103000000_latin1" / "migration.sql"
    bad.parent.mkdir()
    bad.write_bytes(b"-- caf\xe9\nSELECT 1;\n")
    code, out, err = run("lint", "--format", "concise", "prisma/migrations")
    assert code == 2
    assert "20240103000000_latin1/migration.sql: not UTF-8 text" in err
    assert "require-concurrent-index-creation" in out


def test_syntax_error_is_a_finding_and_other_files_are_linted(project: Path) -> None:
    broken = project / "prisma" / "migrations" / "20240104000000_broken" / "migration.sql"
    broken.parent.mkdir()
    broken.write_text("ALTER TABLE \"User\" ADD COLUMN \"é\" TEXT;\nALTER TABLE \"User\" ADD COLUMN;\n")
    code, out, _ = run("lint", "--format", "concise", "prisma/migrations")
    assert code == 1
    assert "20240104000000_broken/migration.sql:2:30: error[syntax-error] Syntax error at or near \";\"" in out
    assert "20240102000000_email_index" in out


def test_stdin_with_a_filename_uses_its_layout() -> None:
    sql = "SELECT 1;\nCREATE INDEX CONCURRENTLY i ON t (c);\n"
    code, out, _ = run("lint", "--format", "concise", "--stdin-filename",
                       "prisma/migrations/1_x/migration.sql", "-", input=sql)
    assert out.startswith("prisma/migrations/1_x/migration.sql:2:1:")
    code, out, _ = run("lint", "--format", "concise", "-", input="SELECT 1;\n")
    assert (code, out) == (0, "")


def test_a_provider_migralint_does_not_lint_is_exit_2(project: Path) -> None:
    (project / "prisma" / "migrations" / "migration_lock.toml").write_text('provider = "mongodb"\n')
    code, _, err = run("lint", "prisma/migrations")
    assert code == 2 and "provider is 'mongodb'" in err


def test_rules_and_rule_commands() -> None:
    code, out, _ = run("rules")
    assert code == 0
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert rows["require-concurrent-index-creation"] == "error"
    assert rows["unused-ignore"] == "warning"
    code, out, _ = run("rule", "require-concurrent-index-creation")
    assert code == 0 and "# require-concurrent-index-creation" in out and "## Why is this bad?" in out
    code, _, err = run("rule", "nope")
    assert (code, err) == (2, "migralint: error: unknown rule 'nope' (see `migralint rules`)\n")


def test_rules_say_which_databases_each_covers() -> None:
    _, out, _ = run("rules")
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert lines["require-concurrent-index-creation"].endswith(" [PostgreSQL]")
    assert lines["mysql-table-copy"].endswith(" [MySQL]")
    assert lines["adding-not-nullable-field"].endswith(" [CockroachDB, MySQL, PostgreSQL, SQL Server]")
    assert not lines["ban-drop-column"].endswith("]")  # every database
    assert not lines["syntax-error"].endswith("]")  # every database: nothing to say
    code, out, _ = run("rules", "--dialect", "mariadb")
    names = {line.split()[0] for line in out.splitlines()}
    assert code == 0 and {"mysql-table-copy", "ban-drop-column", "syntax-error"} <= names
    assert not names & {"require-concurrent-index-creation", "mssql-blocking-index"}


def test_installed_command_runs_as_a_subprocess(project: Path) -> None:
    executable = Path(sys.executable).parent / "migralint"
    env = {**os.environ, "NO_COLOR": "1"}
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.strip() == f"migralint {__version__}"
    lint = subprocess.run([str(executable), "lint", "--format", "concise"], capture_output=True, text=True, env=env, cwd=project)
    assert lint.returncode == 1 and "require-concurrent-index-creation" in lint.stdout


def test_colour_only_when_wanted_and_never_with_no_color(project: Path) -> None:
    forced = CliRunner().invoke(main, ["lint", "prisma/migrations"], env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" in forced.stdout
    refused = CliRunner().invoke(main, ["lint", "prisma/migrations"], env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in refused.stdout


def test_a_rule_that_crashes_is_exit_3_and_the_other_files_are_still_linted(project: Path) -> None:
    from collections.abc import Iterator

    from migralint.cli.lint import _exit_code
    from migralint.config import Settings
    from migralint.linter.rule_set import RuleSet
    from migralint.findings import Finding, Severity
    from migralint.api import LintRequest, lint
    from migralint.rules.base import Rule
    from migralint.rules.require_concurrent_index_creation import RequireConcurrentIndexCreation

    class Broken(Rule):  # a deliberately buggy rule: it fails on CREATE TABLE
        name = "broken"
        severity = Severity.ERROR
        summary = why = bad = good = "x"
        nodes = ("CreateStmt",)

        def check(self, statement, ctx) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
            raise KeyError("relation")

    rules = RuleSet([Broken(), RequireConcurrentIndexCreation()], ["broken", "require-concurrent-index-creation"])
    result = lint(LintRequest(paths=["prisma/migrations"], settings=Settings(), rules=rules)).result
    assert [e.path for e in result.internal_errors] == ["prisma/migrations/20240101000000_init/migration.sql"]
    assert "KeyError" in result.internal_errors[0].error and "Traceback" in result.internal_errors[0].trace
    # The failure is contained to the rule and the statement: an internal-error finding there,
    # the other rules' findings on the same file kept.
    assert sorted(f.rule for f in result.findings) == ["internal-error", "require-concurrent-index-creation"]
    assert "rule broken" in next(f.message for f in result.findings if f.rule == "internal-error")
    assert _exit_code(result, Settings(), exit_zero=True) == 3


def test_misspelt_rules_options_and_commands_get_a_suggestion(project: Path) -> None:
    code, _, err = run("lint", "--ignore", "require-concurrent-index-creaton", "prisma/migrations")
    assert (code, err) == (2, "migralint: error: unknown rule 'require-concurrent-index-creaton' in --ignore "
                              "(did you mean 'require-concurrent-index-creation'?)\n")
    code, _, err = run("rule", "ban-drop-colum")
    assert (code, err) == (2, "migralint: error: unknown rule 'ban-drop-colum' (did you mean 'ban-drop-column'?)\n")
    code, _, err = run("lint", "--strcit", "prisma/migrations")
    assert code == 2 and "Did you mean" in err and "'--strict'" in err  # click's own suggestion
    (project / "migralint.toml").write_text('[severity]\n"ban-drop-colum" = "warning"\n')
    code, _, err = run("lint", "prisma/migrations")
    assert code == 2 and err == (f"migralint: error: {(project / 'migralint.toml').resolve()}: unknown rule "
                                 "'ban-drop-colum' in severity (did you mean 'ban-drop-column'?)\n")


def test_rule_on_a_pipe_is_the_page_without_the_generator_note(project: Path) -> None:
    from migralint.rules.docs import GENERATED_NOTE

    code, out, _ = run("rule", "ban-drop-column")
    page = (Path(__file__).parents[1] / "docs" / "rules" / "ban-drop-column.md").read_text()
    assert code == 0
    assert GENERATED_NOTE in page and GENERATED_NOTE not in out and "<!--" not in out
    assert out == page.replace(GENERATED_NOTE + "\n", "")



def test_the_version_has_one_source() -> None:
    """pyproject.toml reads the version from migralint/__init__.py; it writes none of its own."""
    import importlib.metadata

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "migralint.__version__"}
    assert importlib.metadata.version("migralint") == __version__
