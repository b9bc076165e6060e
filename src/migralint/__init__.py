"""migralint: a linter for PostgreSQL migrations that knows which locks they take."""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here (setuptools'
# dynamic `attr`, without importing the package), so the code that runs always reports its
# own version, also from a checkout or an editable install whose metadata is older.
__version__ = "0.1.0"

DOCS_URL = "https://github.com/migralint/migralint/blob/main/docs/rules/{name}.md"
ISSUES_URL = "https://github.com/migralint/migralint/issues"
