"""A script that requires one Keras version says so with a guard on ``keras.__version__``:
``assert keras.__version__.startswith("3")``, or ``if keras.__version__ < "3": raise ...``
(``sys.exit``, likewise). Such a guard is read, never run: its test is evaluated on the
version strings of each major version, at its first and at a late minor release, and a
major version is required when the guard lets only it through, whatever the minor.

>>> import ast
>>> required_major(ast.parse("import keras\\nassert keras.__version__.startswith('3')"))
'3'
>>> required_major(ast.parse("import keras\\nif int(keras.__version__.split('.')[0]) < 3:\\n"
...                          "    raise SystemExit('needs Keras 3')"))
'3'
>>> required_major(ast.parse("import keras\\nif keras.__version__ >= '3.6':\\n    x = 1"))
"""

from __future__ import annotations

import ast
from typing import Any

# Version strings each major release line may have: the guard must hold for all of them.
_RELEASES = {"3": ("3.0.0", "3.99.99"), "2": ("2.0.0", "2.99.99")}
_VERSION_OWNERS = frozenset({"keras", "tf_keras"})
_UNDECIDED = object()


def required_major(tree: ast.Module) -> str | None:
    """The Keras major version the script's guards require, or None."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and _mentions_version(node.test):
            found = _only_major(node.test, passes=True)
        elif isinstance(node, ast.If) and _mentions_version(node.test) and _stops(node.body):
            found = _only_major(node.test, passes=False)
        else:
            continue
        if found is not None:
            return found
    return None


def _mentions_version(test: ast.expr) -> bool:
    return any(_is_version(n) for n in ast.walk(test))


def _is_version(node: ast.AST) -> bool:
    """``keras.__version__`` (also ``tf.keras.__version__`` and ``tf_keras.__version__``)."""
    if not (isinstance(node, ast.Attribute) and node.attr == "__version__"):
        return False
    owner = node.value
    if isinstance(owner, ast.Attribute):
        return owner.attr == "keras"
    return isinstance(owner, ast.Name) and owner.id in _VERSION_OWNERS


def _stops(body: list[ast.stmt]) -> bool:
    """A block that ends the script: ``raise``, or ``sys.exit(...)`` / ``exit(...)``."""
    for stmt in body:
        if isinstance(stmt, ast.Raise):
            return True
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("exit", "quit"):
                return True
    return False


def _only_major(test: ast.expr, *, passes: bool) -> str | None:
    """The one major version for which ``test`` is ``passes`` at every release, if one."""
    through = []
    for major, versions in _RELEASES.items():
        results = {_evaluate(test, version) for version in versions}
        if _UNDECIDED in results or len(results) != 1:
            return None
        if bool(results.pop()) is passes:
            through.append(major)
    return through[0] if len(through) == 1 else None


def _evaluate(node: ast.expr, version: str) -> Any:
    """The value of a guard's expression with the version bound; _UNDECIDED for anything
    else than string and number operations on it."""
    try:
        return _value(node, version)
    except (TypeError, ValueError, IndexError, AttributeError, _Undecided):
        return _UNDECIDED


class _Undecided(Exception):
    pass


def _value(node: ast.expr, version: str) -> Any:
    if _is_version(node):
        return version
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _value(node.operand, version)
    if isinstance(node, ast.BoolOp):
        values = [bool(_value(v, version)) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = _value(node.left, version), _value(node.comparators[0], version)
        return _compare(node.ops[0], left, right)
    if isinstance(node, ast.Subscript):
        return _value(node.value, version)[_value(node.slice, version)]
    if isinstance(node, ast.Call):
        return _call(node, version)
    raise _Undecided


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq):
        return bool(left == right)
    if isinstance(op, ast.NotEq):
        return bool(left != right)
    if isinstance(op, ast.Lt):
        return bool(left < right)
    if isinstance(op, ast.LtE):
        return bool(left <= right)
    if isinstance(op, ast.Gt):
        return bool(left > right)
    if isinstance(op, ast.GtE):
        return bool(left >= right)
    raise _Undecided


def _call(node: ast.Call, version: str) -> Any:
    args = [_value(a, version) for a in node.args]
    if node.keywords:
        raise _Undecided
    func = node.func
    if isinstance(func, ast.Name) and func.id in ("int", "str", "float") and len(args) == 1:
        return {"int": int, "str": str, "float": float}[func.id](args[0])
    if isinstance(func, ast.Attribute) and func.attr in ("startswith", "split", "strip"):
        target = _value(func.value, version)
        if isinstance(target, str):
            return getattr(target, func.attr)(*args)
    raise _Undecided
