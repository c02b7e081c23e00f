"""Where the evaluator keeps what a script has computed: scopes, call frames, the signals
that unwind a walk (``return``, ``break``, ``continue``, an exhausted budget), and the
budgets that keep the walk of any script short."""

from __future__ import annotations

import ast
from typing import Any

from archlint.graph import Span
from archlint.records import record
from archlint.unknown import Unknown

MAX_STEPS = 100_000  # statements, loop iterations and comprehension items per file
# A loop whose first passes build no layer is not unrolled further when the rest would
# cost more than this many steps (a training loop); cheap ones (`units *= 2`) are.
INERT_LOOP_STEPS = 2_000
PROBE_PASSES = 2
# Layers one file may make: a runaway loop (`while True: Dense(2)(h)`) stops here, far above
# any real model (a ResNet152 has 500 layers).
MAX_LAYERS = 10_000
MAX_CALL_DEPTH = 40  # nested calls of the script's own functions
FRAMES_PER_LEVEL = 4  # Python frames one level of statement or expression nesting may take
FREE_FRAMES = 250  # frames kept free below the recursion limit for helpers (unparse...)


class Return(Exception):
    """A ``return`` (or a ``raise``, whose value is unknown) leaving a function."""

    def __init__(self, value: Any):
        self.value = value


class Break(Exception):
    """A ``break``: the loop being run stops."""


class Continue(Exception):
    """A ``continue``: the loop goes on with its next pass."""


class OutOfBudget(Exception):
    """The script takes more steps than a static walk follows."""


class Scope:
    """Variables of a module, a class body or a function call; lookups fall back to the
    parent. ``global`` and ``nonlocal`` names are stored where they are declared."""

    def __init__(self, parent: Scope | None = None, module: Scope | None = None):
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.module: Scope = module or (parent.module if parent is not None else self)
        self.global_names: set[str] = set()
        self.nonlocal_names: set[str] = set()

    def lookup(self, name: str) -> Any:
        if name in self.global_names:
            return self.module.vars[name]
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        raise KeyError(name)

    def store(self, name: str, value: Any) -> None:
        self.target_of(name).vars[name] = value

    def target_of(self, name: str) -> Scope:
        """The scope an assignment to ``name`` writes to."""
        if name in self.global_names:
            return self.module
        if name in self.nonlocal_names:
            scope = self.parent
            while scope is not None and scope is not self.module:
                if name in scope.vars:
                    return scope
                scope = scope.parent
        return self


@record
class Frame:
    """One call of a script function (or the module itself)."""

    name: str
    # The loops being run in this frame, innermost last.
    loops: list[ast.stmt]
    # Set when a `return` sits behind a condition that is not known.
    uncertain_return: Unknown | None = None
    # A method's class and first argument, for `super()`.
    owner: Any = None
    first_arg: Any = None


class LoopContext:
    """Registers a loop body with the current frame while the loop runs."""

    def __init__(self, loops: list[ast.stmt], loop: ast.stmt):
        self.loops = loops
        self.loop = loop

    def __enter__(self) -> None:
        self.loops.append(self.loop)

    def __exit__(self, *exc: object) -> None:
        self.loops.pop()


def span_of(node: ast.AST) -> Span:
    return Span(getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
                getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def line_of(node: ast.AST) -> int | None:
    return getattr(node, "lineno", None)
