"""The checksums runners keep of each applied migration, computed the way each runner does.

Prisma keeps the SHA-256 of migration.sql as a hex string, and accepts the file with its line
endings swapped either way (prisma-engines compares the file as it is, with CRLF turned into
LF, and with LF turned into CRLF), so a checkout with other line endings is not an edit.
Flyway keeps a CRC-32 of the script's lines: it reads the file line by line (`\\n`, `\\r\\n`
and `\\r` all end a line and none is hashed), drops a byte-order mark from the first line,
feeds each line's UTF-8 bytes to one CRC-32, and stores the result as a signed 32-bit number.
"""

from __future__ import annotations

import hashlib
import re
import zlib

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def prisma_checksum(data: bytes) -> str:
    """What `prisma migrate` writes into `_prisma_migrations.checksum` for a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def prisma_checksum_matches(data: bytes, checksum: str) -> bool:
    """Whether a migration.sql's bytes are the ones Prisma recorded, line endings aside."""
    recorded = checksum.strip().lower()
    for variant in (data, data.replace(b"\r\n", b"\n"), data.replace(b"\n", b"\r\n")):
        digest = hashlib.sha256(variant).digest()
        if digest.hex() == recorded:
            return True
        # Early versions of Prisma wrote each byte without zero-padding (prisma-engines#1887);
        # their checksums are shorter than 64 characters, and Prisma still accepts them.
        if len(recorded) != 64 and "".join(f"{byte:x}" for byte in digest) == recorded:
            return True
    return False


def flyway_checksum(data: bytes) -> int:
    """What Flyway writes into `flyway_schema_history.checksum` for an SQL script's bytes."""
    # Flyway decodes with its configured encoding (UTF-8 by default), and Java's decoder puts
    # U+FFFD where bytes are not valid UTF-8, as errors="replace" does.
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    crc = 0
    for line in _LINE_BREAK.split(text):
        crc = zlib.crc32(line.encode("utf-8", errors="replace"), crc)
    return crc - (1 << 32) if crc >= 1 << 31 else crc  # Java's (int) cast of the unsigned value
