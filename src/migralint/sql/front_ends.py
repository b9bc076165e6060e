"""The model front ends by dialect: what the engine for model-only dialects calls.

Imported lazily: a PostgreSQL run never loads sqlglot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from migralint.sql.dialect import Dialect

if TYPE_CHECKING:
    from migralint.sql import ir

# The server versions a front end may need ({"mysql": (8, 4), "mariadb": None}), from the settings.
Versions = Mapping[str, "tuple[int, ...] | None"]

MODEL_DIALECTS = frozenset({Dialect.MYSQL})


class FrontEnd(NamedTuple):
    parse: Callable[[str, Versions], ir.ParsedFile]
    # Where a file's rollback part starts when the file says it (goose's `-- +goose Down`); None: nowhere.
    rollback_from: Callable[[str], int | None]
    sql: Any  # a linter.model_context.SqlText: sql/ sits below linter/ and does not name it


def front_end(dialect: Dialect) -> FrontEnd:
    if dialect is Dialect.MYSQL:
        from migralint.sql.mysql.front_end import FRONT_END

        return FRONT_END
    raise ValueError(f"no model front end for {dialect.display_name}")
