"""PostgreSQL's default names, for the rules' help: they live with the front end
(sql/postgres/names.py), which gives them to the statement model."""

from __future__ import annotations

from migralint.sql.postgres.names import default_constraint_name, object_name

__all__ = ["default_constraint_name", "object_name"]
