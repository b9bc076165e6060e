"""The benchmark scripts run against the code as it is: an API they call that moved fails here,
not on the day someone measures (benchmarks/replay.py once called a Catalog method that was gone)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_replay_figures_run_on_the_demo_project(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "migrations", tmp_path / "corpus" / "demo")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import replay
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    figures = replay.replay_figures(tmp_path / "corpus", repeat=1)
    assert figures["files"] == len(list((ROOT / "migrations").rglob("migration.sql")))
    assert figures["statements"] > 0 and 0 < figures["replay"] < figures["lint"]
    assert "replay the parsed statements" in replay.markdown(figures)


def test_import_figures_split_a_real_lint_by_part(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import imports
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    migralint = shutil.which("migralint") or str(Path(sys.executable).parent / "migralint")
    one = sorted((ROOT / "migrations").rglob("migration.sql"))[0]
    figures = imports.import_figures(migralint, one, str(tmp_path), repeat=1)
    assert figures is not None
    parts = {k: v for k, v in figures.items() if k not in ("total", "modules")}
    # A lint imports the rules and pglast before its first file; every part is a real sum.
    assert any(p.startswith("the rules") for p in parts) and any(p.startswith("pglast") for p in parts)
    assert figures["modules"] > 100 and abs(sum(parts.values()) - figures["total"]) < 1e-6
    assert imports.part_of("migralint.sql.ir_terms").startswith("the statement model")
    assert imports.part_of("migralint.sql.postgres.model") == "the front ends (sql/)"
    assert imports.part_of("inspect") == imports.STANDARD_LIBRARY
    assert imports.interpreter_of(str(one)) is None  # not a script


def test_timeline_times_the_phases_of_a_real_lint(capsys: object) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import timeline
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    demo = str(ROOT / "migrations")
    assert timeline.main(["--runs", "1", "--src", str(ROOT / "src"), demo]) == 0
    out = capsys.readouterr().out.splitlines()  # type: ignore[attr-defined]
    assert out[0].split()[:2] == ["medians,", "ms"] and out[1].startswith(str(ROOT / "src"))
    cells = out[1].split()[1:]
    assert len(cells) == len(timeline.PHASES)
    # The demo is too small for workers: no fork, so only the report and the whole run are timed.
    assert cells[:4] == ["-", "-", "-", "-"] and 0 < float(cells[4]) < float(cells[5])
    phases = timeline.one_run(str(ROOT / "src"), ["--format", "json", demo], demo)
    assert set(phases) == {"report", "whole run"}
