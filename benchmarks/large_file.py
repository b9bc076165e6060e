"""Peak memory and CPU time of linting one large migration at 1x, 4x and 16x (16x: about 20 MB).

    python benchmarks/large_file.py [--work DIR] [--factors 1,4,16] [--shapes seed,ddl]

Two shapes, each file the only migration of its own migrations folder (the earlier migrations of
a folder are replayed first, so a sibling would be measured too): seed data (multi-row INSERTs
of 500 rows, as benchmarks/scenarios.py builds them) and schema changes in one transaction
(CREATE TABLE, CREATE INDEX, ADD COLUMN, ADD FOREIGN KEY per table). Each is linted twice, with
--no-cache and with a cold result cache (which also writes the catalog after the file), each
time in a child process that reports its own peak RSS (VmHWM) and CPU time, so the machine's
other load changes the wall time only. docs/robustness.md shows them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scenarios import ddl_migration, seed_migration  # noqa: E402

# scenarios' 1x is small (for the growth curve of run.py); these make 16x about 20 MB.
_SEED_SCALE = 10  # x 5,000 rows: 1.3 MB at 1x
_DDL_SCALE = 37  # x 100 tables: 1.3 MB at 1x

_CHILD = """
import json, re, resource, sys
from migralint.cli import main
try:
    main(["lint", "--format", "json", "--output", sys.argv[2], *sys.argv[3:], sys.argv[1]])
except SystemExit:
    pass
usage = resource.getrusage(resource.RUSAGE_SELF)
try:  # ru_maxrss of a child counts its parent's resident size before exec on Linux; VmHWM does not
    with open("/proc/self/status", encoding="ascii") as status:
        peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", status.read()).group(1)) * 1024
except OSError:
    peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
sys.stderr.write("\\nRESULT " + json.dumps([peak, usage.ru_utime + usage.ru_stime]) + "\\n")
"""


def measure(path: Path, options: list[str]) -> tuple[int, float, int]:
    """(peak RSS in bytes, CPU seconds, findings) of `migralint lint --format json *options path`."""
    report = path.parent.parent / "report.json"  # beside the migrations folder, not in it
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(report), *options],
                          capture_output=True, text=True, check=False)
    if "RESULT " not in done.stderr:
        raise SystemExit(f"linting {path} failed:\n{done.stderr[-2000:]}")
    peak, cpu = json.loads(done.stderr.rsplit("RESULT ", 1)[1])
    findings = len(json.loads(report.read_text(encoding="utf-8"))["findings"])
    return peak, cpu, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="where to write the migrations (default: a temporary folder)")
    parser.add_argument("--factors", default="1,4,16")
    parser.add_argument("--shapes", default="seed,ddl", help="seed, ddl or both")
    args = parser.parse_args()
    factors = [int(f) for f in args.factors.split(",")]
    shapes = [shape for shape in (("seed", "seed data", seed_migration, _SEED_SCALE),
                                  ("ddl", "DDL in one transaction", ddl_migration, _DDL_SCALE))
              if shape[0] in args.shapes.split(",")]
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        print("| migration | size | peak RSS, --no-cache | CPU time | peak RSS, cold cache | CPU time | findings |")
        print("| --- | --: | --: | --: | --: | --: | --: |")
        for key, shape, build, scale in shapes:
            for factor in factors:
                case = work / f"{key}_{factor}x"
                shutil.rmtree(case, ignore_errors=True)
                path = case / "migrations" / "20260101000000_large" / "migration.sql"
                path.parent.mkdir(parents=True)
                path.write_text(build(factor * scale), encoding="utf-8")
                peak, cpu, findings = measure(path, ["--no-cache"])
                cached_peak, cached_cpu, cached_findings = measure(path, ["--cache-dir", str(case / "cache")])
                if cached_findings != findings:
                    raise SystemExit(f"{path}: {findings} findings without the cache, {cached_findings} with it")
                size = path.stat().st_size
                print(f"| {shape}, {factor}x | {size / 1e6:.1f} MB | {peak / 2**20:.0f} MiB | {cpu:.1f} s "
                      f"| {cached_peak / 2**20:.0f} MiB | {cached_cpu:.1f} s | {findings} |", flush=True)

if __name__ == "__main__":
    main()
