"""pglast's parser, imported without executing pglast's enums and AST classes until something reads them.

migralint calls four things of pglast: `parse_sql_json`, `split`, `scan` and `ParseError`, all in
its C extension `pglast.parser`, none of which reads a Python enum or node class. Yet importing
`pglast.parser` the plain way costs 45-110 ms on this project's machine (python -X importtime,
2026-12-07): pglast's `__init__` imports `pglast.enums` (a module per header of PostgreSQL's
parser: nodes, parsenodes, primnodes...), and the extension's own module init imports
`pglast.ast` (a class per node type) and `pglast.enums` again, for `parse_sql`, which builds
those classes.

So `load_parser` registers `pglast.ast` and `pglast.enums` as lazy modules
(importlib.util.LazyLoader, https://docs.python.org/3/library/importlib.html#importlib.util.LazyLoader):
module objects whose code runs, whole, on the first read of any attribute of theirs. It then
runs pglast's own `__init__` in a package module it made from pglast's import spec, with the two
lazy modules already set as its attributes, so that `from . import enums` in `__init__` and
`from pglast import ast, enums` in the extension's init bind them without reading them. The
package is pglast's real one, complete: `import pglast` afterwards, `pglast.parse_sql`,
`pglast.ast.SelectStmt` or `from pglast.enums import ConstrType` all work, and load what they
read when they read it.

What this relies on, read in pglast's sources (pglast/__init__.py, pglast/parser.pyx and the
ast.pyx it includes; the same in 6.2 and 8.8): the package's `__init__` and the extension's
module init bind `pglast.ast` and `pglast.enums` and read nothing of them. pyproject.toml pins
pglast below 9 for that reason. Should a release change it, the first failure makes this module
forget what it registered and import pglast the plain way (tests/sql/test_lean_pglast.py runs
both ways and compares what they parse).
"""

from __future__ import annotations

import sys

_LAZY = ("ast", "enums")


def load_parser() -> None:
    """Import `pglast.parser` (and so the `pglast` package): the lean way when no part of pglast
    is loaded yet, else (or should the lean way fail) the plain way."""
    if "pglast.parser" in sys.modules:
        return
    if "pglast" not in sys.modules:
        try:
            _import_lean()
        except Exception:  # an unknown pglast layout: what was registered is dropped, the plain import follows
            _forget()
    if "pglast" not in sys.modules or "pglast.parser" not in sys.modules:
        import pglast.parser  # noqa: F401  (the plain way)


def _import_lean() -> None:
    import importlib.util

    spec = importlib.util.find_spec("pglast")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError("pglast is not an importable package")
    package = importlib.util.module_from_spec(spec)
    sys.modules["pglast"] = package
    for name in _LAZY:
        sub_spec = importlib.util.find_spec(f"pglast.{name}")  # found through package.__path__, not run
        if sub_spec is None or sub_spec.loader is None:
            raise ImportError(f"pglast.{name} not found")
        loader = importlib.util.LazyLoader(sub_spec.loader)
        sub_spec.loader = loader
        module = importlib.util.module_from_spec(sub_spec)
        sys.modules[sub_spec.name] = module
        loader.exec_module(module)  # lazy: records the loader; the module's code runs on first read
        setattr(package, name, module)
    spec.loader.exec_module(package)  # pglast's own __init__, which imports the extension
    parser = sys.modules.get("pglast.parser")
    # pglast's __init__ swallows a ModuleNotFoundError from the extension's import: check it is there.
    if parser is None or not all(hasattr(parser, name) for name in ("parse_sql_json", "split", "scan", "ParseError")):
        raise ImportError("pglast.parser did not load")


def _forget() -> None:
    # An extension module that initialized cannot be initialized again in this process (Cython
    # refuses): a loaded pglast.parser stays, and the plain import of the package finds it.
    for name in [n for n in sys.modules if n == "pglast" or n.startswith("pglast.")]:
        if name != "pglast.parser" or not hasattr(sys.modules[name], "parse_sql_json"):
            del sys.modules[name]
