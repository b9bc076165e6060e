"""Golden files for every output format, on one small Prisma project with the hard cases:
a syntax error, non-ASCII text before a finding on its own line, and an ignored finding.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/report`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from click.testing import CliRunner

from migralint import __version__
from migralint.cli import main
from migralint.report import OutputFormat

HERE = Path(__file__).parent
PROJECT = HERE / "project"
GOLDEN = HERE / "golden"
SARIF_SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
EXTENSIONS = {"json": "json", "sarif": "sarif", "gitlab": "json", "junit": "xml", "markdown": "md"}


def run_format(fmt: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, str]:
    monkeypatch.chdir(PROJECT)
    env = {"GITHUB_WORKSPACE": str(PROJECT), "NO_COLOR": "1", "GITHUB_ACTIONS": "", "GITLAB_CI": "",
           "GITHUB_STEP_SUMMARY": ""}
    result = CliRunner().invoke(main, ["lint", "--format", fmt, *extra, "prisma/migrations"], env=env)
    # The run's own facts, which differ per machine and release:
    text = result.stdout.replace(PROJECT.resolve().as_uri(), "file:///PROJECT").replace(__version__, "VERSION")
    return result.exit_code, text


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_golden(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run_format(fmt, monkeypatch)
    assert code == 1
    if fmt == "sarif":
        # The rule descriptors repeat every rule's documentation, which has tests of its own.
        document = json.loads(output)
        run = document["runs"][0]
        descriptors = run["tool"]["driver"]["rules"]
        # Where a rule's descriptor sits moves when a rule is added: checked here, not kept in the file.
        for result in run["results"]:
            assert descriptors[result.pop("ruleIndex")]["id"] == result["ruleId"]
        run["tool"]["driver"]["rules"] = "every rule, from the registry"
        output = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"{fmt}.{EXTENSIONS.get(fmt, 'txt')}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")  # then check the diff: only intended changes
    assert output == golden.read_text(encoding="utf-8")


def test_github_annotations_escape_and_point_at_the_exact_span(monkeypatch: pytest.MonkeyPatch) -> None:
    _, output = run_format("github", monkeypatch)
    lines = output.splitlines()
    index = next(line for line in lines if "require-concurrent-index-creation" in line)
    assert index.startswith(
        "::error file=prisma/migrations/20240103000000_names/migration.sql,line=2,col=39,endLine=2,endColumn=84,"
        "title=require-concurrent-index-creation::"
    )
    assert "%0A" in index and "\n" not in index
    assert all(line.startswith(("::error ", "::warning ")) for line in lines)
    assert not any("ban-drop-column" in line for line in lines)  # accepted inline


def test_sarif_validates_against_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip("../shared/schemas is not beside the repository")
    _, output = run_format("sarif", monkeypatch)
    document = json.loads(output)
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    run = document["runs"][0]
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "require-concurrent-index-creation" in ids and len(ids) == len(set(ids))
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["ban-drop-column"]
    assert suppressed[0]["suppressions"][0]["justification"].startswith("unused since release 2.3")


def test_fingerprints_survive_unrelated_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "prisma" / "migrations" / "1_add_index"
    folder.mkdir(parents=True)
    sql = folder / "migration.sql"
    sql.write_text('CREATE INDEX "a" ON "User"("name");\n')
    monkeypatch.chdir(tmp_path)
    env = {"GITHUB_WORKSPACE": str(tmp_path)}

    def prints() -> list[str]:
        out = CliRunner().invoke(main, ["lint", "--format", "sarif", "prisma"], env=env).stdout
        return [r["partialFingerprints"]["migralintFinding/v1"] for r in json.loads(out)["runs"][0]["results"]]

    before = prints()
    sql.write_text('-- a comment added above\n\nCREATE INDEX "a" ON "User"("name");\n')
    assert prints() == before
    sql.write_text('CREATE INDEX "b" ON "User"("other");\n')
    assert prints() != before


def test_junit_has_a_test_case_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    _, output = run_format("junit", monkeypatch)
    suite = ElementTree.fromstring(output).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 4 and suite.get("tests") == "4"


@pytest.mark.parametrize(("options", "failing"), [
    ((), {"syntax-error", "require-concurrent-index-creation"}),  # exit 1 from the two errors
    (("--strict",), {"syntax-error", "require-concurrent-index-creation", "ban-drop-not-null"}),
    (("--ignore", "syntax-error,require-concurrent-index-creation"), set()),  # warning only: exit 0
    (("--strict", "--ignore", "syntax-error,require-concurrent-index-creation"), {"ban-drop-not-null"}),
])
def test_junit_failures_are_exactly_what_fails_the_exit_code(
    options: tuple[str, ...], failing: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = run_format("junit", monkeypatch, *options)
    suite = ElementTree.fromstring(output).find("testsuite")
    assert suite is not None
    failures = suite.findall("testcase/failure")
    assert {f.get("message", "").split(":")[0] for f in failures} == failing
    assert code == (1 if failing else 0)
    assert suite.get("failures") == str(sum(1 for case in suite.findall("testcase") if case.find("failure") is not None))
    # A finding that does not fail the run is still listed, as output of its test case.
    if "ban-drop-not-null" not in failing:
        assert "warning[ban-drop-not-null]" in "".join(e.text or "" for e in suite.iter("system-out"))


def test_output_file_gets_the_format_and_the_terminal_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.sarif"
    code, output = run_format("sarif", monkeypatch, "--output", str(target))
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert "error[require-concurrent-index-creation]" in output and not output.startswith("{")


def test_github_actions_default_and_step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(PROJECT),
           "NO_COLOR": "1"}
    result = CliRunner().invoke(main, ["lint", "prisma/migrations"], env=env)
    assert result.stdout.startswith("::error file=prisma/migrations/20240102000000_broken/migration.sql,line=1")
    assert "Found 2 errors and 1 warning in 3 of 4 files." in result.stdout
    written = summary.read_text()
    assert written.startswith("earlier step\n## migralint")
    assert "| `prisma/migrations/20240103000000_names/migration.sql` | 2 |" in written


def test_gitlab_ci_default_writes_the_code_quality_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "p"
    (project / "prisma" / "migrations" / "1_x").mkdir(parents=True)
    (project / "prisma" / "migrations" / "1_x" / "migration.sql").write_text('CREATE INDEX "a" ON "User"("name");\n')
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["lint"], env={"GITLAB_CI": "true", "CI_PROJECT_DIR": str(project)})
    report = json.loads((project / "gl-code-quality-report.json").read_text())
    assert {i["check_name"] for i in report} >= {"require-concurrent-index-creation"}
    assert report[0]["location"] == {"path": "prisma/migrations/1_x/migration.sql", "lines": {"begin": 1, "end": 1}}
    assert "error[require-concurrent-index-creation]" in result.stdout
