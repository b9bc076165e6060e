"""pglast's parser module, imported on first use rather than when migralint's modules load.

Importing pglast costs 35-45 ms (its enums and AST classes), a large share of a one-file
run and all of a run whose files are all result-cache hits, which parse nothing; and when
it loads, it loads lean (sql/lean_pglast.py: the parser extension without running the enums
and AST classes it imports). The helpers and rules that scan or split SQL import this module
instead of `pglast.parser`:
`pg_parser.scan(...)` reads as before, and pglast loads when the first SQL is scanned.
linter/parse.py (parse_source) is meant to be the one module that loads it at parse time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pglast.parser import ParseError as ParseError
    from pglast.parser import parse_sql_json as parse_sql_json
    from pglast.parser import scan as scan
    from pglast.parser import split as split


def __getattr__(name: str) -> Any:  # PEP 562: called only for names not yet in this module
    from migralint.sql.lean_pglast import load_parser

    load_parser()  # without running pglast's enums and AST classes, which a lint never reads
    from pglast import parser

    value = getattr(parser, name)
    globals()[name] = value  # later lookups are plain attribute reads: scan() runs in hot loops
    return value
