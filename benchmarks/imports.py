"""What a one-file lint imports before it reads the file, and what each part costs.

Runs `python -X importtime -m migralint lint --no-cache --format json FILE` a few times with the
interpreter migralint is installed in, keeps each module's smallest self time (the machine may
be shared: a burst lands on one run, not on all), and sums them by part (the rules, pglast,
click, the statement model...). Run on its own:

    .venv/bin/python benchmarks/imports.py FILE [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from spawn import CHILD_ENV

# (part, module prefixes), first match wins; what matches none is the standard library.
PARTS = (
    ("the rules (rules/: each rule module and the helpers only rules use)", ("migralint.rules",)),
    ("pglast (its parser; the enums and node classes load only if read: sql/lean_pglast.py)", ("pglast",)),
    ("click (the command line)", ("click",)),
    ("the statement model (sql/ir*.py)", ("migralint.sql.ir",)),
    ("the front ends (sql/)", ("migralint.sql",)),
    ("linter/", ("migralint.linter",)),
    ("migrations/", ("migralint.migrations",)),
    ("the rest of migralint (cli, api, cache, config, findings, reports)", ("migralint",)),
)
STANDARD_LIBRARY = "Python's standard library (what the above import, and the interpreter's start)"


def interpreter_of(migralint: str) -> str | None:
    """The Python a console script runs with (its #! line), or None (not a script)."""
    try:
        with open(migralint, "rb") as script:
            first = script.readline()
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    python = first[2:].strip().split()[0].decode(errors="replace")
    return python if os.access(python, os.X_OK) else None


def self_times(python: str, file: Path, cwd: str, repeat: int) -> dict[str, int]:
    """Each module's smallest self import time over `repeat` runs, in microseconds."""
    best: dict[str, int] = {}
    cmd = [python, "-X", "importtime", "-m", "migralint", "lint", "--no-cache", "--format", "json", str(file)]
    # .pyc files as a user has them (written on the first run), whatever this shell says.
    env = CHILD_ENV
    subprocess.run(cmd[:1] + cmd[3:], cwd=cwd, env=env, capture_output=True, timeout=300, check=False)
    for _ in range(repeat):
        err = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                             check=False).stderr
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = line[len("import time:"):].split("|")
            module = name.strip()
            best[module] = min(best.get(module, 1 << 62), int(own))
    return best


def part_of(module: str) -> str:
    for part, prefixes in PARTS:
        if any(module == p or module.startswith(p) for p in prefixes):
            return part
    return STANDARD_LIBRARY


def by_part(best: dict[str, int]) -> dict[str, float]:
    """Milliseconds per part, largest first, and "total"."""
    sums: dict[str, float] = {}
    for module, micros in best.items():
        sums[part_of(module)] = sums.get(part_of(module), 0.0) + micros / 1000
    ordered = dict(sorted(sums.items(), key=lambda item: -item[1]))
    ordered["total"] = sum(sums.values())
    return ordered


def import_figures(migralint: str, file: Path, cwd: str, repeat: int = 5) -> dict[str, float] | None:
    python = interpreter_of(migralint)
    if python is None:
        return None
    best = self_times(python, file, cwd, repeat)
    if not best:
        return None
    figures = by_part(best)
    figures["modules"] = float(len(best))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--migralint", default=str(Path(sys.executable).parent / "migralint"))
    args = parser.parse_args(argv)
    figures = import_figures(args.migralint, args.file.resolve(), os.getcwd(), args.repeat)
    if figures is None:
        print(f"benchmarks/imports.py: error: no Python interpreter found for {args.migralint}", file=sys.stderr)
        return 2
    modules = int(figures.pop("modules"))
    total = figures.pop("total")
    print(f"{modules} modules, {total:.1f} ms (each module's least self time over {args.repeat} runs)")
    for part, ms in figures.items():
        print(f"  {ms:6.1f} ms  {part}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
