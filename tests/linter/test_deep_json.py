"""deep_json.loads reads libpg_query's trees through orjson where it is installed (a dependency
where PyPI has its wheels), and through the json module otherwise or where orjson refuses: the
trees are the same."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from pglast import parser as pg_parser

from migralint.linter import deep_json

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "prisma"


def test_orjson_is_the_fast_path() -> None:
    assert deep_json._fast_loads is orjson.loads


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is beside the repository only")
def test_corpus_trees_are_the_json_modules() -> None:
    # Types included: json.dumps writes 1 and 1.0 apart, which == would not tell.
    files = sorted(CORPUS.glob("*/**/*.sql"))[::8]
    assert len(files) > 100
    for path in files:
        try:
            tree_json = pg_parser.parse_sql_json(path.read_text(encoding="utf-8", errors="replace"))
        except pg_parser.ParseError:
            continue
        assert json.dumps(deep_json.loads(tree_json)) == json.dumps(json.loads(tree_json)), path


def test_what_orjson_refuses_is_read_as_before() -> None:
    deep = "[" * 3000 + "1" + "]" * 3000  # past orjson's 1,024 levels and past Python's recursion limit
    value = deep_json.loads(deep)
    for _ in range(3000):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == 1
    lone = '{"sval": "a\ud800b"}'  # a lone surrogate: orjson refuses a str that is not UTF-8
    assert deep_json.loads(lone) == {"sval": "a\ud800b"}


def test_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deep_json, "_fast_loads", None)
    text = '{"stmts": [{"stmt": {"SelectStmt": {"location": 7, "x": -1, "f": 1.5}}}]}'
    assert deep_json.loads(text) == json.loads(text)
    assert deep_json.loads("[" * 1500 + "]" * 1500) is not None
