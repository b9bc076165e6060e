#!/usr/bin/env bash
# Instructions of one cold lint, counted by callgrind: `--no-cache --jobs 1 --format json` over the
# corpus (or the paths given), in an empty folder so that no config file is found. Wall and CPU
# times on a shared machine swing 15-30% from run to run; the count repeats to about 0.1%, so it
# is the measure for a change of a few percent (each cut of 2026-12-07's rounds was kept or dropped
# on it). Needs valgrind; takes about a minute for the corpus on a 2-core machine.
#
#   benchmarks/instructions.sh [PATH ...]        (default: ../shared/corpus/prisma)
#   PYTHON=other/venv/bin/python SRC=other/checkout/src benchmarks/instructions.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
src="${SRC:-$root/src}"
[ $# -gt 0 ] || set -- "$root/../shared/corpus/prisma"
targets=()
for path in "$@"; do targets+=("$(realpath "$path")"); done
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed" >&2; exit 2; }
empty="$(mktemp -d)"
trap 'rm -rf "$empty"' EXIT
cd "$empty"
# Compiled first, so that the count holds no compiling of modules (rules load as they are needed).
env -u PYTHONDONTWRITEBYTECODE PYTHONPATH="$src" "$python" -m migralint lint --no-cache --jobs 1 --format json \
    "${targets[@]}" >/dev/null 2>&1 || true
env -u PYTHONDONTWRITEBYTECODE PYTHONPATH="$src" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$python" -m migralint lint --no-cache --jobs 1 --format json "${targets[@]}" 2>&1 >/dev/null \
    | sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1 instructions/p'
