"""What changed between two versions of a migration, in a few words."""

from __future__ import annotations

from migralint.migrations.changes import describe_changes


def test_describe_changes() -> None:
    assert describe_changes(b"a\nb\nc\n", b"a\nB\nc\n") == (2, "line 2 differs")
    assert describe_changes(b"a\nb\nc\n", b"a\nX\nY\nc\n") == (2, "lines 2-3 differ")
    assert describe_changes(b"a\nb\na\nb\nc\n", b"a\nb\nc\n") == (3, "2 lines removed after line 2")
    assert describe_changes(b"a\nb\n", b"b\n") == (1, "1 line removed at the top")
    assert describe_changes(b"a\nb\n", b"a\nb") == (2, "only the final newline differs")
    assert describe_changes(b"a\r\nb\r\n", b"a\nb\n") is None
    assert describe_changes(b"a\nb", b"a\r\nb") is None
    many = describe_changes(b"1\n2\n3\n4\n5\n6\n7\n8\n9\n", b"x\n2\ny\n4\nz\n6\nw\n8\n")
    assert many == (1, "lines 1, 3, 5 and 1 more differ and 1 line removed after line 8")
