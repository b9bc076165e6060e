"""The SQLite behaviour docs/dialects/sqlite-runners.md and the sqlite-rebuild-* rules rely on,
measured on a real SQLite (Python's sqlite3) on every run: if a SQLite release changed it, the
docs and the rules' verdicts would be wrong, and this fails."""

from __future__ import annotations

import sqlite3

import pytest

REBUILD = (
    "CREATE TABLE new_p (id INTEGER PRIMARY KEY, x TEXT);"
    "INSERT INTO new_p (id) SELECT id FROM p;"
    "DROP TABLE p;"
    "ALTER TABLE new_p RENAME TO p;"
)


def children_left(script: str, foreign_keys: bool = True) -> int:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        if foreign_keys:
            connection.execute("PRAGMA foreign_keys=ON")
        connection.executescript(
            "CREATE TABLE p (id INTEGER PRIMARY KEY);"
            "CREATE TABLE ch (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) ON DELETE CASCADE);"
            "INSERT INTO p VALUES (1), (2); INSERT INTO ch VALUES (10, 1), (11, 2);"
        )
        connection.executescript(script)
        (count,) = connection.execute("SELECT count(*) FROM ch").fetchone()
        return int(count)
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("script", "foreign_keys", "left"),
    [
        (REBUILD, True, 0),
        ("PRAGMA foreign_keys=OFF;" + REBUILD + "PRAGMA foreign_keys=ON;", True, 2),
        ("PRAGMA foreign_keys=OFF; BEGIN;" + REBUILD + "COMMIT; PRAGMA foreign_keys=ON;", True, 2),
        ("BEGIN; PRAGMA foreign_keys=OFF;" + REBUILD + "COMMIT;", True, 0),
        ("BEGIN; PRAGMA defer_foreign_keys=ON;" + REBUILD + "COMMIT;", True, 0),
        (REBUILD, False, 2),
    ],
    ids=["enforced", "pragma-outside", "pragma-before-begin", "pragma-inside-begin", "defer-inside-begin", "not-enforced"],
)
def test_a_rebuild_cascades_unless_foreign_keys_are_off_outside_the_transaction(script: str, foreign_keys: bool, left: int) -> None:
    assert children_left(script, foreign_keys) == left
