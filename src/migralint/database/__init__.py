"""Everything that opens a PostgreSQL connection: history rows, table sizes, apply, status, resolve.

Only the CLI imports this package; the linter, the rules, the reports and migrations/ never do
(an import-linter contract in pyproject.toml says so). The linter reads the database through
objects the CLI passes in (a HistorySource, a table-size reader).
"""
