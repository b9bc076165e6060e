"""A large file is linted a piece at a time, its parse trees let go (linter/pieces.py).

The findings must be those of the whole file parsed at once, and memory must not grow with
the trees: a 20 MB seed migration needed about 2 GB when every tree was kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migralint.linter import pieces
from migralint.linter.parse import parse_source
from migralint.linter.pieces import parse_large
from tests.helpers import lint_sql
from tests.rules.test_fixtures import _fixture_files, _options

# Non-ASCII text before the statements moves byte locations away from character offsets:
# a tree parsed again from a piece must still point at the right characters.
_MIXED = (
    "-- café ☕ schema\n"
    'CREATE TABLE "Ünïcode" ("id" INT PRIMARY KEY, "näme" TEXT);\n'
    "INSERT INTO \"Ünïcode\" VALUES (1, 'é☕'), (2, 'x');\n"
    "/* a /* nested */ comment */ ALTER TABLE \"Ünïcode\" ADD COLUMN \"ß\" INT NOT NULL;\n"
    "-- migralint: ignore ban-drop-column -- unused since v2\n"
    'ALTER TABLE "Ünïcode" DROP COLUMN "näme";\n'
    "BEGIN; CREATE INDEX \"i☕\" ON \"Ünïcode\" (\"ß\"); COMMIT;\n"
    "SELECT set_config('lock_timeout', '1s', false); UPDATE \"Ünïcode\" SET \"ß\" = 1;\n"
)


def test_trees_parsed_again_from_their_piece_are_those_of_the_whole_file() -> None:
    whole = parse_source(_MIXED)
    cut = parse_large(_MIXED, size=1)  # every statement a piece of its own
    assert len(whole.statements) == 9
    assert [(s.kind, s.start, s.end, s.node) for s in cut.statements] == [
        (s.kind, s.start, s.end, s.node) for s in whole.statements
    ]
    # Comments are read for ignore directives only, and only where the text mentions migralint.
    assert [c for c in cut.comments if "migralint:" in c.text] == [c for c in whole.comments if "migralint:" in c.text]
    assert len(cut.comments) == 1 and cut.syntax_error is None


def test_a_syntax_error_in_a_later_piece_is_where_the_whole_parse_puts_it() -> None:
    text = _MIXED + "ALTER TABLE \"Ünïcode\" ADD COLUMN \"z\" INT NOT NULL;\nCREATE TABLBE ☕ oops;\nDROP TABLE \"x\";\n"
    whole = parse_source(text)
    cut = parse_large(text, size=40)
    assert whole.syntax_error is not None and cut.syntax_error == whole.syntax_error
    assert [(s.kind, s.start, s.end, s.node) for s in cut.statements] == [
        (s.kind, s.start, s.end, s.node) for s in whole.statements
    ]


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: p.stem)
def test_every_rule_fixture_has_the_same_findings_cut_into_pieces(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sql = path.read_text(encoding="utf-8")
    runner, settings = _options(sql)
    whole = lint_sql(sql, runner=runner, settings=settings, path=path.name)
    monkeypatch.setattr(pieces, "LINT_PIECE", 1)  # the hardest cut: one statement per piece
    cut = lint_sql(sql, runner=runner, settings=settings, path=path.name)
    assert cut.findings == whole.findings
    assert cut.ignored == whole.ignored
    assert whole.findings, "a fixture has findings: the comparison is not empty"


# A child process that lints one file and says its peak memory in KiB on stderr. On Linux,
# ru_maxrss of a child carries the parent's resident size from before its exec (a large pytest
# process would count); the kernel's VmHWM of the child's own memory does not.
_MEASURE = textwrap.dedent(
    """
    import re, resource, sys
    from migralint.cli import main
    try:
        main(["lint", "--format", "json", sys.argv[1]])
    except SystemExit:
        pass
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1))
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    sys.stderr.write(f"\\npeak={peak}\\n")
    """
)


def _seed_migration(rows: int, middle: str, end: str) -> tuple[str, int, int]:
    """Seed data in INSERTs of 500 rows with non-ASCII values, `middle` halfway, `end` last;
    with the line numbers of the two."""
    lines = ['CREATE TABLE "seed" ("id" BIGINT PRIMARY KEY, "name" TEXT NOT NULL, "score" INTEGER);']
    middle_line = 0
    for start in range(0, rows, 500):
        if start >= rows // 2 and not middle_line:
            middle_line = sum(line.count("\n") + 1 for line in lines) + 1
            lines.append(middle)
        values = ",\n".join(f"({i}, 'nâme ☕ {i}', {i % 97})" for i in range(start, min(rows, start + 500)))
        lines.append(f'INSERT INTO "seed" ("id", "name", "score") VALUES\n{values};')
    end_line = sum(line.count("\n") + 1 for line in lines) + 1
    lines.append(end)
    return "\n".join(lines) + "\n", middle_line, end_line


def _lint_measured(path: Path) -> tuple[list[dict[str, object]], int]:
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=600, check=False
    )
    peak_kib = int(result.stderr.rsplit("peak=", 1)[1])
    findings: list[dict[str, object]] = json.loads(result.stdout)["findings"]
    return findings, peak_kib // 1024


def _lint_pair(tmp_path: Path, name: str, small_text: str, large_text: str) -> tuple[list[dict[str, object]], int, int]:
    """The large file's findings, and the peak memory (MiB) of linting each file, each alone in
    its folder (a plain file replays its neighbours)."""
    small, large = tmp_path / "small" / name, tmp_path / "large" / name
    for path, text in ((small, small_text), (large, large_text)):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    _, small_peak = _lint_measured(small)
    findings, large_peak = _lint_measured(large)
    return findings, small_peak, large_peak


def test_a_large_seed_migration_is_linted_in_bounded_memory_with_its_findings(tmp_path: Path) -> None:
    """Seed rows cost about 100 bytes of tree per byte: 3 MB of them took over 300 MiB."""
    drop = 'ALTER TABLE "users" DROP COLUMN "score";'
    ignored = '-- migralint: ignore ban-drop-table -- the table was never read\nDROP TABLE "legacy";'
    small_text, _, _ = _seed_migration(25_000, drop, ignored)
    large_text, middle, end = _seed_migration(100_000, drop, ignored + '\nDROP TABLE "audit☕";')
    assert len(large_text.encode()) > 3_000_000
    findings, small_peak, large_peak = _lint_pair(tmp_path, "seed.sql", small_text, large_text)

    found = {(f["rule"], f["line"], f["column"]) for f in findings}
    assert ("ban-drop-column", middle, 21) in found  # in the middle of the file, at DROP COLUMN
    assert ("ban-drop-table", end + 2, 1) in found  # at its end, after an ignored DROP TABLE
    assert not any(f["rule"] == "ban-drop-table" and f["line"] == end + 1 for f in findings)
    # Four times the rows: memory grows by the statements' spans, not by their trees.
    assert large_peak - small_peak < 60, (small_peak, large_peak)
    assert large_peak < 200, large_peak
    print(f"peak memory: {small_peak} MiB for 0.8 MB, {large_peak} MiB for 3.3 MB")


def _ddl_migration(tables: int, middle: str, end: str) -> tuple[str, int, int]:
    """Schema changes in one transaction, four statements a table (as benchmarks/scenarios.py
    builds them), names with non-ASCII characters, `middle` halfway and `end` last; with the
    line numbers of the two."""
    lines = ["BEGIN;"]
    middle_line = 0
    for i in range(tables):
        if i == tables // 2:
            middle_line = len(lines) + 1
            lines.append(middle)
        lines += [
            f'CREATE TABLE "tâble{i}" ("id" BIGINT NOT NULL, "name" TEXT, "ref" BIGINT, '
            f'CONSTRAINT "tâble{i}_pkey" PRIMARY KEY ("id"));',
            f'CREATE INDEX "tâble{i}_name_idx" ON "tâble{i}"("name");',
            f'ALTER TABLE "tâble{i}" ADD COLUMN "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;',
        ]
        if i:
            lines.append(f'ALTER TABLE "tâble{i}" ADD CONSTRAINT "tâble{i}_ref_fkey" '
                         f'FOREIGN KEY ("ref") REFERENCES "tâble{i - 1}"("id");')
    lines.append("COMMIT;")
    end_line = len(lines) + 1
    lines.append(end)
    return "\n".join(lines) + "\n", middle_line, end_line


def test_a_large_ddl_migration_is_linted_in_bounded_memory_with_its_findings(tmp_path: Path) -> None:
    """DDL keeps something of every statement (its facts) and of every table (the catalog):
    2.9 MB of it took 226 MiB, and 21.5 MB 1.2 GB, when each statement's model kept its parse
    tree; 104 MiB once no model is kept past its statement, 77 MiB now (docs/robustness.md)."""
    drop = 'ALTER TABLE "users" DROP COLUMN "score";'
    small_text, _, _ = _ddl_migration(1_000, drop, 'DROP TABLE "audit☕";')
    large_text, middle, end = _ddl_migration(7_400, drop, 'DROP TABLE "audit☕";')
    assert len(large_text.encode()) > 2_500_000
    findings, small_peak, large_peak = _lint_pair(tmp_path, "ddl.sql", small_text, large_text)

    found = {(f["rule"], f["line"], f["column"]) for f in findings}
    assert ("ban-drop-column", middle, 21) in found  # in the middle of the file, at DROP COLUMN
    assert ("ban-drop-table", end, 1) in found  # at its end
    # 7.4 times the tables: 33 MiB more (the catalog's tables and what is kept of each
    # statement; 56 MiB before the statements shared their spans and facts and the tables
    # their columns, 77 MiB when every statement model was kept, 164 MiB with the trees).
    # These names are not ASCII, which costs the text and every name 2 bytes a character:
    # 5.2 MiB per 1,000 tables here, against about 4 for benchmarks/large_file.py's ASCII
    # DDL, whose 60,000 tables (21.5 MB) peak at the figure docs/robustness.md gives.
    assert large_peak - small_peak < 45, (small_peak, large_peak)
    assert large_peak < 95, large_peak
    print(f"peak memory: {small_peak} MiB for {len(small_text) / 1e6:.1f} MB, {large_peak} MiB for {len(large_text) / 1e6:.1f} MB")
