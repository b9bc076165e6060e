"""Rules for SQLite only: its table rebuilds (create, copy, drop, rename), the foreign keys they
fire, and the PRAGMA that turns foreign keys off only outside a transaction."""
