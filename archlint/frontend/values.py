"""The abstract values of the interpreter, beside plain Python values and Unknown.

Also the guards that keep constant folding small: a script may build huge or cyclic
values, and the interpreter must neither hang nor run out of memory on them.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.graph import Span
from archlint.records import field, record
from archlint.unknown import Unknown

MAX_SEQUENCE = 100_000  # elements of a list, or characters of a string, built by the script
MAX_INT_BITS = 4_096  # bits of an integer built by the script
MAX_PLAIN_NODES = 100_000  # elements walked to decide whether a value is plain data
MAX_PLAIN_DEPTH = 40  # nesting of containers: deeper ones would make repr() recurse too deep

# What a runtime value is, in the words of a diagnostic.
RUNTIME = "runtime"
COMMAND_LINE = "command line"
ENVIRONMENT = "environment"
TUNER = "tuner"
# A hyperparameter that is only a layer's size, kept as a symbol over all its values
# (archlint.search_space.formulas): it becomes a named size in the layer's options.
TUNER_SIZE = "tuner size"
DATA_SHAPE = "data shape"
# A call of a library (NumPy, TensorFlow outside the graph) on values all known: the
# script decides it, not the data, but archlint does not compute it.
UNCOMPUTED = "uncomputed"
_KIND_TEXT = {
    RUNTIME: "is only known when the script runs",
    COMMAND_LINE: "comes from the command line",
    ENVIRONMENT: "comes from the environment",
    TUNER: "is a hyperparameter the tuner chooses for each trial",
    TUNER_SIZE: "is a hyperparameter the tuner chooses for each trial, kept as a symbol",
    DATA_SHAPE: "is the shape of data only known when the script runs",
    UNCOMPUTED: "is a library call on known values that archlint does not compute",
}


@record(frozen=True, eq=False)
class RuntimeValue(Unknown):
    """An Unknown that stands for a value the script computes at run time (a call of a
    library, ``args.units``), remembering what kind of value it is and where it comes from.

    >>> root = RuntimeValue.of("parser.parse_args()", 7, COMMAND_LINE)
    >>> root.reason
    '`parser.parse_args()` comes from the command line'
    >>> named = root.bound_to("args", "parser.parse_args()")
    >>> named.derive("args.units", 10).reason
    '`args.units` comes from the command line: `args = parser.parse_args()` on line 7'
    """

    kind: str = RUNTIME
    # Where the value was bound to a variable: "`args = parser.parse_args()` on line 7".
    origin: str = ""
    source: str = ""

    @classmethod
    def of(cls, source: str, line: int | None, kind: str = RUNTIME,
           origin: str = "") -> RuntimeValue:
        reason = f"`{source}` {_KIND_TEXT[kind]}"
        if origin:
            reason += f": {origin}"
        return cls(reason, line, kind=kind, origin=origin, source=source)

    def bound_to(self, name: str, expression: str) -> RuntimeValue:
        """The value of ``expression`` assigned to ``name``: later uses say where it came
        from (only when ``expression`` made this value, not when it merely passed it on)."""
        if expression != self.source:
            return self
        origin = f"`{name} = {self.source}`" + (f" on line {self.line}" if self.line else "")
        return RuntimeValue(self.reason, self.line, kind=self.kind, origin=origin,
                            source=self.source)

    def derive(self, source: str, line: int | None, kind: str | None = None) -> RuntimeValue:
        """A value computed from this one (an attribute, an item, a method's result)."""
        kind = kind or self.kind
        return RuntimeValue.of(source, line, kind, self.origin)


@record(frozen=True, eq=False)
class NumpyLiteral(RuntimeValue):
    """``np.array(<numbers>)``: an array of numbers the script writes out. Any use of it is
    a library value archlint does not compute, except as a layer's option, where Keras reads
    the numbers as it reads the same list (``Normalization(mean=np.array([0.5, 0.2]))``)."""

    literal: Any = None

    @classmethod
    def written(cls, source: str, line: int | None, literal: Any) -> NumpyLiteral:
        return cls(f"`{source}` {_KIND_TEXT[UNCOMPUTED]}", line, kind=UNCOMPUTED,
                   source=source, literal=literal)

    def bound_to(self, name: str, expression: str) -> RuntimeValue:
        bound = super().bound_to(name, expression)
        return bound if bound is self else NumpyLiteral(
            bound.reason, bound.line, kind=bound.kind, origin=bound.origin,
            source=bound.source, literal=self.literal)


@record(frozen=True, eq=False)
class HyperSize(RuntimeValue):
    """A hyperparameter kept as a symbol (archlint.search_space.formulas), or integer
    arithmetic on it that never decreases as it grows (``units // 2``, ``2 * units``): a
    layer's size, ``size`` an expression over the symbols, ``low`` its least value (at the
    hyperparameters' lowest values), at least 1.

    >>> from archlint.dims import named_size
    >>> units = HyperSize.of_symbol("hp['u']", 8, 3)
    >>> sized(ast.FloorDiv(), units, 2).size, sized(ast.FloorDiv(), units, 2).low
    (hp['u']//2, 4)
    >>> sized(ast.FloorDiv(), units, 16) is None  # 0 for the lowest value: not a size
    True
    """

    size: Any = None
    low: int = 1

    @classmethod
    def of_symbol(cls, symbol: str, low: int, line: int | None) -> HyperSize:
        from archlint.dims import named_size

        return cls(f"`{symbol}` {_KIND_TEXT[TUNER_SIZE]}", line, kind=TUNER_SIZE,
                   source=symbol, size=named_size(symbol), low=low)


def sized(op: ast.operator, left: Any, right: Any) -> HyperSize | None:
    """``left op right`` where one side is a HyperSize and the result is one too: ``+`` and
    ``*`` of sizes or positive ints, ``//`` by a positive int, and a least value of 1 or
    more; else None."""
    def part(value: Any) -> tuple[Any, int] | None:
        if isinstance(value, HyperSize):
            return value.size, value.low
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value, value
        return None

    a, b = part(left), part(right)
    if a is None or b is None or not (isinstance(left, HyperSize) or
                                      isinstance(right, HyperSize)):
        return None
    try:
        if isinstance(op, ast.Add):
            size, low = a[0] + b[0], a[1] + b[1]
        elif isinstance(op, ast.Mult):
            size, low = a[0] * b[0], a[1] * b[1]
        elif isinstance(op, ast.FloorDiv) and not isinstance(right, HyperSize):
            size, low = a[0] // b[0], a[1] // b[1]
        else:
            return None
    except ArithmeticError:  # a product past what archlint's expressions keep
        return None
    if low < 1:
        return None
    source = f"({getattr(left, 'source', left)} {type(op).__name__} " \
        f"{getattr(right, 'source', right)})"
    return HyperSize(f"`{source}` {_KIND_TEXT[TUNER_SIZE]}", None, kind=TUNER_SIZE,
                     source=source, size=size, low=low)


def plain_numbers(value: Any) -> bool:
    """A number, or a (nested) list or tuple of numbers only."""
    if isinstance(value, (list, tuple)):
        return all(plain_numbers(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@record(frozen=True, eq=False)
class UnknownItems(Unknown):
    """Inside a list, set or dict: any number of further items (none included) that only the
    running script adds, such as a loop over a file's lines appending to a list. Its length,
    and whatever is computed from it, are unknown; the items before it stay known.

    >>> chars = ["a", UnknownItems("the loop over `open(path)` adds items")]
    >>> open_ended(chars).reason, open_ended(["a"]) is None
    ('the loop over `open(path)` adds items', True)
    """


def open_ended(container: Any) -> Unknown | None:
    """Why the number of items of ``container`` is unknown, or None when it is known: a
    list or tuple holding an UnknownItems; a set or a dict's keys holding any unknown value
    (two unknown items may be equal)."""
    if isinstance(container, (list, tuple)):
        return next((i for i in container if isinstance(i, UnknownItems)), None)
    if isinstance(container, (set, frozenset, dict)):
        return next((i for i in container if isinstance(i, Unknown)), None)
    return None


def mark_open_ended(container: Any, why: Unknown) -> None:
    """Record in place that ``container`` gained an unknown number of items."""
    marker = why if isinstance(why, UnknownItems) else UnknownItems(why.reason, why.line)
    if isinstance(container, list):
        container.append(marker)
    elif isinstance(container, set):
        container.add(marker)
    elif isinstance(container, dict):
        container[marker] = marker


def derive_unknown(base: Unknown, source: str, line: int | None,
                   kind: str | None = None) -> RuntimeValue:
    """``source`` computed from the unknown ``base``: keeps the origin of ``base``."""
    if kind == TUNER:
        return RuntimeValue.of(source, line, kind)  # what `hp` is matters less than what it does
    if isinstance(base, RuntimeValue):
        return base.derive(source, line, kind)
    # A plain Unknown already says why it is unknown: keep that as the origin.
    return RuntimeValue.of(source, line, kind or RUNTIME, base.describe())


class HostObject:
    """An object archlint itself hands to the script (a tuner's ``hp`` bound to one point of
    a search space): the evaluator passes it every method call the script makes on it."""

    def call_method(self, name: str, args: list[Any], kwargs: dict[str, Any],
                    line: int | None) -> Any:
        raise NotImplementedError


class HostScope:
    """What a HostObject's method may return for a ``with`` block: told when the block is
    entered and left."""

    def enter(self) -> None:
        """The ``with`` block starts."""

    def exit(self) -> None:
        """The ``with`` block ends, however it ends."""


@record(frozen=True)
class ModuleRef:
    """An imported module or a dotted name below one (``keras.layers``, ``np.random``)."""

    path: str


@record(frozen=True)
class KerasObject:
    """An object a library call made, kept with its arguments: a Keras object that is not
    a layer, tensor or model (a loss, optimizer, regularizer...)."""

    path: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    @property
    def leaf(self) -> str:
        return self.path.rsplit(".", 1)[-1]


@record(eq=False)
class Function:
    """A function defined by the script (or a lambda), with its defining scope."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    scope: Any
    name: str
    called: bool = False
    # Default values of its parameters, computed where it is defined (as Python does).
    defaults: dict[str, Any] = field(default_factory=dict)
    # The class whose body defines it (a method), for `super()`.
    owner: UserClass | None = None


@record(eq=False)
class UserClass:
    """A class defined by the script; ``keras_base`` is "model" or "layer" for subclasses.
    ``attributes`` holds what its body defines (constants, methods) for plain classes."""

    name: str
    span: Span
    keras_base: str | None = None
    has_call: bool = False
    # The library class it derives from, by its module path (``keras.layers.Wrapper``).
    library_class: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    # Field names of a @dataclass, in order, with their default expressions' values.
    dataclass_fields: list[tuple[str, Any]] | None = None
    # Its bases that are classes of the script, in order.
    bases: list[UserClass] = field(default_factory=list)
    # The script's instances of it (a plain class), in the order made.
    instances: list[Instance] = field(default_factory=list)

    def mro(self) -> list[UserClass]:
        """The script classes whose members it has, in Python's lookup order."""
        order: list[UserClass] = []
        for cls in [self, *(c for base in self.bases for c in base.mro())]:
            if cls not in order:
                order.append(cls)
        return order

    def member(self, name: str, after: UserClass | None = None) -> tuple[bool, Any]:
        """``(found, value)`` of a class attribute through its script bases; ``after``
        starts the search past that class, as ``super()`` does."""
        order = self.mro()
        if after is not None:
            order = order[order.index(after) + 1:] if after in order else []
        for cls in order:
            if name in cls.attributes:
                return True, cls.attributes[name]
        return False, None


@record(eq=False)
class Instance:
    """An instance of a plain class of the script (a config object, say)."""

    cls: UserClass
    attributes: dict[str, Any] = field(default_factory=dict)


@record(frozen=True, eq=False)
class SuperRef:
    """``super()`` inside a method of ``cls`` called on ``obj``."""

    cls: UserClass
    obj: Any


@record(frozen=True, eq=False)
class BoundFunction:
    """A method of the script found through ``super()``, bound to its object."""

    function: Function
    obj: Any


@record(frozen=True, eq=False)
class LibraryMethod:
    """``super().name`` where the name belongs to the library's base class
    (``super().__init__(**kwargs)`` in a custom layer)."""

    obj: Any
    name: str


@record(frozen=True)
class BoundMethod:
    """``obj.method`` awaiting its call."""

    obj: Any
    name: str


@record(frozen=True)
class Builtin:
    """A Python builtin function (``range``, ``len``, ``print``...)."""

    name: str


# ----------------------------------------------------------------- plain data and its size
_PLAIN_SCALARS = (int, float, str, bool, complex, bytes, range, slice, type(None))


def is_plain(value: Any) -> bool:
    """Plain Python data (numbers, strings, and containers of them), small enough to fold.

    Cyclic, shared and huge values are refused without walking them whole.

    >>> is_plain([1, ("a", 2.0)]), is_plain([1, Unknown("x")])
    (True, False)
    >>> cycle = []; cycle.append(cycle); is_plain(cycle)
    False
    """
    stack = [(value, 0)]
    seen: set[int] = set()
    walked = 0
    while stack:
        item, depth = stack.pop()
        walked += 1
        if walked > MAX_PLAIN_NODES or depth > MAX_PLAIN_DEPTH:
            return False
        if isinstance(item, _PLAIN_SCALARS):
            continue
        if not isinstance(item, (list, tuple, set, frozenset, dict)):
            return False
        if id(item) in seen and isinstance(item, (list, dict)):
            return False  # a mutable container met twice may be a cycle
        seen.add(id(item))
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return True


def first_unknown_in(value: Any) -> Unknown | None:
    """The first Unknown inside a value, walking containers iteratively and boundedly."""
    stack = [value]
    seen: set[int] = set()
    while stack and len(seen) < MAX_PLAIN_NODES:
        item = stack.pop()
        if isinstance(item, Unknown):
            return item
        if isinstance(item, (list, tuple, set, frozenset, dict)) and id(item) not in seen:
            seen.add(id(item))
            items = list(item.values()) + list(item.keys()) if isinstance(item, dict) else item
            stack.extend(reversed(list(items)))
    return None


def too_large(value: Any) -> bool:
    """A result the interpreter refuses to keep (it would only be slow or huge)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() > MAX_INT_BITS
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return len(value) > MAX_SEQUENCE
    return False


def repeat_too_large(left: Any, right: Any) -> bool:
    """``seq * n`` or ``n * seq`` whose result would be too long.

    >>> repeat_too_large([0], 10 ** 9), repeat_too_large("ab", 3)
    (True, False)
    """
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (list, tuple, str, bytes)) and isinstance(count, int) and \
                len(seq) * max(count, 1) > MAX_SEQUENCE:
            return True
    return False


def arithmetic_too_large(op: type[ast.operator], left: Any, right: Any) -> bool:
    """Would ``left op right`` build an integer or a sequence too large to keep?

    >>> arithmetic_too_large(ast.Pow, 10, 10 ** 10), arithmetic_too_large(ast.LShift, 1, 8)
    (True, False)
    """
    if op is ast.Mult:
        if repeat_too_large(left, right):
            return True
        return _bits(left) + _bits(right) > MAX_INT_BITS
    if op is ast.Pow and isinstance(right, int):
        return _bits(left) * max(abs(right), 1) > MAX_INT_BITS and abs(left) > 1
    if op is ast.LShift and isinstance(right, int):
        return _bits(left) + right > MAX_INT_BITS
    if op is ast.Add and isinstance(left, (list, tuple, str, bytes)) and \
            isinstance(right, (list, tuple, str, bytes)):
        return len(left) + len(right) > MAX_SEQUENCE
    if op is ast.Mod and isinstance(left, str):
        return format_too_wide(left)
    return False


def _bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def format_too_wide(spec: str) -> bool:
    """A format spec asking for a huge width or precision (``'>1000000000'``).

    >>> format_too_wide(">10"), format_too_wide("%1000000000d")
    (False, True)
    """
    digits = ""
    for char in spec + " ":
        if char.isdigit():
            digits += char
            continue
        if len(digits) > 5:
            return True
        digits = ""
    return False
