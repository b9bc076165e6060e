"""migralint: a linter for PostgreSQL migrations that knows which locks they take."""

from __future__ import annotations

__version__ = "0.1.0"

DOCS_URL = "https://github.com/migralint/migralint/blob/main/docs/rules/{name}.md"
ISSUES_URL = "https://github.com/migralint/migralint/issues"
