"""The runners' checksums, against values derived by hand, and URL redaction (no database needed)."""

from __future__ import annotations

import hashlib

import pytest

from migralint.database.checksums import flyway_checksum, prisma_checksum, prisma_checksum_matches
from migralint.database.connection import connection_parameters, redact

# CRC-32 of the ASCII bytes "123456789" is 0xCBF43926, the check value every CRC-32 catalogue
# lists; as Java's (int) cast stores it: 0xCBF43926 - 2**32.
CHECK_VALUE = 0xCBF43926 - 2**32


@pytest.mark.parametrize("text", [
    b"123456789",
    b"12345\n6789\n",  # Flyway hashes lines without their terminators
    b"12345\r\n6789\r\n",
    b"1234\r56789",  # a lone CR ends a line too (Java's readLine)
    b"123\n\n456789\n\n",  # empty lines add nothing
    "\ufeff12345\n6789".encode(),  # the byte-order mark of the first line is dropped
])
def test_flyway_checksum_is_a_crc32_of_the_lines(text: bytes) -> None:
    assert CHECK_VALUE == -873187034
    assert flyway_checksum(text) == CHECK_VALUE


def test_flyway_checksum_sees_every_other_change() -> None:
    assert flyway_checksum(b"12345 6789") != CHECK_VALUE
    assert flyway_checksum("12345\n6789\ufeff".encode()) != CHECK_VALUE  # a BOM elsewhere is text
    assert flyway_checksum(b"") == 0


def test_prisma_checksum_is_sha256_hex_as_prisma_engines_tests_it() -> None:
    assert prisma_checksum(b"hello") == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


def test_prisma_checksum_tolerates_line_endings_either_way() -> None:
    # The cases of prisma-engines' own test: each script matches the others' checksums.
    for group in ([b"ab\ncd\nef\ngh\rab", b"ab\r\ncd\r\nef\r\ngh\rab"],
                  [b"ab\ncd\nef\ngh\rab\n", b"ab\r\ncd\r\nef\r\ngh\rab\r\n"]):
        for script in group:
            for other in group:
                assert prisma_checksum_matches(script, prisma_checksum(other))
    assert not prisma_checksum_matches(b"abc", prisma_checksum(b"abcd"))
    assert not prisma_checksum_matches(b"abc\n", prisma_checksum(b"abc"))


def test_prisma_accepts_its_old_unpadded_checksums() -> None:
    data = b"CREATE TABLE t (id int);\n"
    old = "".join(f"{byte:x}" for byte in hashlib.sha256(data).digest())
    assert len(old) < 64  # this digest has bytes below 0x10
    assert prisma_checksum_matches(data, old)
    assert not prisma_checksum_matches(data + b" ", old)


@pytest.mark.parametrize("url, shown", [
    ("postgresql://app:s3cret@db.example.com:5432/prod", "postgresql://app:***@db.example.com:5432/prod"),
    ("postgres://app:p@ss@w0rd@db:5432/prod?sslmode=require", "postgres://app:***@db:5432/prod?sslmode=require"),
    ("postgresql://app@db/prod?password=s3cret&sslmode=require", "postgresql://app@db/prod?password=***&sslmode=require"),
    ("jdbc:postgresql://app:s3cret@db/prod", "jdbc:postgresql://app:***@db/prod"),
    ("postgresql://db/prod", "postgresql://db/prod"),
    ("host=db user=app password=s3cret dbname=prod", "host=db user=app password=*** dbname=prod"),
    ("host=db password = 'two words' dbname=prod", "host=db password=*** dbname=prod"),
])
def test_redact_hides_every_password(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_runner_parameters_become_libpq_ones() -> None:
    parameters = connection_parameters(
        "postgresql://app:pw@db:5432/prod?schema=My%20App&connection_limit=5&sslmode=require&x-migrations-table=m"
    )
    assert parameters["sslmode"] == "require" and parameters["dbname"] == "prod"
    assert "schema" not in parameters and "connection_limit" not in parameters
    assert parameters["options"] == (
        '-c default_transaction_read_only=on -c lock_timeout=5s -c statement_timeout=30s -c search_path="My\\ App"'
    )
    assert parameters["connect_timeout"] == 5 and parameters["application_name"] == "migralint"
    # PgBouncer refuses the options parameter: the transactions are still BEGIN READ ONLY.
    assert "options" not in connection_parameters("postgresql://app:pw@db/prod?pgbouncer=true")
