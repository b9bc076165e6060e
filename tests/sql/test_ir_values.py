"""The statement model's classes (migralint/frozen.py) behave as the frozen dataclasses they replaced.

They are declared by hand so that importing them costs little; what the rules, the catalog's
replay (dataclasses.replace, dataclasses.fields) and the result cache (pickle) rely on is checked
here on every class of the model.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import sys
import types

import pytest

from migralint.sql import ir
from migralint.frozen import Value

T = ir.TableName("public", "t")
MODEL_CLASSES = sorted((c for c in vars(ir).values() if inspect.isclass(c) and issubclass(c, Value)),
                       key=lambda c: c.__name__)


def test_every_model_class_is_a_value() -> None:
    # No @dataclass left in the model (each costs about 1 ms of every start): every dataclass
    # ir exports is a Value, the 29 that were dataclasses included.
    dataclasses_in_ir = [c for c in vars(ir).values() if inspect.isclass(c) and dataclasses.is_dataclass(c)]
    assert dataclasses_in_ir and all(issubclass(c, Value) for c in dataclasses_in_ir)
    assert len(MODEL_CLASSES) >= 29
    for cls in MODEL_CLASSES:
        assert not hasattr(cls(*_required(cls)), "__dict__"), cls  # slotted all the way up


def _required(cls: type) -> list[object]:
    """A value for each field without a default, of a type the field accepts where it matters."""
    values: list[object] = []
    for parameter in list(inspect.signature(cls).parameters.values()):
        if parameter.default is inspect.Parameter.empty:
            values.append(_sample(parameter.name, cls))
    return values


def _sample(name: str, cls: type) -> object:
    return {"table": T, "name": T if cls not in (ir.DropConstraint, ir.ValidateConstraint, ir.RenameConstraint,
                                                 ir.SetSetting, ir.Column) else "n",
            "new": T if cls in (ir.RenameTable, ir.RenameObject) else "m", "kind": ir.Kind.OTHER,
            "column": "c" if cls is not ir.AddColumn else ir.Column("c", "int")}.get(name, 0)


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_equal_by_value_hashable_frozen_and_picklable(cls: type) -> None:
    value, same = cls(*_required(cls)), cls(*_required(cls))
    assert value == same and not (value != same) and value is not same
    names = [f.name for f in dataclasses.fields(cls)]
    first = names[0]
    other = dataclasses.replace(value, **{first: "other"})
    assert other != value and getattr(other, first) == "other"
    assert all(getattr(other, n) == getattr(value, n) for n in names[1:])
    if cls is not ir.ParsedFile:  # a LineIndex is not hashable
        assert hash(value) == hash(same) and len({value, same, other}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, first, "changed")
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(value, first)
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value
    assert repr(value).startswith(f"{cls.__name__}({first}=")


def test_equality_leaves_out_the_parsers_nodes_and_tells_classes_apart() -> None:
    with_tree = ir.Column("id", "integer", raw_type={"TypeName": {}}, raw_default={"A_Const": {}})
    assert with_tree == ir.Column("id", "integer") and hash(with_tree) == hash(ir.Column("id", "integer"))
    assert ir.Column("id", "integer") != ir.Column("id", "bigint")
    assert ir.AddConstraint(T, ir.ConstraintKind.CHECK, raw_expression={"x": 1}) == ir.AddConstraint(
        T, ir.ConstraintKind.CHECK)
    assert ir.SetDefault(T, "c", ir.Default.CONSTANT, raw={"x": 1}) == ir.SetDefault(T, "c", ir.Default.CONSTANT)
    # Same fields, other classes: never equal (tuples would be).
    assert ir.DropTable(T) != ir.DropIndex(T)
    assert ir.DropTable(T) != (T, False)
    # Statement.raw is compared, as it was.
    assert ir.Statement(0, ir.Kind.OTHER, 0, 1, raw={"a": 1}) != ir.Statement(0, ir.Kind.OTHER, 0, 1, raw={"a": 2})


def test_defaults_and_keywords_as_declared() -> None:
    column = ir.Column("id", "integer", not_null=True)
    assert (column.default, column.primary_key, column.raw_type) == (ir.Default.NONE, False, None)
    event = ir.AddColumn(T, column)
    statement = ir.Statement(3, ir.Kind.ALTER_TABLE, 10, 20, events=(event,), event_spans=((12, 18),))
    assert statement.span_of(event) == (12, 18) and statement.span_of(ir.AddColumn(T, column)) == (10, 20)
    assert ir.AddColumn.__match_args__ == ("table", "column", "if_not_exists")
    assert [f.name for f in dataclasses.fields(ir.SetDefault)] == ["table", "column", "default", "raw"]


def test_a_pickle_of_the_dataclass_era_loads() -> None:
    # The result cache's entries written while Column was a frozen, slotted dataclass still load:
    # such a Column, pickled under a module name as long as "migralint.sql.ir", then pointed at it.
    era = types.ModuleType("dataclass_era_ir")

    @dataclasses.dataclass(frozen=True, slots=True)
    class Column:
        name: str
        type: str
        not_null: bool = False
        default: ir.Default = ir.Default.NONE
        generated_stored: bool = False
        primary_key: bool = False
        generated: bool = False
        identity: bool = False
        raw_type: object = dataclasses.field(default=None, compare=False)
        raw_default: object = dataclasses.field(default=None, compare=False)

    Column.__module__, Column.__qualname__ = era.__name__, "Column"
    era.Column = Column  # type: ignore[attr-defined]
    sys.modules[era.__name__] = era
    try:
        old = pickle.dumps(Column("id", "integer", True, ir.Default.CONSTANT, raw_type={"k": 1}), protocol=5)
    finally:
        del sys.modules[era.__name__]
    loaded = pickle.loads(old.replace(b"dataclass_era_ir", b"migralint.sql.ir"))
    assert type(loaded) is ir.Column
    assert loaded == ir.Column("id", "integer", not_null=True, default=ir.Default.CONSTANT)
    assert loaded.raw_type == {"k": 1}
