"""What a model front end provides: the shape sql/front_ends.py hands out and each dialect's front end fills.

Apart from sql/front_ends.py so that a dialect's front end, which front_ends.py imports, does not
import front_ends.py back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from migralint.sql import ir

# The server versions a front end may need ({"mysql": (8, 4), "mariadb": None}), from the settings.
Versions = Mapping[str, "tuple[int, ...] | None"]


class FrontEnd(NamedTuple):
    parse: Callable[[str, Versions], ir.ParsedFile]
    # Where a file's rollback part starts when the file says it (goose's `-- +goose Down`); None: nowhere.
    rollback_from: Callable[[str], int | None]
    sql: Any  # a linter.model_context.SqlText: sql/ sits below linter/ and does not name it
