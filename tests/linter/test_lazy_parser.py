"""pglast loads when SQL is first scanned, not when migralint's modules are imported."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import migralint

# Until they load pglast on first use too, the two modules that parse at the engine's entry.
# (A run whose files are all result-cache hits needs both to stop importing it at the top.)
TOP_LEVEL_PGLAST_ALLOWED = {"linter/parse.py", "linter/engine.py"}


def test_no_other_module_imports_pglast_when_it_loads() -> None:
    package = Path(migralint.__file__).parent
    offenders = []
    for module in sorted(package.rglob("*.py")):
        relative = module.relative_to(package).as_posix()
        for node in ast.parse(module.read_text(encoding="utf-8")).body:  # the module's top level only
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name == "pglast" or name.startswith("pglast.") for name in names):
                offenders.append(relative)
    assert sorted(set(offenders) - TOP_LEVEL_PGLAST_ALLOWED) == []


def test_the_parser_loads_on_first_use_and_is_pglasts() -> None:
    probe = """
import sys
from migralint.linter import lazy_parser as pg_parser
assert "pglast" not in sys.modules, "imported with the module"
tokens = pg_parser.scan("SELECT 1;")
assert "pglast" in sys.modules
from pglast import parser
assert pg_parser.scan is parser.scan and pg_parser.ParseError is parser.ParseError
assert [t.name for t in tokens][:2] == ["SELECT", "ICONST"], tokens
try:
    pg_parser.no_such_function
except AttributeError:
    print("ok")
"""
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert (run.returncode, run.stdout) == (0, "ok\n"), run.stderr
