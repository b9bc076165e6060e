"""Reading, parsing and checking one migration file at a time."""
