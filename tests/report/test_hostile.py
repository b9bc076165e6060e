"""Every output format stays well-formed whatever the file names and identifiers hold.

Folders with spaces, `#`, `%`, `?`, newlines, tabs, control characters, bytes that are not
UTF-8, non-ASCII letters and very long names, linted through the real `migralint` command
(the names reach it as bytes on argv, as from a shell), in every format at once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote_to_bytes
from xml.etree import ElementTree

import jsonschema
import pytest

from migralint.report import OutputFormat
from tests.report.test_formats import SARIF_SCHEMA

HOSTILE = [
    b"with space", b"hash#1", b"per%41cent", b"what?x=1", b"new\nline", b"tab\there", b"ctrl\x01\x1b[31mred",
    b"not-utf8-\xff\xfe", "unicod\u00e9-\u2615".encode(), b"colon:x", b"tick`pipe|", b"<&>\"'", b"L" * 200,
    b"dot.%2e",
]
# A table whose name holds a newline and a tab: it appears in the finding's message.
SQL = 'CREATE INDEX "i" ON "Us\ner\tx"("name");\n'
# RFC 3986 URI-reference characters: unreserved, sub-delims, ":", "@", "/", and %XX escapes.
URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$")


def lint(project: Path, fmt: str, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    names = sorted(os.fsdecode(name) for name in HOSTILE)
    return subprocess.run(
        [sys.executable, "-m", "migralint", "lint", "--format", fmt, *extra, *names],
        cwd=project, capture_output=True, timeout=120,
        env={**os.environ, "GITHUB_WORKSPACE": str(project), "GITHUB_ACTIONS": "", "GITLAB_CI": "",
             "GITHUB_STEP_SUMMARY": "", "NO_COLOR": "1", **(env or {})},
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for name in HOSTILE:
        folder = os.path.join(os.fsencode(root), name)
        os.mkdir(folder)
        with open(os.path.join(folder, b"001_add_index.sql"), "w", encoding="utf-8") as handle:
            handle.write(SQL)
    return root


@pytest.fixture(scope="module")
def outputs(project: Path) -> dict[str, subprocess.CompletedProcess[bytes]]:
    return {fmt.value: lint(project, fmt.value) for fmt in OutputFormat}


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_every_format_is_valid_utf8_and_tells_the_truth(fmt: str, outputs: dict[str, subprocess.CompletedProcess[bytes]]) -> None:
    run = outputs[fmt]
    assert run.returncode == 1, run.stderr.decode(errors="replace")
    assert b"Traceback" not in run.stderr
    text = run.stdout.decode("utf-8")  # raises on bytes that are not UTF-8
    assert "\udcff" not in text
    # The undecodable bytes are shown the one way every format shares (SARIF holds URIs only:
    # percent-encoded bytes, tested below).
    assert ("not-utf8-%FF%FE" if fmt == "sarif" else "not-utf8-\\xff\\xfe") in text.replace("\\\\", "\\")


def test_concise_is_one_line_per_finding(outputs: dict[str, subprocess.CompletedProcess[bytes]]) -> None:
    lines = outputs["concise"].stdout.decode().splitlines()
    findings = json.loads(outputs["json"].stdout)["findings"]
    assert len(lines) == len(findings) == 2 * len(HOSTILE)
    assert all(re.match(r"^.+/001_add_index\.sql:1:1: (error|warning)\[[a-z-]+\] ", line) for line in lines)
    assert any("new\\nline/001_add_index.sql" in line for line in lines)
    assert any('"Us\\ner\\tx"' in line for line in lines)  # the identifier's newline, escaped
    assert not any("\x1b" in line or "\x01" in line for line in lines)


def test_text_keeps_control_characters_off_the_terminal(outputs: dict[str, subprocess.CompletedProcess[bytes]]) -> None:
    text = outputs["text"].stdout.decode()
    assert "\x1b" not in text and "\x01" not in text
    assert "ctrl\\x01\\x1b[31mred/001_add_index.sql:1:1: error[require-concurrent-index-creation]" in text


def test_json_paths_are_the_shown_paths(outputs: dict[str, subprocess.CompletedProcess[bytes]]) -> None:
    document = json.loads(outputs["json"].stdout)
    paths = {finding["path"] for finding in document["findings"]}
    assert "not-utf8-\\xff\\xfe/001_add_index.sql" in paths and "new\nline/001_add_index.sql" in paths
    assert document["files_checked"] == len(HOSTILE)


def test_sarif_uris_are_percent_encoded_and_lead_back_to_the_file(
    project: Path, outputs: dict[str, subprocess.CompletedProcess[bytes]]
) -> None:
    document = json.loads(outputs["sarif"].stdout)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
    }
    assert len(uris) == len(HOSTILE)
    for uri in uris:
        assert URI_REFERENCE.match(uri), uri
        assert not uri.split("/")[0].count(":")  # a ":" before the first "/" would read as a scheme
        assert os.path.isfile(os.path.join(os.fsencode(project), unquote_to_bytes(uri))), uri
    assert "not-utf8-%FF%FE/001_add_index.sql" in uris and "hash%231/001_add_index.sql" in uris


def test_junit_parses_with_control_characters_in_names(outputs: dict[str, subprocess.CompletedProcess[bytes]]) -> None:
    suites = ElementTree.fromstring(outputs["junit"].stdout)
    names = [case.get("name", "") for case in suites.iter("testcase")]
    assert len(names) == len(HOSTILE)
    assert "ctrl\\x01\x1b[31mred/001_add_index.sql" not in names  # ESC is not allowed in XML 1.0
    assert "ctrl\\x01\\x1b[31mred/001_add_index.sql" in names
    assert "new\nline/001_add_index.sql" in names  # a newline is fine in XML


def test_gitlab_github_and_markdown(outputs: dict[str, subprocess.CompletedProcess[bytes]]) -> None:
    issues = json.loads(outputs["gitlab"].stdout)
    assert {issue["location"]["path"] for issue in issues} >= {"not-utf8-\\xff\\xfe/001_add_index.sql"}
    annotations = outputs["github"].stdout.decode().splitlines()
    assert len(annotations) == 2 * len(HOSTILE)
    assert all(line.startswith(("::error file=", "::warning file=")) for line in annotations)
    assert any("file=new%0Aline/001_add_index.sql" in line for line in annotations)
    rows = [line for line in outputs["markdown"].stdout.decode().splitlines() if line.startswith("| `")]
    assert len(rows) == 2 * len(HOSTILE)
    assert all(line.count(" | ") == 3 for line in rows)  # no cell broken by a | or a newline
    assert f"Found {len(HOSTILE)} errors and {len(HOSTILE)} warnings in {len(HOSTILE)} of {len(HOSTILE)} files." \
        in outputs["markdown"].stdout.decode()


def test_the_github_step_summary_and_output_file_are_utf8(project: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    report = tmp_path / "report.sarif"
    run = lint(project, "sarif", "--output", str(report), env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert run.returncode == 1, run.stderr.decode(errors="replace")
    assert "not-utf8-\\xff\\xfe" in summary.read_bytes().decode("utf-8")
    assert json.loads(report.read_bytes().decode("utf-8"))["version"] == "2.1.0"
    assert "not-utf8-\\xff\\xfe/001_add_index.sql:1:1" in run.stdout.decode("utf-8")


def test_messages_on_standard_error_show_undecodable_bytes_the_same_way(project: Path) -> None:
    missing = os.fsdecode(b"missing-\xff")
    run = subprocess.run([sys.executable, "-m", "migralint", "lint", missing], cwd=project, capture_output=True,
                         timeout=60)
    assert run.returncode == 2
    assert run.stderr.decode("utf-8") == "migralint: error: missing-\\xff: no such file or folder\n"


def test_an_error_about_a_file_in_a_folder_with_a_newline_is_one_line(tmp_path: Path) -> None:
    # Found by the fuzz campaign (tests/fuzz/CAMPAIGN.md): the message was split over two lines.
    folder = tmp_path / "a\nb"
    folder.mkdir()
    (folder / "1_x.sql").write_text("SELECT 1;\n")
    (folder / "2_y.sql").write_bytes(b"\xff\xfe")
    run = subprocess.run([sys.executable, "-m", "migralint", "lint", "."], cwd=tmp_path, capture_output=True,
                         timeout=60)
    assert run.returncode == 2
    assert run.stderr.decode("utf-8") == (
        "migralint: error: a\\nb/2_y.sql: not UTF-8 text (byte 0); migralint reads UTF-8 files\n")


def test_a_terminal_that_is_not_utf8_gets_escapes_not_a_crash(project: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "migralint", "lint", "--format", "concise", "unicod\u00e9-\u2615"],
                         cwd=project, capture_output=True, timeout=60,
                         env={**os.environ, "PYTHONIOENCODING": "ascii", "GITHUB_ACTIONS": ""})
    assert run.returncode == 1 and b"Traceback" not in run.stderr
    assert run.stdout.decode("ascii").startswith("unicod\\u00e9-\\u2615/001_add_index.sql:1:1: ")
