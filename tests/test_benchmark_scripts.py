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
