"""Discovery's path shortcuts give what the slow, obvious calls give, links and relative paths included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migralint.errors import InputError
from migralint.migrations.discover import _real_path, discover
from migralint.source import display_path


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    migration = tmp_path / "real" / "migrations" / "1_init" / "migration.sql"
    migration.parent.mkdir(parents=True)
    migration.write_text('CREATE TABLE "t" ("id" int);\n')
    (tmp_path / "link").symlink_to(tmp_path / "real")  # a folder link
    (migration.parent / "copy.sql").symlink_to(migration)  # a file link
    (tmp_path / "real" / "up").symlink_to("..")  # a link to a parent: a loop
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_real_path_is_realpath(tree: Path) -> None:
    paths = ["real/migrations/1_init/migration.sql", "link/migrations/1_init/migration.sql",
             "real/migrations/1_init/copy.sql", "link/migrations/1_init/copy.sql",
             "real/up/link/migrations/1_init/migration.sql", "real/up/real/migrations/../migrations/1_init/copy.sql",
             str(tree / "link" / "migrations" / "1_init" / "migration.sql"), "migration.sql", "real/../link/x.sql"]
    cache: dict[str, str] = {}
    for _ in range(2):  # the second time from the cache
        for path in paths:
            assert _real_path(path, cache) == os.path.realpath(path), path


def test_one_file_reached_by_several_paths_is_linted_once(tree: Path) -> None:
    found = discover(["real/migrations", "link/migrations", "real/up/real/migrations/1_init/migration.sql"])
    real = os.path.realpath("real/migrations/1_init/migration.sql")
    assert [os.path.realpath(m.path) for m in found] == [real]  # copy.sql, a link to it, included


def test_display_path_is_relative_under_the_working_directory(tree: Path) -> None:
    inside = tree / "real" / "migrations" / "1_init" / "migration.sql"
    assert display_path(inside) == "real/migrations/1_init/migration.sql"
    assert display_path(Path("real/./migrations/../migrations")) == "real/migrations"
    assert display_path(tree) == "."
    assert display_path(inside, cwd=str(tree) + "/") == "real/migrations/1_init/migration.sql"
    assert display_path(inside, cwd="/") == str(inside)[1:]
    outside = tree.parent / "elsewhere" / "x.sql"
    assert display_path(outside) == outside.as_posix()
    assert display_path(Path("../elsewhere/x.sql")) == "../elsewhere/x.sql"


def test_named_paths_and_links_as_path_exists_and_is_dir_see_them(tree: Path) -> None:
    (tree / "real" / "migrations" / "1_init" / "copy.sql").unlink()
    (tree / "broken.sql").symlink_to(tree / "nowhere.sql")
    (tree / "file-link.sql").symlink_to(tree / "real" / "migrations" / "1_init" / "migration.sql")
    for missing in ("broken.sql", "nowhere.sql", "real/migrations/1_init/migration.sql/x", "a\0b.sql"):
        with pytest.raises(InputError, match="no such file or folder"):
            discover([missing])
    through_folder_link = discover(["link/migrations"])
    assert [str(m.path) for m in through_folder_link] == [os.path.join("link", "migrations", "1_init", "migration.sql")]
    assert [m.layout.name for m in through_folder_link] == ["PRISMA"]
    named_link = discover(["file-link.sql"])
    assert [str(m.path) for m in named_link] == ["file-link.sql"]
    assert [m.path for m in discover([""])] == [m.path for m in discover(["."])]  # "" is ".", as Path("") says
    # A glob lists a broken link: it is kept, and reading it later says why it fails.
    assert [str(m.path) for m in discover(["b*.sql"])] == ["broken.sql"]
    assert [str(m.path) for m in discover(["file-*.sql", "real/migrations/*/migration.sql"])] == ["file-link.sql"]


@pytest.mark.parametrize("text", ["", "a", "a/b.sql", "*.sql", "a/**/b", "x?", "[ab].sql", "a]b", "{a,b}", "a\\*", "é*"])
def test_has_magic_is_globs(text: str) -> None:
    import glob

    from migralint.migrations.named_paths import has_magic

    assert has_magic(text) is glob.has_magic(text)
