"""The model front ends by dialect: what the engine for model-only dialects calls.

Each dialect's front end is a module `migralint.sql.<package>.front_end` with a `FRONT_END`,
imported only when a file of that dialect is parsed: a PostgreSQL run never loads sqlglot.
Adding a dialect is one line here (and its package).
"""

from __future__ import annotations

from importlib import import_module

from migralint.sql.dialect import Dialect, names_of
from migralint.sql.model_front_end import FrontEnd

_PACKAGES = {
    Dialect.MYSQL: "mysql",
    Dialect.SQLITE: "sqlite",
    Dialect.SQLSERVER: "sqlserver",
    Dialect.COCKROACHDB: "cockroachdb",
}

MODEL_DIALECTS = frozenset(_PACKAGES)
# The databases migralint lints: PostgreSQL through its own engine, the others through the model's.
LINTED_DIALECTS = frozenset({Dialect.POSTGRESQL, *MODEL_DIALECTS})
LINTED_NAMES = ", ".join(sorted(d.display_name for d in LINTED_DIALECTS))
DIALECT_NAMES = names_of(LINTED_DIALECTS)  # what `--dialect` and the `dialect` setting accept


def front_end(dialect: Dialect) -> FrontEnd:
    package = _PACKAGES.get(dialect)
    if package is None:
        raise ValueError(f"no model front end for {dialect.display_name}")
    front: FrontEnd = import_module(f"migralint.sql.{package}.front_end").FRONT_END
    return front
