"""The PostgreSQL front end: libpg_query (through pglast) to the statement model."""
