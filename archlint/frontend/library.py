"""The boundary between the Python evaluator and the model of the library a script builds
with (Keras): what the evaluator asks of that model, and what the model may ask back.

The evaluator follows Python; every value it does not own (a layer, a tensor, a model, a
name imported from the library) is handed to a ``Library`` through these calls. The
library model uses the evaluator only through ``PythonHost``.
"""

from __future__ import annotations

import ast
from typing import Any, Protocol

from archlint.frontend.values import ModuleRef, RuntimeValue, UserClass
from archlint.unknown import Unknown


class PythonHost(Protocol):
    """What a library model may ask of the evaluator."""

    def text(self, node: ast.AST) -> str:
        """Short source text of a node, for messages."""
        ...

    def truth(self, value: Any) -> Any:
        """``bool(value)`` as the script would compute it, or an Unknown."""
        ...

    def runtime(self, node: ast.AST, kind: str | None = None) -> RuntimeValue:
        """The value of ``node``, which only the running script knows."""
        ...

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any],
             node: ast.Call) -> Any:
        """The result of calling ``callee`` as the script does."""
        ...


class Library(Protocol):
    """The objects of the library a script builds with, as the evaluator meets them."""

    # The library's own values: opaque to the evaluator, true, and of no builtin type.
    value_types: tuple[type, ...]
    # Of those, the ones a builtin may receive as plain configuration (a loss, an
    # optimizer): the builtin's result is then a runtime value.
    config_types: tuple[type, ...]
    # Methods that change one of its objects in place, besides those of lists and dicts.
    changing_methods: frozenset[str]

    def knows(self, path: str) -> bool:
        """Whether an imported name belongs to the library."""
        ...

    def star_names(self, module: str) -> list[str] | None:
        """The names ``from module import *`` binds, or None when it is not the library's."""
        ...

    def class_base(self, base: ModuleRef) -> str | None:
        """What a script class deriving from ``base`` is to the library ("model",
        "layer"), or None when nothing."""
        ...

    def class_defined(self, cls: UserClass, stmt: ast.ClassDef) -> None:
        """A script class deriving from one of the library's classes was defined."""
        ...

    def instantiate(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        """An instance of a script class deriving from one of the library's classes."""
        ...

    def call_module(self, ref: ModuleRef, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        """A call of a name of the library (``keras.layers.Dense(8)``)."""
        ...

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any],
             node: ast.Call) -> Any:
        """A call of one of its values (a layer on a tensor, a model)."""
        ...

    def call_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        """A method call on one of its values (``model.compile(...)``)."""
        ...

    def attribute(self, obj: Any, attr: str, node: ast.expr) -> Any:
        """An attribute of one of its values."""
        ...

    def is_instance(self, obj: Any, kind: Any) -> bool | None:
        """``isinstance(obj, kind)`` for one of its values and a class (the library's, or a
        script class deriving from one); None when it cannot say."""
        ...

    def call_base_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                         node: ast.Call) -> Any:
        """``super().name(...)`` reaching the library's base class of a script class
        (``super().__init__(**kwargs)``, ``super().build(input_shape)``)."""
        ...

    def subscript(self, obj: Any, key: Any, node: ast.Subscript) -> Any:
        """An item of one of its values (``x[:, 0]``)."""
        ...

    def arithmetic(self, left: Any, right: Any, node: ast.AST) -> Any:
        """Arithmetic with one of its values (a value, or an Unknown that says why), or None
        to let the evaluator decide."""
        ...

    def iterate(self, obj: Any) -> list[Any] | Unknown | None:
        """The items of one of its values, or None when it cannot be iterated."""
        ...

    def set_attribute(self, owner: Any, attr: str, value: Any, target: ast.Attribute) -> None:
        """``owner.attr = value`` on a value that is not a plain script object."""
        ...

    def used(self, value: Any) -> None:
        """``value`` is read by name (or captured by a function)."""
        ...

    def passed_on(self, value: Any) -> None:
        """``value`` (a nested container, maybe) leaves the code that made it: it is
        returned or passed to a call."""
        ...

    def forget(self, value: Any, unknown: Unknown) -> bool:
        """Code not followed changes ``value`` in place; True when the library recorded it."""
        ...

    def attributes_unknown(self, attributes: set[str], unknown: Unknown) -> None:
        """Code not followed sets these attributes on objects not known."""
        ...

    def progress(self) -> tuple[int, ...]:
        """How much the library has built so far: a loop pass that leaves it unchanged
        builds nothing."""
        ...
