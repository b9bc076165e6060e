"""Which database a migration is written for."""

from __future__ import annotations

from enum import Enum


class Dialect(str, Enum):
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"  # MySQL and MariaDB: one grammar, versions told apart by settings
    SQLITE = "sqlite"
    COCKROACHDB = "cockroachdb"
    SQLSERVER = "sqlserver"

    def __str__(self) -> str:
        return self.value

    @property
    def display_name(self) -> str:
        """The database's name as users write it."""
        return _TITLES[self]

    @classmethod
    def from_prisma_provider(cls, provider: str) -> Dialect | None:
        """The dialect of a Prisma `provider` (migration_lock.toml, schema.prisma); None if unknown.

        Prisma's providers: "postgresql" (alias "postgres"), "mysql" (MySQL and MariaDB),
        "sqlite", "sqlserver", "cockroachdb" (prisma-engines, psl/builtin-connectors).
        """
        return _PROVIDERS.get(provider.strip().lower())

    @classmethod
    def parse(cls, name: str) -> Dialect | None:
        """A dialect named in a setting or option, with the usual aliases; None if unknown."""
        return _NAMES.get(name.strip().lower())


_TITLES = {
    Dialect.POSTGRESQL: "PostgreSQL",
    Dialect.MYSQL: "MySQL",
    Dialect.SQLITE: "SQLite",
    Dialect.COCKROACHDB: "CockroachDB",
    Dialect.SQLSERVER: "SQL Server",
}
_PROVIDERS = {
    "postgresql": Dialect.POSTGRESQL,
    "postgres": Dialect.POSTGRESQL,
    "mysql": Dialect.MYSQL,
    "sqlite": Dialect.SQLITE,
    "sqlserver": Dialect.SQLSERVER,
    "cockroachdb": Dialect.COCKROACHDB,
}
_NAMES = {
    **_PROVIDERS,
    "pg": Dialect.POSTGRESQL,
    "mariadb": Dialect.MYSQL,
    "sqlite3": Dialect.SQLITE,
    "cockroach": Dialect.COCKROACHDB,
    "crdb": Dialect.COCKROACHDB,
    "mssql": Dialect.SQLSERVER,
    "tsql": Dialect.SQLSERVER,
}


def names_of(dialects: frozenset[Dialect]) -> list[str]:
    """Every name a setting or --dialect accepts for these dialects, aliases included, sorted."""
    return sorted(name for name, dialect in _NAMES.items() if dialect in dialects)
