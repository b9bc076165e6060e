"""Finding migration files, their order, and how each one's runner executes it."""
