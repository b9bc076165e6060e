"""Text every output format can carry: valid UTF-8, one line where a line is expected, XML-safe.

A file name that is not valid UTF-8 reaches Python as a str with lone surrogates (PEP 383's
surrogateescape); written as is, it either crashes a UTF-8 writer (UnicodeEncodeError) or puts
bytes that are not UTF-8 into JSON. Every format shows such a byte the same way, as `\\xNN`,
the spelling Python and git use for a byte that is not text.
"""

from __future__ import annotations

import re

# Patterns, not compiled ones: re compiles each on its first use (and keeps it), which the
# common text, ASCII and printable, never reaches; compiled here they cost every start 1.3 ms.
# Lone surrogates: what os.fsdecode makes of undecodable bytes (U+DC80..U+DCFF), or any
# other unpaired surrogate that found its way into a string.
_SURROGATE = "[\ud800-\udfff]"
# C0 controls, DEL and C1 controls: they end lines, move the cursor or start terminal escapes.
CONTROL = "[\x00-\x1f\x7f-\x9f]"
# What XML 1.0 forbids outright (https://www.w3.org/TR/xml/#charsets), besides surrogates.
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"


def valid_text(text: str) -> str:
    """`text` with every undecodable byte written `\\xNN`: always encodable as UTF-8."""
    if text.isascii():
        return text
    return re.sub(_SURROGATE, _escape_surrogate, text)


def one_line(text: str) -> str:
    """`text` as one printable line: control characters (newline, tab, ESC, ...) escaped too."""
    if text.isprintable():
        # Control characters (Cc) and surrogates (Cs) are never printable, so there is nothing
        # to escape: the common case, in C, without the two regular expressions.
        return text
    return re.sub(CONTROL, _escape_control, valid_text(text))


def xml_text(text: str) -> str:
    """`text` that XML 1.0 can hold: the characters it forbids escaped as `\\xNN`."""
    return re.sub(_NOT_XML, _escape_control, valid_text(text))


ERROR_HANDLER = "migralint-escape"


def _on_unencodable(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: what the stream cannot encode is written as valid_text writes it."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    piece = error.object[error.start : error.end]
    escaped = "".join(
        f"\\x{ord(ch) - 0xDC00:02x}" if 0xDC80 <= ord(ch) <= 0xDCFF
        else f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
        for ch in piece
    )
    return escaped, error.end


def escape_unencodable(*streams: object) -> None:
    """Make `streams` write what they cannot encode escaped, never crash, never write bad bytes.

    Every message on standard error that names a file (cannot read, not fixing, ...) then shows
    an undecodable byte as `\\xNN`, as the reports do; and a stream whose encoding is not
    UTF-8 shows what it lacks as `\\uXXXX` instead of raising UnicodeEncodeError.
    """
    import codecs

    try:
        codecs.lookup_error(ERROR_HANDLER)
    except LookupError:
        codecs.register_error(ERROR_HANDLER, _on_unencodable)
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=ERROR_HANDLER)
            except (ValueError, OSError):  # a stream that cannot change now; leave it as it is
                pass
