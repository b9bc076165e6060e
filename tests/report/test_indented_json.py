"""The C-encoded indented writer gives json.dumps(indent=2)'s bytes, on any JSON document."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from migralint.findings import Severity
from migralint.report.indented_json import indented_json, write_indented_json

SCALARS: list[Any] = [0, -5, 2.5, 1e300, 10**30, True, False, None, "", "x", Severity.ERROR,
                      'é☕\n"\\\u2028\x00\x7f', "\udcff"]  # a lone surrogate: a path byte that is not UTF-8
KEYS: list[Any] = ["a", "ç", 'k"\n', 1, 2.5, True, None]


def document(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return rng.choice(SCALARS)
    if roll < 0.65:
        return [document(rng, depth + 1) for _ in range(rng.randrange(4))]
    if roll < 0.7:
        return tuple(document(rng, depth + 1) for _ in range(rng.randrange(3)))
    return {rng.choice(KEYS): document(rng, depth + 1) for _ in range(rng.randrange(5))}


@pytest.mark.parametrize("seed", range(20))
def test_same_text_as_the_standard_library(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        value = document(rng)
        assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_the_shapes_the_reports_write() -> None:
    finding = {"path": "prisma/migrations/1_init/migration.sql", "line": 3, "column": 1, "rule": "r",
               "severity": Severity.WARNING, "message": 'takes ACCESS EXCLUSIVE on "User"', "help": "a\nb"}
    reports = [
        {"version": "0.1.0", "files_checked": 2, "findings": [finding, finding], "ignored": []},
        [{"description": "x", "location": {"path": "a.sql", "lines": {"begin": 1}}, "fingerprint": "f"}],
        {"runs": [{"tool": {"driver": {"rules": [{"id": "r", "properties": {"tags": ["a", "b"]}}]}},
                   "results": []}]},
        [{"a": 1}, {}], ({"a": "},\n      {"}, {"b": None}), [{"a": 1}, [2]], [{"a": [1]}, {"b": 2}],
        [], {}, "text", 7,
    ]
    for report in reports:
        assert indented_json(report) == json.dumps(report, indent=2, ensure_ascii=False)


def test_keys_json_cannot_write_are_refused_like_json_does() -> None:
    with pytest.raises(TypeError):
        indented_json({(1, 2): [1]})
    with pytest.raises(TypeError):
        json.dumps({(1, 2): [1]}, indent=2)
    with pytest.raises(TypeError):
        indented_json([object()])


def test_the_pure_python_encoder_is_not_used() -> None:
    """The point of the module: json's Python-level token generators never run."""
    import sys

    called: set[str] = set()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.endswith("json/encoder.py"):
            called.add(frame.f_code.co_name)

    findings = [{"path": f"{n}.sql", "line": n, "rule": "r", "message": "é"} for n in range(50)]
    sys.setprofile(profile)
    try:
        indented_json({"findings": findings, "ignored": []})
    finally:
        sys.setprofile(None)
    assert not {"_iterencode", "_iterencode_dict", "_iterencode_list"} & called, called
    sys.setprofile(profile)
    try:
        json.dumps({"findings": findings}, indent=2, ensure_ascii=False)
    finally:
        sys.setprofile(None)
    assert "_iterencode_dict" in called  # the check sees the slow path when it is taken


def test_long_lists_of_findings_across_batches_and_the_writer() -> None:
    import io

    rng = random.Random(7)
    for count in (1, 255, 256, 257, 1000):
        findings = [{"path": f"{n}/migration.sql", "line": n, "rule": rng.choice(["a", "b"]),
                     "message": rng.choice(SCALARS[8:]), "help": rng.choice([None, "x\ny", True, 2.5])}
                    for n in range(count)]
        document = {"version": "1", "findings": findings, "ignored": findings[:3], "runs": [{"results": findings}]}
        expected = json.dumps(document, indent=2, ensure_ascii=False)
        assert indented_json(document) == expected
        out = io.StringIO()
        write_indented_json(document, out)
        assert out.getvalue() == expected + "\n"


@pytest.mark.parametrize("seed", range(10))
def test_records_give_the_text_of_their_objects(seed: int) -> None:
    """Records (a list of flat objects as columns) write what the list of dicts writes, whatever
    the columns hold: strings only, ints only, or any scalars; and across batches."""
    from migralint.report.indented_json import Records

    rng = random.Random(seed)
    strings = [s for s in SCALARS if isinstance(s, str) and type(s) is str]
    kinds: list[Callable[[], Any]] = [lambda: rng.choice(strings), lambda: rng.randrange(-3, 10**6),
                                      lambda: rng.choice(SCALARS)]
    for count in (0, 1, 2, 255, 256, 257, 600):
        keys = rng.sample(["a", "ç", 'k"\n', "{x}", "line", "path"], rng.randrange(1, 6))
        columns = [[kind() for _ in range(count)] for kind in (rng.choice(kinds) for _ in keys)]
        records = Records(keys, columns)
        objects = records.objects()
        document = {"version": "1", "findings": records, "runs": [{"results": records}]}
        expected = json.dumps({"version": "1", "findings": objects, "runs": [{"results": objects}]},
                              indent=2, ensure_ascii=False)
        assert indented_json(document) == expected
        assert indented_json(records) == json.dumps(objects, indent=2, ensure_ascii=False)


def test_records_refuse_what_is_not_a_column_of_scalars() -> None:
    from migralint.report.indented_json import Records

    with pytest.raises(ValueError):
        Records(["a", "b"], [[1]])
    with pytest.raises(ValueError):
        Records(["a", "b"], [[1], [1, 2]])
    with pytest.raises(TypeError):
        indented_json(Records(["a"], [[1, [2]]]))
