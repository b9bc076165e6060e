"""pglast loaded lean (sql/lean_pglast.py) parses, splits and scans exactly as pglast loaded the
plain way, leaves its enums and AST classes unexecuted until read, and is still the whole package.

Each way runs in a fresh interpreter: which way pglast loads depends on what is loaded already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "rules" / "fixtures"

# Prints, as JSON, what the parser makes of every text given on standard input (a JSON list):
# the tree, the statements split both ways, the tokens, or the error and where it is.
_PARSE_ALL = """
import json, sys
{load}
from pglast import parser
out = []
for text in json.load(sys.stdin):
    row = {{}}
    for what, call in (("tree", lambda: parser.parse_sql_json(text)),
                       ("split", lambda: [(s.start, s.stop) for s in parser.split(text, with_parser=False, only_slices=True)]),
                       ("split_parsed", lambda: list(parser.split(text))),
                       ("scan", lambda: [tuple(t) for t in parser.scan(text)])):
        try:
            row[what] = call()
        except parser.ParseError as exc:
            row[what] = ["ParseError", str(exc), list(exc.args)]
    out.append(row)
state = {{n: type(m).__name__ for n, m in sys.modules.items() if n == "pglast" or n.startswith("pglast.")}}
print(json.dumps({{"parsed": out, "state": state}}))
"""
LEAN = "from migralint.sql.lean_pglast import load_parser; load_parser()"
PLAIN = "import pglast.parser"


def run(code: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def texts() -> list[str]:
    found = [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.sql"))]
    assert len(found) > 50
    return found + [
        "CREATE TABLE \"é☕\" (id INT); SELECT 'ü';",
        "CREATE TABLE t (id INT",  # a syntax error at the end
        "SELECT 1; SELEC 2; SELECT 'é' FROM",
        "/* unterminated comment",
        "",
    ]


def test_the_lean_way_and_the_plain_way_parse_alike() -> None:
    given = json.dumps(texts())
    lean = json.loads(run(_PARSE_ALL.format(load=LEAN), given))
    plain = json.loads(run(_PARSE_ALL.format(load=PLAIN), given))
    assert lean["parsed"] == plain["parsed"]
    assert any(isinstance(row["tree"], list) and row["tree"][0] == "ParseError" for row in lean["parsed"])
    # Lean: the enums and the AST classes are there, unexecuted; plain: every enum module ran.
    assert lean["state"]["pglast.ast"] == lean["state"]["pglast.enums"] == "_LazyModule"
    assert "pglast.enums.parsenodes" not in lean["state"]
    assert plain["state"]["pglast.ast"] == "module" and "pglast.enums.parsenodes" in plain["state"]


def test_after_the_lean_way_pglast_is_the_whole_package() -> None:
    out = run(LEAN + """
import sys
import pglast
from pglast.enums import ConstrType
from pglast import ast
node = pglast.parse_sql("SELECT 1")[0].stmt
print(pglast.__version__.startswith("v"), type(node) is ast.SelectStmt, ConstrType.CONSTR_FOREIGN.name,
      isinstance(pglast.parser.ParseError("x"), pglast.Error), "pglast.enums.parsenodes" in sys.modules)
""")
    assert out.split() == ["True", "True", "CONSTR_FOREIGN", "True", "True"]


def test_a_lean_way_that_fails_falls_back_to_the_plain_import() -> None:
    # As an unknown pglast layout would: the lean way raises half-way, after registering modules.
    out = run("""
import importlib.util, sys
def refuse(*args, **kwargs):
    raise RuntimeError("no lazy loading here")
importlib.util.LazyLoader = refuse
from migralint.sql.lean_pglast import load_parser
load_parser()
from pglast import parser
print(parser.split("SELECT 1; SELECT 2"), type(sys.modules["pglast.enums"]).__name__,
      "pglast.enums.parsenodes" in sys.modules)
""")
    assert out.strip() == "('SELECT 1', 'SELECT 2') module True"


def test_pglast_already_loaded_is_used_as_it_is() -> None:
    out = run("""
import sys
import pglast
from migralint.sql.lean_pglast import load_parser
load_parser()
print(type(sys.modules["pglast.enums"]).__name__, sys.modules["pglast.parser"].scan("SELECT 1")[0].name)
""")
    assert out.split() == ["module", "SELECT"]
