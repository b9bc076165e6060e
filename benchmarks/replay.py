"""How much of a lint run the schema catalog's replay costs, measured in-process.

For every Prisma project of the corpus: the time to read and parse every migration, the time
to replay the parsed statements into a Catalog (the catalog alone), and the time of a full
lint of the project (which parses, replays and runs the rules). Run:

    .venv/bin/python benchmarks/replay.py [--corpus ../shared/corpus/prisma]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def replay_figures(corpus: Path, repeat: int = 3) -> dict[str, float]:
    from migralint.api import LintRequest, lint
    from migralint.config import Settings
    from migralint.linter.catalog import Catalog
    from migralint.linter.model_replay import apply_postgres
    from migralint.linter.parse import parse_source
    from migralint.migrations.discover import discover
    from migralint.rules.registry import build_rule_set
    from migralint.source import read_sql

    projects = sorted(p for p in corpus.iterdir() if p.is_dir())
    migrations = {p: discover([str(p)]) for p in projects}
    texts = {m.path: read_sql(m.path) for ms in migrations.values() for m in ms}
    settings = Settings()
    rules = build_rule_set(settings)

    best = {"parse": float("inf"), "replay": float("inf"), "lint": float("inf")}
    for _ in range(repeat):
        start = time.perf_counter()
        parsed = {path: parse_source(text) for path, text in texts.items()}
        best["parse"] = min(best["parse"], time.perf_counter() - start)

        start = time.perf_counter()
        for project_migrations in migrations.values():
            catalog = Catalog()
            for migration in project_migrations:
                for statement in parsed[migration.path].statements:
                    apply_postgres(catalog, statement, migration.name)
        best["replay"] = min(best["replay"], time.perf_counter() - start)

        start = time.perf_counter()
        for project_migrations in migrations.values():
            lint(LintRequest(files=project_migrations, settings=settings, rules=rules))
        best["lint"] = min(best["lint"], time.perf_counter() - start)
    best["files"] = float(len(texts))
    best["statements"] = float(sum(len(p.statements) for p in parsed.values()))
    return best


def markdown(figures: dict[str, float]) -> str:
    share = figures["replay"] / figures["lint"] * 100
    return "\n".join(
        [
            f"In-process, best of 3, over {int(figures['files']):,} files and {int(figures['statements']):,} statements:",
            "",
            "| step | time | share of the full lint |",
            "| --- | --: | --: |",
            f"| parse every file (already read) | {figures['parse'] * 1000:.0f} ms | {figures['parse'] / figures['lint'] * 100:.0f}% |",
            f"| replay the parsed statements into the catalog | {figures['replay'] * 1000:.0f} ms | {share:.0f}% |",
            f"| full lint (parse, replay, every default rule) | {figures['lint'] * 1000:.0f} ms | 100% |",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "prisma"
    parser.add_argument("--corpus", type=Path, default=default)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"replay.py: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    print(markdown(replay_figures(args.corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
