"""The model front ends by dialect: what the engine for model-only dialects calls.

Imported lazily: a PostgreSQL run never loads sqlglot.
"""

from __future__ import annotations

from migralint.sql.dialect import Dialect
from migralint.sql.model_front_end import FrontEnd

MODEL_DIALECTS = frozenset({Dialect.MYSQL})


def front_end(dialect: Dialect) -> FrontEnd:
    if dialect is Dialect.MYSQL:
        from migralint.sql.mysql.front_end import FRONT_END

        return FRONT_END
    raise ValueError(f"no model front end for {dialect.display_name}")
