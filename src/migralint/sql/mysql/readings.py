"""What the MySQL front end read from a statement, kept in `Statement.raw` for the MySQL rules.

Apart from the modules that read sqlglot's trees, so that importing the rules (every run does)
does not import sqlglot (about 100 ms): only a MySQL file to parse loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from migralint.sql import ir
from migralint.sql.mysql import online_ddl as ddl

if TYPE_CHECKING:
    from sqlglot import exp


class Clause(NamedTuple):
    events: tuple[ir.Event, ...]
    cost: ddl.Cost
    span: tuple[int, int] | None


class AlterReading(NamedTuple):
    table: ir.TableName
    clauses: tuple[Clause, ...]
    algorithm: str | None  # ALGORITHM= as written, upper case
    lock: str | None  # LOCK= as written
    cost: ddl.Cost | None  # None: MySQL refuses to run it as written (its ALGORITHM/LOCK assertion fails)
    fk_checks_needed: bool = False  # an ADD FOREIGN KEY: a COPY unless foreign_key_checks is off


class MySqlNode(NamedTuple):
    """`Statement.raw` for MySQL: sqlglot's node and what the front end read from it, for the
    MySQL rules (the model's locks say the cost; this says which clause and why)."""

    node: exp.Expression | None
    alter: AlterReading | None = None  # an ALTER TABLE (or a CREATE INDEX / Command read as one)
    text: str = ""  # the statement's text, for Commands
