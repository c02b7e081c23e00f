"""Questions answered by reading a piece of the script's syntax tree, without evaluating it:
which names a block assigns or changes, where it jumps to, whether a function yields, what
a @dataclass declares."""

from __future__ import annotations

import ast
from typing import Any

from archlint.frontend.folding import GROWING_METHODS
from archlint.frontend.scope import Scope
from archlint.frontend.values import Function

# A @dataclass field without a default.
NO_DEFAULT = object()


def touched_names(bodies: list[list[ast.stmt]], changing: frozenset[str],
                  ) -> tuple[set[str], set[str], set[str]]:
    """Variables the bodies assign, variables whose object they change in place (a method
    call ``items.append(x)`` of one of the ``changing`` methods, an item ``cfg["units"] = 8``),
    and the attributes they set on some object (``layer.trainable = False``)."""
    assigned: set[str] = set()
    mutated: set[str] = set()
    attributes: set[str] = set()
    for body in bodies:
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                assigned.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                attributes.add(node.attr)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                assigned.add(node.name)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and \
                    node.func.attr in changing:
                mutated.add(node.func.value.id)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and \
                    isinstance(node.value, ast.Name):
                mutated.add(node.value.id)
    return assigned, mutated, attributes


def grown_only(bodies: list[list[ast.stmt]], changing: frozenset[str]) -> set[str]:
    """Variables the bodies change only by adding items (``chars.append(c)``,
    ``vocab.update(words)``): their other items stay known."""
    kinds: dict[str, set[str]] = {}
    for body in bodies:
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name):
                kinds.setdefault(node.func.value.id, set()).add(node.func.attr)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                    and isinstance(node.value, ast.Name):
                kinds.setdefault(node.value.id, set()).add("[]=")
    return {name for name, used in kinds.items()
            if used & changing and not (used & changing) - GROWING_METHODS
            and "[]=" not in used and "insert" not in used}


def jumps(bodies: list[list[ast.stmt]]) -> set[str]:
    """"return", "break", "continue" statements of the bodies that leave them (a `break`
    inside an inner loop, or anything in a nested function, does not)."""
    found: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(stmt, False) for body in bodies for stmt in body]
    while stack:
        node, in_inner_loop = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Return):
            found.add("return")
        elif isinstance(node, (ast.Break, ast.Continue)) and not in_inner_loop:
            found.add("break" if isinstance(node, ast.Break) else "continue")
        inner = in_inner_loop or isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        for child in ast.iter_child_nodes(node):
            # A loop's `else:` block belongs to the enclosing loop level.
            in_else = isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and \
                child in node.orelse
            stack.append((child, in_inner_loop if in_else else inner))
    return found


def is_generator(bodies: list[list[ast.AST]]) -> bool:
    """Whether the function (the one item of ``bodies``) yields."""
    node = bodies[0][0]
    if isinstance(node, ast.Lambda):
        return False
    stack: list[ast.AST] = list(node.body)  # type: ignore[attr-defined]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                    ast.Lambda)):
            stack.extend(ast.iter_child_nodes(current))
    return False


def is_static_method(function: Function) -> bool:
    node = function.node
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def is_dataclass_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "dataclass"


def dataclass_fields(stmt: ast.ClassDef, body_scope: Scope) -> list[tuple[str, Any]]:
    fields: list[tuple[str, Any]] = []
    for node in stmt.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                "ClassVar" not in ast.unparse(node.annotation):
            name = node.target.id
            fields.append((name, body_scope.vars.get(name, NO_DEFAULT)
                           if node.value is not None else NO_DEFAULT))
    return fields


def names_of(bodies: list[list[ast.AST]]) -> set[str]:
    return names_in(bodies[0][0])


def names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
