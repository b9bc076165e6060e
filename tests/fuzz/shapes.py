"""Hypothesis strategies: SQL built from the statement shapes real migrations use, mutations of
real migrations, and folders of odd names, links and special files."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

_PLAIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
_ODD = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\x00'), min_size=1, max_size=70
)
identifier = st.one_of(_PLAIN, _ODD.map(lambda s: '"' + s + '"'), _PLAIN.map(lambda s: f'"{s}"."{s}"'))
literal = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.text(max_size=20).map(lambda s: "'" + s.replace("'", "''").replace("\x00", "") + "'"),
    st.sampled_from(["NULL", "true", "now()", "gen_random_uuid()", "'{}'::jsonb", "ARRAY[1,2]", "1.5e10"]),
)
column_type = st.sampled_from(
    ["TEXT", "INTEGER", "BIGINT", "SERIAL", "VARCHAR(255)", "CHAR(3)", "TIMESTAMP(3)", "JSON", "JSONB", "BOOLEAN",
     '"Role"', "DOUBLE PRECISION", "NUMERIC(10,2)", "TEXT[]", "UUID", "money", "timetz", "BIGSERIAL"]
)


def _deep(depth: int) -> str:
    return "ARRAY[" * depth + "1" + "]" * depth


@st.composite
def statement(draw: st.DrawFn) -> str:
    t, c, i, v = draw(identifier), draw(identifier), draw(identifier), draw(literal)
    ty = draw(column_type)
    shapes = [
        f"CREATE TABLE {t} ({c} {ty} NOT NULL DEFAULT {v}, id SERIAL PRIMARY KEY)",
        f"CREATE TABLE IF NOT EXISTS {t} (LIKE {i} INCLUDING ALL)",
        f"ALTER TABLE {t} ADD COLUMN {c} {ty}" + draw(st.sampled_from(["", " NOT NULL", f" DEFAULT {v}", " UNIQUE"])),
        f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty}",
        f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL",
        f"ALTER TABLE {t} DROP COLUMN {c}",
        f"ALTER TABLE {t} RENAME COLUMN {c} TO {i}",
        f"ALTER TABLE {t} RENAME TO {i}",
        f"ALTER TABLE {t} ADD CONSTRAINT {i} FOREIGN KEY ({c}) REFERENCES {i}(id) ON DELETE CASCADE",
        f"ALTER TABLE {t} ADD CONSTRAINT {i} CHECK ({c} > {v}) NOT VALID",
        f"ALTER TABLE {t} VALIDATE CONSTRAINT {i}",
        f"CREATE {draw(st.sampled_from(['', 'UNIQUE ']))}INDEX {draw(st.sampled_from(['', 'CONCURRENTLY ']))}{i} ON {t} ({c})",
        f"DROP INDEX {draw(st.sampled_from(['', 'CONCURRENTLY ', 'IF EXISTS ']))}{i}",
        f"CREATE TYPE {t} AS ENUM ({v}, 'b')",
        f"ALTER TYPE {t} ADD VALUE {draw(literal)}",
        f"ALTER TYPE {t} RENAME VALUE 'a' TO 'b'",
        f"UPDATE {t} SET {c} = {v}" + draw(st.sampled_from(["", f" WHERE {c} = {v}"])),
        f"INSERT INTO {t} ({c}) VALUES ({v}), ({draw(literal)})",
        f"INSERT INTO {t} SELECT * FROM {i} ON CONFLICT DO NOTHING",
        f"DELETE FROM {t}",
        f"TRUNCATE {t} CASCADE",
        f"DROP TABLE {draw(st.sampled_from(['', 'IF EXISTS ']))}{t}",
        f"DROP {draw(st.sampled_from(['VIEW', 'TYPE', 'FUNCTION', 'SCHEMA', 'SEQUENCE', 'EXTENSION', 'DOMAIN']))} {t}",
        f"DROP FUNCTION {t}({ty})",
        f"CREATE AGGREGATE {t}(*) (sfunc = int8inc, stype = int8)",
        f"CREATE AGGREGATE {t}({ty} ORDER BY {ty}) (sfunc = f, stype = int8)",
        f"CREATE OR REPLACE FUNCTION {t}() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
        f"CREATE VIEW {t} AS SELECT {c} FROM {i}",
        f"CREATE MATERIALIZED VIEW {t} AS SELECT 1",
        f"REFRESH MATERIALIZED VIEW {t}",
        f"CREATE EXTENSION IF NOT EXISTS {t}",
        f"COMMENT ON COLUMN {t}.{c} IS {v}",
        f"SET lock_timeout = {draw(st.sampled_from(['0', chr(39) + '5s' + chr(39), '1000']))}",
        f"SET statement_timeout TO {v}",
        "BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "SAVEPOINT s", "END",
        f"VACUUM FULL {t}", f"CLUSTER {t}", f"REINDEX TABLE {t}", f"LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE",
        f"ALTER TABLE {t} DETACH PARTITION {i}",
        f"ALTER TABLE {t} ATTACH PARTITION {i} FOR VALUES IN (1)",
        f"CREATE DOMAIN {t} AS {ty} CHECK (VALUE > 0)",
        f"ALTER DOMAIN {t} ADD CONSTRAINT {i} CHECK (VALUE > 0)",
        f"SELECT {' || '.join([v] * draw(st.integers(1, 700)))}",
        f"SELECT {_deep(draw(st.integers(1, 400)))}",
        f"-- migralint: ignore {draw(st.sampled_from(['ban-drop-table', 'nope', '']))} -- because\nDROP TABLE {t}",
        f"/* {draw(st.text(max_size=30)).replace('*/', '')} */ SELECT 1",
    ]
    return draw(st.sampled_from(shapes))


@st.composite
def migration_sql(draw: st.DrawFn) -> str:
    statements = draw(st.lists(statement(), min_size=1, max_size=12))
    separators = st.sampled_from([";\n", ";", ";\r\n", ";\n\n-- é ☕\n", " ;  "])
    return "".join(s + draw(separators) for s in statements)


_SEED_MIGRATIONS = (
    'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n'
    'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n',
    "BEGIN;\nALTER TYPE \"Role\" ADD VALUE 'OWNER';\nUPDATE \"User\" SET \"role\" = 'OWNER';\nCOMMIT;\n",
    "-- migrate:up\nCREATE TABLE t (id bigserial);\n-- migrate:down\nDROP TABLE t;\n",
    'ALTER TABLE "Post" ADD COLUMN "authorId" INTEGER NOT NULL;\n'
    'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");\n',
)


def corpus_files(limit: int = 400) -> list[Path]:
    """Real migrations from ../shared/corpus when it is there (PostgreSQL folders only)."""
    if not CORPUS.is_dir():
        return []
    found = sorted(p for p in CORPUS.rglob("*.sql") if "dialects" not in p.parts and p.stat().st_size < 200_000)
    return found[:: max(1, len(found) // limit)]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> str:
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 200)))
        operation = draw(st.sampled_from(["delete", "duplicate", "insert", "swap"]))
        if operation == "delete":
            text = text[:a] + text[b:]
        elif operation == "duplicate":
            text = text[:b] + text[a:b] + text[b:]
        elif operation == "insert":
            text = text[:a] + draw(st.one_of(st.text(max_size=10), statement().map(lambda s: s + ";"))) + text[a:]
        else:
            text = text[a:] + text[:a]
    return text


name = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=40
).filter(lambda s: s not in (".", "..") and len(os.fsencode(s)) < 200)
