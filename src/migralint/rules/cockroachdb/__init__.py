"""CockroachDB's own rules: what its online schema changes cost in a migration (issue 15)."""
