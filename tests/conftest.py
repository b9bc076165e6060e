"""Fixtures shared across test modules: the real PostgreSQL server the suite starts once."""

from __future__ import annotations

from tests.pg import database, postgres  # noqa: F401  (pytest finds fixtures by name here)
