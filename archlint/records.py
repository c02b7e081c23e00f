"""Record classes: the ``dataclass`` behaviour archlint uses, built at a fraction of the cost.

archlint's whole run on a small model takes about as long as the interpreter's start-up, and
on Python 3.11 ``dataclasses`` spends about 1 ms per class (one ``exec`` per generated method,
plus importing ``inspect``): some 50 ms over archlint's record classes. ``record`` generates
the same methods (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, frozen
``__setattr__``/``__delattr__``, ``__match_args__``) from the class annotations, and compiles
each one the first time it is called. Semantics follow ``dataclasses`` for the options used
here: ``frozen``, ``eq``, ``repr``, ``field(default_factory=...)``, ``__post_init__``,
``ClassVar`` fields skipped, base records' fields first, methods written in the class kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T", bound=type)

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], Any]) -> Any:
    """A field whose default is made fresh for every instance (``default_factory``)."""
    return _Factory(default_factory)


@overload
def record(cls: T, /) -> T: ...


@overload
def record(*, frozen: bool = False, eq: bool = True,
           repr: bool = True) -> Callable[[T], T]: ...


# Type checkers then see the generated __init__, __eq__ and frozen fields as for a dataclass.
@dataclass_transform(eq_default=True, field_specifiers=(field,))
def record(cls: T | None = None, /, *, frozen: bool = False, eq: bool = True,
           repr: bool = True) -> Any:
    """Class decorator: ``@record`` or ``@record(frozen=True, eq=False, repr=False)``."""

    def wrap(target: T) -> T:
        return _build(target, frozen=frozen, eq=eq, with_repr=repr)

    return wrap if cls is None else wrap(cls)


def _own_fields(cls: type) -> dict[str, Any]:
    fields: dict[str, Any] = dict(getattr(cls, "__record_fields__", {}))
    # Not inspect.get_annotations: importing inspect is part of the cost avoided here.
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        fields[name] = cls.__dict__.get(name, _MISSING)
    return fields


def _init_source(fields: dict[str, Any], frozen: bool, post_init: bool) -> str:
    params, body = ["self"], []
    for name, default in fields.items():
        if default is _MISSING:
            params.append(name)
        elif isinstance(default, _Factory):
            params.append(f"{name}=_MISSING")
        else:
            params.append(f"{name}=_default_{name}")
        value = (f"_factory_{name}() if {name} is _MISSING else {name}"
                 if isinstance(default, _Factory) else name)
        body.append(f"_setattr(self, {name!r}, {value})" if frozen
                    else f"self.{name} = {value}")
    if post_init:
        body.append("self.__post_init__()")
    return f"def __init__({', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])


def _repr_source(names: tuple[str, ...]) -> str:
    shown = ", ".join(f"{n}={{self.{n}!r}}" for n in names)
    return f"def __repr__(self):\n    return f'{{self.__class__.__qualname__}}({shown})'"


def _as_tuple(prefix: str, names: tuple[str, ...]) -> str:
    return "(" + "".join(f"{prefix}.{n}, " for n in names) + ")"


def _eq_source(names: tuple[str, ...]) -> str:
    return (f"def __eq__(self, other):\n    if other.__class__ is self.__class__:\n"
            f"        return {_as_tuple('self', names)} == {_as_tuple('other', names)}\n"
            f"    return NotImplemented")


def _hash_source(names: tuple[str, ...]) -> str:
    return f"def __hash__(self):\n    return hash({_as_tuple('self', names)})"


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _compiled_on_first_call(cls: type, method: str, make_source: Callable[[], str],
                            namespace: dict[str, Any]) -> Callable[..., Any]:
    """A stand-in that compiles ``method``, puts it on ``cls`` and calls it: a method
    nobody calls (most ``__repr__``) is never compiled."""

    def first_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        scope = dict(namespace)
        exec(make_source(), scope)
        function = scope[method]
        function.__qualname__ = f"{cls.__qualname__}.{method}"
        setattr(cls, method, function)
        return function(self, *args, **kwargs)

    first_call.__qualname__ = f"{cls.__qualname__}.{method}"
    return first_call


def _build(cls: T, *, frozen: bool, eq: bool, with_repr: bool) -> T:
    fields = _own_fields(cls)
    names = tuple(fields)
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_setattr": object.__setattr__}
    for name, default in fields.items():
        if isinstance(default, _Factory):
            namespace[f"_factory_{name}"] = default.make
            if name in cls.__dict__:
                delattr(cls, name)  # a factory is not a class-level default
        elif default is not _MISSING:
            namespace[f"_default_{name}"] = default
    post_init = hasattr(cls, "__post_init__")
    generated: dict[str, Callable[[], str]] = {
        "__init__": lambda: _init_source(fields, frozen, post_init)}
    if with_repr:
        generated["__repr__"] = lambda: _repr_source(names)
    if eq:
        generated["__eq__"] = lambda: _eq_source(names)
    if eq and frozen:
        generated["__hash__"] = lambda: _hash_source(names)
    explicit_hash = "__hash__" in cls.__dict__ and not (
        cls.__dict__["__hash__"] is None and "__eq__" in cls.__dict__)
    for method, make_source in generated.items():
        if method not in cls.__dict__ or (method == "__hash__" and not explicit_hash):
            setattr(cls, method, _compiled_on_first_call(cls, method, make_source, namespace))
    if frozen:
        for method, function in (("__setattr__", _frozen_setattr),
                                 ("__delattr__", _frozen_delattr)):
            if method not in cls.__dict__:
                setattr(cls, method, function)
    if eq and not frozen and not explicit_hash:
        cls.__hash__ = None  # type: ignore[assignment]  # mutable and comparable: unhashable
    cls.__record_fields__ = fields  # type: ignore[attr-defined]
    cls.__match_args__ = names  # type: ignore[attr-defined, misc]
    return cls
