"""What the evaluator may compute from plain values: the builtins and methods it folds,
the operators it applies, and the guards that keep every fold small. Also the short
source texts that messages quote."""

from __future__ import annotations

import ast
import math
import operator
import sys
from collections.abc import Callable
from typing import Any

from archlint.frontend.scope import FREE_FRAMES
from archlint.frontend.values import (
    COMMAND_LINE,
    ENVIRONMENT,
    MAX_SEQUENCE,
    RUNTIME,
    format_too_wide,
    open_ended,
)
from archlint.unknown import Unknown

MAX_UNPARSE_DEPTH = 30  # deeper expressions are not turned back into text
MAX_SOURCE_TEXT = 60

# Builtins that are pure functions of plain arguments.
PURE_BUILTINS: dict[str, Any] = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "divmod": divmod,
    "float": float, "int": int, "len": len, "list": list, "max": max, "min": min,
    "pow": pow, "range": range, "round": round, "set": set, "sorted": sorted, "str": str,
    "sum": sum, "tuple": tuple, "frozenset": frozenset, "hex": hex, "ord": ord, "chr": chr,
    "repr": repr, "format": format, "bin": bin, "oct": oct, "ascii": ascii,
    "enumerate": lambda *a, **k: list(enumerate(*a, **k)),
    "zip": lambda *a: list(zip(*a)),
    "reversed": lambda x: list(reversed(x)),
}
# The standard library's math functions, folded on plain arguments. NumPy's are not:
# they return NumPy scalars, which Keras 3 refuses where it wants an int
# (`Dense(units=np.prod(shape))`), so a Python int in their place would be wrong.
LIBRARY_FOLDS: dict[str, Callable[..., Any]] = {
    f"math.{name}": getattr(math, name) for name in (
        "prod", "ceil", "floor", "sqrt", "log", "log2", "log10", "exp", "gcd", "lcm",
        "isqrt", "fabs", "trunc")}
LIBRARY_CONSTANTS: dict[str, Any] = {
    "math.pi": math.pi, "math.e": math.e, "math.inf": math.inf, "numpy.pi": math.pi,
    "numpy.e": math.e, "numpy.newaxis": None, "tensorflow.newaxis": None}

# Builtins that only look at the outside of a container: its items may be anything.
SHALLOW_BUILTINS = frozenset({"len", "list", "tuple", "enumerate", "zip", "reversed", "dict"})
TYPE_BUILTINS: dict[str, type] = {
    "int": int, "float": float, "str": str, "bool": bool, "list": list, "tuple": tuple,
    "dict": dict, "set": set, "frozenset": frozenset, "bytes": bytes, "complex": complex,
}
# Builtins whose result is only known at run time; none of them is ever called.
RUNTIME_BUILTINS = frozenset({
    "input", "open", "exec", "eval", "compile", "__import__", "iter", "next", "type", "id",
    "hash", "vars", "globals", "locals", "dir", "super", "object", "hasattr", "setattr",
    "delattr", "callable", "issubclass", "breakpoint", "exit", "quit", "memoryview",
    "bytearray", "bytes", "complex", "slice", "property", "staticmethod", "classmethod",
})
KNOWN_BUILTINS = frozenset({*PURE_BUILTINS, *RUNTIME_BUILTINS, "print", "isinstance",
                             "getattr", "map", "filter"})

# Methods of plain values that are safe to apply to the interpreter's own copies.
SAFE_METHODS = frozenset({
    "append", "extend", "insert", "pop", "index", "count", "copy", "get", "items", "keys",
    "values", "update", "setdefault", "format", "join", "split", "strip", "lower", "upper",
    "replace", "startswith", "endswith", "title", "capitalize", "rstrip", "lstrip", "reverse",
    "sort", "remove", "clear", "add", "union", "intersection", "difference", "zfill",
    "discard", "rsplit", "splitlines", "ljust", "rjust", "center", "isdigit", "isalpha",
    "find", "rfind", "partition", "rpartition", "casefold", "swapcase", "isupper", "islower",
})
# Methods that change their object in place: an unknown argument leaves an unknown item.
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "remove", "pop", "clear", "reverse", "sort", "update",
    "setdefault", "add", "discard",
})
# Methods that only add items: on a list of unknown length they keep it so.
GROWING_METHODS = frozenset({"append", "extend", "add", "update", "insert"})
_WIDTH_METHODS = frozenset({"zfill", "ljust", "rjust", "center"})
# Methods of a hyperparameter object (KerasTuner's `hp.Int(...)`): their results are tuner values.
TUNER_METHODS = frozenset({"Int", "Float", "Choice", "Boolean", "Fixed", "conditional_scope"})

BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
    ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
}
UNARY_OPS: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
}
CMPOPS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
# What a failing fold of plain values may raise; the script would fail the same way.
FOLD_ERRORS = (ArithmeticError, TypeError, ValueError, LookupError)


def joins_sequences(op: ast.operator, left: Any, right: Any) -> bool:
    """``[a] + [b]`` and ``[x] * 3`` work whatever the items are (tensors, layers)."""
    if isinstance(op, ast.Add):
        return type(left) is type(right) and isinstance(left, (list, tuple))
    if isinstance(op, ast.Mult):
        return isinstance(left, (list, tuple)) and isinstance(right, int) and \
            not isinstance(right, bool)
    return False


def method_too_large(obj: Any, name: str, args: list[Any]) -> bool:
    """String and list methods whose result could be huge (``'a'.zfill(10**9)``)."""
    if name in _WIDTH_METHODS:
        return any(isinstance(a, int) and a > MAX_SEQUENCE for a in args)
    if name == "format" and isinstance(obj, str):
        return format_too_wide(obj)
    if name == "replace" and isinstance(obj, str) and len(args) >= 2 and \
            isinstance(args[1], str):
        return len(obj) * (len(args[1]) + 1) > MAX_SEQUENCE
    if name == "join" and isinstance(obj, str) and isinstance(args[0] if args else None,
                                                              (list, tuple)):
        items = args[0]
        return sum(len(i) for i in items if isinstance(i, str)) + \
            len(obj) * len(items) > MAX_SEQUENCE
    if name in ("extend", "update") and isinstance(obj, (list, dict)) and args:
        return len(obj) + (len(args[0]) if hasattr(args[0], "__len__") else 0) > MAX_SEQUENCE
    if name in ("append", "insert", "add", "setdefault"):
        return len(obj) >= MAX_SEQUENCE
    return False


def range_too_long(args: list[Any]) -> bool:
    try:
        return len(range(*args)) > MAX_SEQUENCE
    except (TypeError, ValueError, OverflowError):
        return False


def known_position(container: Any, key: Any) -> bool:
    """Whether ``container[key]`` is one of the items known before its unknown ones."""
    if isinstance(container, (list, tuple)) and isinstance(key, int) and \
            not isinstance(key, bool) and key >= 0:
        marker = open_ended(container)
        return key < next(i for i, item in enumerate(container) if item is marker)
    if isinstance(container, dict):
        return key in container and not isinstance(key, Unknown)
    return False


def runtime_kind(source: str) -> str:
    """What an unresolved call or name stands for, guessed from its text."""
    if "parse_args" in source or "parse_known_args" in source or "argv" in source:
        return COMMAND_LINE
    if "environ" in source or "getenv" in source:
        return ENVIRONMENT
    return RUNTIME


def short_source(node: ast.AST) -> str:
    """The source text of a node, cut to a message's length."""
    if not _shallower_than(node, MAX_UNPARSE_DEPTH):
        return f"<{type(node).__name__.lower()} too long to show>"
    text = ast.unparse(node)
    return text if len(text) <= MAX_SOURCE_TEXT else text[:MAX_SOURCE_TEXT - 3] + "..."


def _shallower_than(node: ast.AST, limit: int) -> bool:
    stack = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if depth >= limit:
            return False
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(current))
    return True


def free_frames() -> int:
    """How many more Python frames the interpreter may use before the recursion limit."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return sys.getrecursionlimit() - depth - FREE_FRAMES
