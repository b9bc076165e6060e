"""The readings that the cold-lint work shares (issue 13): a CREATE TABLE's column definitions read
once for its columns, constraints and sequences; plain column types keyed by their parts in the
catalog; an ALTER TABLE's added constraints found once for every rule that asks. Each must say
exactly what the reading it replaced said."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from migralint.linter.catalog import _REPR_LOCATION, Catalog, _json_text, _plain_type_key, _zeroed
from migralint.linter.constraint_sql import added_constraints
from migralint.linter.parse import parse_source
from migralint.sql import ir
from migralint.sql.postgres.model import build_statement, statement_events
from migralint.sql.postgres.nodes import Node, column_constraints, quote_ident, subcommand_definitions
from migralint.sql.postgres.object_names import named_objects
from migralint.sql.words import Name

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")

CREATE = """
CREATE TABLE IF NOT EXISTS app."Order" (
    "id" SERIAL NOT NULL,
    "seq" BIGINT GENERATED ALWAYS AS IDENTITY,
    "ref" TEXT REFERENCES "User"("id") CHECK ("ref" <> ''),
    "n" BIGSERIAL UNIQUE,
    CONSTRAINT "Order_pkey" PRIMARY KEY ("id"),
    "total" NUMERIC(10, 2) DEFAULT 0,
    CHECK ("total" >= 0)
);
"""


def _sequences(events: tuple[ir.Event, ...]) -> list[ir.Event]:
    return [e for e in events if isinstance(e, ir.CreateObject) and e.what == "sequence"]


def test_create_table_sequences_are_those_object_names_reads() -> None:
    (statement,) = parse_source(CREATE).statements
    events = statement_events(statement.kind, statement.node)
    assert isinstance(events[0], ir.CreateTable)
    assert [str(e.name.name) for e in _sequences(events)] == ["Order_id_seq", "Order_seq_seq", "Order_n_seq"]  # type: ignore[union-attr]
    assert _sequences(events) == list(named_objects(statement.kind, statement.node))
    assert all(e.replaces and e.name.schema == "app" for e in _sequences(events))  # type: ignore[union-attr]


def test_create_table_constraints_in_the_order_written() -> None:
    (s,) = parse_source(CREATE).statements
    created = build_statement(s.index, s.kind, s.node, s.start, s.end).events[0]
    assert isinstance(created, ir.CreateTable)
    assert [(c.kind, c.columns, c.name) for c in created.constraints] == [
        (ir.ConstraintKind.FOREIGN_KEY, ("ref",), None),
        (ir.ConstraintKind.CHECK, ("ref",), None),
        (ir.ConstraintKind.UNIQUE, ("n",), None),
        (ir.ConstraintKind.PRIMARY_KEY, ("id",), "Order_pkey"),
        (ir.ConstraintKind.CHECK, ("total",), None),
    ]
    assert [c.name for c in created.columns] == ["id", "seq", "ref", "n", "total"]
    assert [c.default for c in created.columns] == [
        ir.Default.SEQUENCE, ir.Default.SEQUENCE, ir.Default.NONE, ir.Default.SEQUENCE, ir.Default.CONSTANT,
    ]
    assert created.columns[4].type == "numeric(10, 2)"


@needs_corpus
def test_every_corpus_create_table_has_the_sequences_object_names_reads() -> None:
    tables = 0
    for path in sorted(CORPUS.rglob("*.sql")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "CREATE TABLE" not in text.upper():
            continue
        try:
            statements = parse_source(text).statements
        except Exception:
            continue  # another dialect's file: not PostgreSQL's to read
        for s in statements:
            if s.kind == "CreateStmt" and "relation" in s.node:
                tables += 1
                events = build_statement(s.index, s.kind, s.node, s.start, s.end).events
                assert _sequences(events) == list(named_objects(s.kind, s.node)), f"{path}: statement {s.index}"
    assert tables > 1000


def _text_key(tree: Node) -> str:
    return _REPR_LOCATION.sub("'location': 0", repr(tree))


def _type(*names: str, typmods: list[Node] | None = None, location: int = 7, **more: object) -> Node:
    tree: Node = {"names": [{"String": {"sval": n}} for n in names]}
    if typmods is not None:
        tree["typmods"] = typmods
    tree |= {"typemod": -1, "location": location} | more
    return tree


def _int(value: int | None, location: int = 9) -> Node:
    return {"A_Const": {"ival": {} if value is None else {"ival": value}, "location": location}}


def test_plain_type_keys_differ_where_the_trees_do_and_only_there() -> None:
    same = [
        (_type("text"), _type("text", location=912)),
        (_type("pg_catalog", "timestamp", typmods=[_int(3)]), _type("pg_catalog", "timestamp", typmods=[_int(3, 400)], location=0)),
        (_type("pg_catalog", "numeric", typmods=[_int(65), _int(None)]), _type("pg_catalog", "numeric", typmods=[_int(65, 1), _int(None, 2)])),
    ]
    for a, b in same:
        assert _plain_type_key(a) is not None and _plain_type_key(a) == _plain_type_key(b)
    different = [
        _type("text"), _type("Text"), _type("public", "text"), _type("pg_catalog", "text"),
        _type("pg_catalog", "numeric", typmods=[_int(0)]), _type("pg_catalog", "numeric", typmods=[_int(None)]),
        _type("pg_catalog", "numeric", typmods=[_int(10), _int(2)]), _type("pg_catalog", "numeric", typmods=[_int(102)]),
        _type("pg_catalog", "int4", typemod=5),
    ]
    keys = [_plain_type_key(t) for t in different]
    assert None not in keys and len(set(keys)) == len(keys)
    # Anything else is keyed by its text: an implicit location (-1), an empty or odd typmod
    # list, array bounds, a %TYPE, a name that is not a plain String.
    for tree in [
        _type("text", location=-1), _type("text", typmods=[]), _type("text", typmods=[{"ColumnRef": {"fields": []}}]),
        _type("text", typmods=[_int(3, -1)]), _type("text", arrayBounds=[{"Integer": {"ival": -1}}]),
        _type("text", pct_type=True), {"names": [{"String": {"sval": "a", "x": 1}}], "typemod": -1, "location": 3},
    ]:
        assert _plain_type_key(tree) is None


def test_the_catalog_shares_a_plain_type_as_it_shares_any_other() -> None:
    catalog = Catalog()
    a, b = _type("pg_catalog", "varchar", typmods=[_int(255, 40)], location=30), _type("pg_catalog", "varchar", typmods=[_int(255, 90)], location=80)
    shared = catalog._shared_tree(a)
    assert catalog._shared_tree(b) is shared and shared is not a
    assert _text_key(shared) == _text_key(a) and shared["location"] == 0  # locations 0, as the text-keyed trees
    assert catalog._shared_tree(_type("pg_catalog", "varchar", typmods=[_int(20)])) is not shared
    implicit = _type("text", location=-1)
    assert catalog._shared_tree(implicit)["location"] == -1  # -1 stays -1


@needs_corpus
def test_plain_type_keys_agree_with_the_text_keys_on_every_corpus_type() -> None:
    by_key: dict[object, set[str]] = defaultdict(set)
    by_text: dict[str, set[object]] = defaultdict(set)
    for path in sorted((CORPUS / "prisma").rglob("*.sql"))[:800]:
        for s in parse_source(path.read_text(encoding="utf-8", errors="replace")).statements:
            stack: list[object] = [s.node]
            while stack:
                item = stack.pop()
                if isinstance(item, dict):
                    if "names" in item and "typemod" in item and (key := _plain_type_key(item)) is not None:
                        by_key[key].add(_text_key(item))
                        by_text[_text_key(item)].add(key)
                    stack.extend(item.values())
                elif isinstance(item, list):
                    stack.extend(item)
    assert len(by_key) > 50
    assert all(len(texts) == 1 for texts in by_key.values())
    assert all(len(keys) == 1 for keys in by_text.values())


ALTER = 'ALTER TABLE "A" ADD CONSTRAINT "a_fk" FOREIGN KEY ("b") REFERENCES "B"("id"), ADD COLUMN "c" INT UNIQUE CHECK ("c" > 0), ADD CONSTRAINT "a_u" UNIQUE ("d");'


def _walked(node: Node, contypes: frozenset[str]) -> list[tuple[int, str]]:
    """What added_constraints said before it kept its answer: a fresh walk of the subcommands."""
    found = []
    for number, cmd, kind, body in subcommand_definitions(node, "AT_AddConstraint", "AT_AddColumn"):
        if kind == "Constraint" and body.get("contype") in contypes:
            found.append((number, str(body["contype"])))
        elif kind == "ColumnDef":
            found += [(number, str(c["contype"])) for c in column_constraints(body) if c.get("contype") in contypes]
    return found


def test_added_constraints_are_found_once_and_filtered_for_each_rule() -> None:
    (statement,) = parse_source(ALTER).statements
    for contypes in ({"CONSTR_FOREIGN"}, {"CONSTR_UNIQUE"}, {"CONSTR_CHECK", "CONSTR_UNIQUE"}, {"CONSTR_EXCLUSION"}):
        wanted = frozenset(contypes)
        got = [(a.number, a.contype) for a in added_constraints(statement.node, wanted)]
        assert got == _walked(statement.node, wanted)
    assert [a.contype for a in added_constraints(statement.node, frozenset({"CONSTR_UNIQUE"}))] == ["CONSTR_UNIQUE"] * 2


def test_added_constraints_of_a_tree_they_cannot_read_fail_every_time() -> None:
    node: Node = {"relation": {"relname": "A"}, "cmds": [
        {"AlterTableCmd": {"subtype": "AT_AddConstraint", "def": {"Constraint": {"contype": "CONSTR_FOREIGN"}}}},
        {"AlterTableCmd": {"subtype": "AT_AddColumn", "def": {"ColumnDef": {"constraints": [{"A": {}, "B": {}}]}}}},
    ]}
    for _ in range(2):  # nothing half-found is kept for the next rule
        with pytest.raises(ValueError):
            list(added_constraints(node, frozenset({"CONSTR_FOREIGN"})))


def test_quote_ident_caches_plain_names_only() -> None:
    assert quote_ident("user") == '"user"' and quote_ident("users") == "users"
    assert quote_ident(Name("users")) == "users"
    assert quote_ident(Name("Users")) == '"Users"'  # equal to "users", but not its answer
    assert re.fullmatch(r'"Order"', quote_ident("Order"))


def _json_decoding(tree: Node) -> str:
    text = _json_text(tree)
    assert text is not None
    return repr(json.loads(text))  # repr: True is not 1, and the keys' order counts


def test_a_shared_tree_is_what_its_json_text_decodes_to() -> None:
    # The copy the catalog keeps of a new type or default (_zeroed) stands for the decoding of
    # its JSON text with the locations 0: the same values, types and order, -1 kept.
    trees: list[Node] = [
        _type("pg_catalog", "varchar", typmods=[_int(255, 40)], location=30),
        _type("text", location=-1),
        {"TypeCast": {"arg": {"A_Const": {"sval": {"sval": "'location': 7"}, "location": 5}}, "typeName": _type("Role")}},
        {"A_Const": {"boolval": {"boolval": True}, "isnull": False, "location": 12}},
        {"FuncCall": {"funcname": [{"String": {"sval": "now"}}], "location": 0, "args": [], "x": None}},
        {"A_Const": {"sval": {"sval": '"location": 9'}, "location": 3}},
    ]
    for tree in trees:
        copied = _zeroed(tree)
        assert copied is not None and repr(copied) == _json_decoding(tree)
    # What JSON would not give back as it is goes through the JSON text.
    odd_trees: list[Any] = [
        {"A_Const": {"fval": 1.5, "location": 2}}, {"x": (1, 2)}, {1: "a"}, {'a"location': 4},
        {"names": [{"String": {"sval": Name("Id")}}]},
    ]
    for odd in odd_trees:
        assert _zeroed(odd) is None


@needs_corpus
def test_shared_trees_agree_with_their_json_texts_on_every_corpus_column() -> None:
    seen = 0
    for path in sorted((CORPUS / "prisma").rglob("*.sql"))[:800]:
        for s in parse_source(path.read_text(encoding="utf-8", errors="replace")).statements:
            for event in statement_events(s.kind, s.node):
                columns = event.columns if isinstance(event, ir.CreateTable) else (
                    (event.column,) if isinstance(event, ir.AddColumn) else ())
                for column in columns:
                    for tree in (column.raw_type, column.raw_default):
                        if isinstance(tree, dict):
                            assert repr(_zeroed(tree)) == _json_decoding(tree)
                            seen += 1
    assert seen > 1000


def test_a_new_shared_tree_is_copied_without_its_json_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from migralint.linter import catalog as catalog_module

    written: list[Node] = []
    real_json_text = catalog_module._json_text

    def json_text(tree: Node) -> str | None:
        written.append(tree)
        return real_json_text(tree)

    monkeypatch.setattr(catalog_module, "_json_text", json_text)
    catalog = Catalog()
    plain = _type("pg_catalog", "varchar", typmods=[_int(255, 40)], location=30)
    default = {"FuncCall": {"funcname": [{"String": {"sval": "now"}}], "location": 44}}
    assert catalog._shared_tree(plain)["location"] == 0 and catalog._shared_tree(default)["FuncCall"]["location"] == 0
    assert written == []  # copied, not written as JSON and decoded
    odd = {"A_Const": {"fval": 1.5, "location": 2}}
    assert catalog._shared_tree(odd) == {"A_Const": {"fval": 1.5, "location": 0}} and written == [odd]
