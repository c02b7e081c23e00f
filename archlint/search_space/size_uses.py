"""Hyperparameters that are only a layer's size, read from the hypermodel's syntax.

``layers.Dense(hp.Int("units", 32, 512, step=32))`` gives the value to Dense's ``units`` and
to nothing else: no branch, loop, name or other option depends on it, so the model's
structure is the same for all its values and its figures are polynomials in it (the
parameters of two Dense layers in a row: ``u1*u2 + u2``). Such a hyperparameter can be
kept as a symbol (``archlint.search_space.formulas``). A call qualifies when its value is

* an argument of a Keras layer class, at a position or keyword that is one of the class's
  size options (``LayerSpec.sized_options``: units, filters, output_dim...), as it is or
  through ``+``, ``*`` or ``//`` by a positive int constant (``units // 2``), or
* assigned to a local name once, every use of which is such an argument.

Anything else (other arithmetic, a comparison, a loop bound, another function's argument) makes
the call's line structural: its values are walked one by one.

>>> tree = ast.parse(
...     "def build(hp):\\n"
...     "    units = hp.Int('u', 8, 64, step=8)\\n"
...     "    x = layers.Dense(units)(inp)\\n"
...     "    y = layers.Dense(hp.Choice('w', [4, 8]) - 2)(x)\\n"
...     "    return layers.Conv1D(filters=hp.Int('f', 4, 8), kernel_size=3)(y)\\n")
>>> sorted(size_only_lines(tree.body[0], "hp"))
[2, 5]
"""

from __future__ import annotations

import ast

from archlint.layers import lookup
from archlint.layers.base import LayerSpec

# The hyperparameter kinds whose values can be sizes.
SIZE_KINDS = frozenset({"Int", "Choice"})


def size_only_lines(function: ast.FunctionDef, hp: str) -> frozenset[int]:
    """Lines of the function's ``hp.Int``/``hp.Choice`` calls whose value is only a layer's
    size; a line that also holds another hyperparameter call is left out."""
    parents = {child: node for node in ast.walk(function)
               for child in ast.iter_child_nodes(node)}
    stores: dict[str, int] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                stores[name] = stores.get(name, 0) + 2  # assigned elsewhere too
    sizes: set[int] = set()
    structural: set[int] = set()
    for node in ast.walk(function):
        if not _hp_call(node, hp):
            continue
        assert isinstance(node, ast.Call)
        kind = node.func.attr  # type: ignore[attr-defined]
        qualifies = kind in SIZE_KINDS and _only_a_size(node, function, parents, stores)
        (sizes if qualifies else structural).add(node.lineno)
    return frozenset(sizes - structural)


def _hp_call(node: ast.AST, hp: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
        isinstance(node.func.value, ast.Name) and node.func.value.id == hp


def _only_a_size(call: ast.Call, function: ast.FunctionDef, parents: dict[ast.AST, ast.AST],
                 stores: dict[str, int]) -> bool:
    parent = parents.get(call)
    if isinstance(parent, ast.Assign) and parent.value is call and len(parent.targets) == 1 \
            and isinstance(parent.targets[0], ast.Name):
        name = parent.targets[0].id
        if stores.get(name) != 1:
            return False
        uses = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == name
                and isinstance(n.ctx, ast.Load)]
        return bool(uses) and all(_a_size_argument(use, parents) for use in uses)
    return _a_size_argument(call, parents)


def _a_size_argument(node: ast.expr, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether ``node`` is given to a size option of a Keras layer class, as it is or
    through arithmetic that never decreases as it grows (``units // 2``, ``2 * units``)."""
    parent = parents.get(node)
    while isinstance(parent, ast.BinOp) and _growing(parent, node):
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.keyword):
        layer = parents.get(parent)
        option = parent.arg
    elif isinstance(parent, ast.Call) and node in parent.args:
        layer = parent
        index = parent.args.index(node)
        spec = _spec(parent)
        if spec is None or any(isinstance(a, ast.Starred) for a in parent.args[:index + 1]):
            return False
        option = spec.positional[index] if index < len(spec.positional) else None
    else:
        return False
    spec = _spec(layer) if isinstance(layer, ast.Call) else None
    return spec is not None and option in spec.sized_options


def _growing(operation: ast.BinOp, node: ast.expr) -> bool:
    """``node + k``, ``k * node`` or ``node // k`` with a positive int constant ``k``
    (whether the result is still at least 1 is checked on the values: frontend.values)."""
    other = operation.right if operation.left is node else operation.left
    positive = isinstance(other, ast.Constant) and type(other.value) is int and other.value > 0
    if isinstance(operation.op, (ast.Add, ast.Mult)):
        return positive
    return isinstance(operation.op, ast.FloorDiv) and operation.left is node and positive


def _spec(call: ast.Call) -> LayerSpec | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return lookup(name) if isinstance(name, str) else None
