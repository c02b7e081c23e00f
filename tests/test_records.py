"""``archlint.records`` behaves like ``dataclasses`` for every option archlint uses.

Each check defines the same class twice, once with ``dataclasses.dataclass`` and once with
``record``, and compares what the two do.
"""

from __future__ import annotations

import dataclasses
import pickle
from typing import ClassVar

import pytest

from archlint.records import FrozenInstanceError, field, record


def twin(options: dict, body: dict) -> tuple[type, type]:
    """The class ``body`` (annotations and defaults) built both ways."""
    made = []
    for decorate, make_field in ((dataclasses.dataclass, dataclasses.field), (record, field)):
        namespace = {key: (make_field(default_factory=value.factory)
                           if isinstance(value, Factory) else value)
                     for key, value in body.items() if key != "__annotations__"}
        namespace["__annotations__"] = dict(body["__annotations__"])
        namespace["__doc__"] = "A test record."
        made.append(decorate(**options)(type("Point", (), namespace)))
    return made[0], made[1]


class Factory:
    def __init__(self, factory):
        self.factory = factory


BODY = {"__annotations__": {"x": "int", "y": "int", "tags": "list", "kind": "ClassVar[str]"},
        "y": 2, "tags": Factory(list), "kind": "point"}


@pytest.mark.parametrize("options", [{}, {"frozen": True}, {"eq": False},
                                     {"frozen": True, "eq": False}, {"repr": False}])
def test_same_behaviour_as_dataclasses(options):
    reference, built = twin(options, BODY)
    a_ref, a = reference(1), built(1)
    assert (a.x, a.y, a.tags) == (a_ref.x, a_ref.y, a_ref.tags)
    assert built(1).tags is not a.tags  # a fresh list per instance
    assert built.kind == "point" and "kind" not in vars(a)  # ClassVar is not a field
    assert (built(1, 2) == built(1, 2)) == (reference(1, 2) == reference(1, 2))
    assert (built(1, 2) == built(1, 3)) == (reference(1, 2) == reference(1, 3))
    assert (built.__hash__ is None) == (reference.__hash__ is None)
    if reference.__hash__ is not None and options.get("frozen") and options.get("eq", True):
        assert hash(built(1, 2, ())) == hash(built(1, 2, ()))
    if options.get("repr", True):
        assert repr(a) == repr(a_ref)
    assert built.__match_args__ == reference.__match_args__
    assert built(y=5, x=4).y == 5
    if options.get("frozen"):
        with pytest.raises(FrozenInstanceError):
            a.x = 3
        with pytest.raises(AttributeError):
            del a.x
    else:
        a.x = 3
        assert a.x == 3
    with pytest.raises(TypeError):
        built()  # x has no default


def test_inheritance_puts_base_fields_first():
    @record(frozen=True, eq=False)
    class Base:
        """Base."""
        reason: str
        line: int = 0

    @record(frozen=True, eq=False)
    class Child(Base):
        """Child."""
        value: object = None

    child = Child("why", 3, value=7)
    assert (child.reason, child.line, child.value) == ("why", 3, 7)
    assert Child.__match_args__ == ("reason", "line", "value")
    assert child != Child("why", 3, value=7)  # eq=False: identity


def test_methods_written_in_the_class_are_kept():
    @record(frozen=True)
    class Named:
        """Named."""
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

        def __hash__(self) -> int:
            return 7

    assert repr(Named("a")) == "<a>"
    assert hash(Named("a")) == 7
    assert Named("a") == Named("a")


def test_post_init_runs_after_the_fields_are_set():
    seen = []

    @record
    class Checked:
        """Checked."""
        value: int
        extra: ClassVar[int] = 0

        def __post_init__(self) -> None:
            seen.append(self.value)

    Checked(4)
    assert seen == [4]


@record(frozen=True)
class Pickled:
    """Module level, so that pickle finds it."""
    value: int
    items: tuple = ()


def test_records_pickle_and_copy():
    import copy

    original = Pickled(3, (1, 2))
    assert pickle.loads(pickle.dumps(original)) == original
    assert copy.deepcopy(original) == original
