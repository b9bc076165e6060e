"""CockroachDB's own syntax against real syntax errors, on ../shared/corpus/dialects/cockroachdb:
every statement pglast refuses there is CockroachDB syntax, and real errors stay errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pglast import parser
from pglast.parser import ParseError

from migralint.sql.cockroachdb import classify

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "dialects" / "cockroachdb"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/dialects/cockroachdb is not beside the repository")


def _refused(sql: str) -> bool:
    try:
        parser.parse_sql(sql)
    except ParseError:
        return True
    return False


@needs_corpus
def test_every_statement_pglast_refuses_in_the_corpus_is_cockroach_syntax() -> None:
    files = sorted(CORPUS.rglob("*.sql"))
    assert len(files) >= 887  # the shared part of the corpus, every file counted
    constructs: Counter[str] = Counter()
    refused = statements = 0
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", "replace")
        for sql in parser.split(text, with_parser=False):
            statements += 1
            if not _refused(sql):
                continue
            refused += 1
            verdict = classify(sql)
            assert verdict.cockroach and not verdict.error, (path, sql)
            constructs.update(verdict.constructs)
    assert statements >= 700 and refused == 16
    assert constructs == Counter({
        "table@index": 8, "INVERTED INDEX": 2, "ALTER PRIMARY KEY": 2, "ADD CONSTRAINT IF NOT EXISTS": 2,
        "STORING": 1, "USING HASH": 1,
    })


@needs_corpus
def test_flipt_alter_primary_key_is_told_by_name() -> None:
    text = (CORPUS / "flipt-io__flipt/4_namespaces_relationships.up.sql").read_text()
    refused = [s for s in parser.split(text, with_parser=False) if _refused(s)]
    assert [classify(s).constructs for s in refused] == [("ALTER PRIMARY KEY",), ("ALTER PRIMARY KEY",)]


@pytest.mark.parametrize("sql, constructs", [
    ("CREATE TABLE t (a INT, b INT, PRIMARY KEY (a ASC, b DESC), INDEX t_b_idx (b) STORING (a), FAMILY f1 (a, b))",
     ("STORING", "inline INDEX in CREATE TABLE", "FAMILY", "PRIMARY KEY (c ASC)")),
    ("ALTER TABLE t ADD COLUMN c INT AS (a + lower(b)) STORED", ("computed column AS (...)",)),
    ("CREATE INDEX i ON t (a) USING HASH WITH (bucket_count = 8)", ("USING HASH",)),
    ('DROP INDEX "T"@"t_a_idx" CASCADE', ("table@index",)),
    ("UPDATE t SET a = b WHERE a IS NULL ORDER BY id LIMIT 10000", ("UPDATE/DELETE ... LIMIT",)),
    ("CREATE TABLE t (a INT, rowid INT8 NOT VISIBLE NOT NULL DEFAULT unique_rowid())", ("NOT VISIBLE column",)),
    ("UPSERT INTO t (a) VALUES (1)", ("UPSERT",)),
    ("ALTER TABLE t CONFIGURE ZONE USING num_replicas = 5", ("CONFIGURE ZONE",)),
    ("ALTER TABLE t ALTER COLUMN rowid SET VISIBLE", ("column visibility",)),
])
def test_cockroach_constructs_written_by_hand(sql: str, constructs: tuple[str, ...]) -> None:
    assert _refused(sql)
    verdict = classify(sql)
    assert verdict == (True, constructs, "", -1)


@pytest.mark.parametrize("sql, near", [
    ("CREATE TABLE t (a INT,, b INT)", ", b"),
    ("DROP INDEX t@", "@"),
    ("CRATE INDEX i ON t (a) STORING (b)", "CRATE"),  # a CockroachDB word does not excuse a typo
    ("CREATE INDEX ☕ ON t (a) STORING (b) ,", ","),  # offsets in characters after non-ASCII text
    ("SELECT 'x@y STORING (b)' , FROM t", "FROM"),  # inside a string nothing is CockroachDB syntax
    ("UPDATE t SET a = 1 LIMIT", "LIMIT"),  # a LIMIT without its count
    ("SELECT 'UPSERT INTO t' ,, 1", ", 1"),  # a statement's first words inside a string name nothing
])
def test_real_syntax_errors_stay_errors_and_point_at_the_token(sql: str, near: str) -> None:
    verdict = classify(sql)
    assert not verdict.cockroach and verdict.error.startswith("syntax error")
    assert sql[verdict.offset :].startswith(near)


def test_postgresql_that_parses_is_neither() -> None:
    assert classify("CREATE INDEX i ON t (a DESC) INCLUDE (b)") == (False, (), "", -1)
