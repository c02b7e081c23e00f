"""Abstract interpretation of a model script: its statements are walked, never executed.

Two parts, composed here: the Python evaluator (``evaluator.Evaluator``: values, unknowns,
scopes, control flow, the script's functions and classes), which knows nothing of Keras,
and the Keras object model (``keras_objects.KerasObjectModel``: layers, calls, models),
which the evaluator hands every Keras name and value to. Shape inference reaches the Keras
object model as a service (``shape_service``).

Nothing here imports or runs the libraries a script uses: a library call is only a name.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.diagnostics import Event
from archlint.frontend import keras_api
from archlint.frontend.code_walks import names_in
from archlint.frontend.evaluator import Evaluator
from archlint.frontend.keras_objects import KerasObjectModel
from archlint.frontend.keras_target import target_of
from archlint.frontend.named_options import names_version
from archlint.frontend.naming import NameCounter
from archlint.frontend.scope import MAX_STEPS, OutOfBudget, Scope
from archlint.frontend.shape_service import EngineShapes, ShapeService
from archlint.frontend.symbols import argparse_defaults
from archlint.frontend.values import Function, HostObject, Instance, UserClass
from archlint.graph import Call, Layer, Model
from archlint.unknown import Unknown


class Interpreter:
    """Walks one module; collects the layers, calls and models it builds."""

    def __init__(self, tree: ast.Module, source: str | None = None, keras: str = "auto",
                 values: dict[str, int] | None = None, shapes: ShapeService | None = None,
                 like: Interpreter | None = None):
        """``like``: an interpreter of the same tree, source and options, whose readings of
        the syntax are reused (a search space walks one script hundreds of times)."""
        self.tree = tree
        self.events: list[Event] = []
        # What the syntax alone says: Keras target, dialect, names' version, argparse defaults.
        self.facts: tuple[str, str, str | None, dict[str, object]]
        if like is not None and like.tree is tree:
            self.facts = like.facts
        else:
            target = target_of(tree, keras, source)
            dialect = keras_api.dialect_of(tree, source)
            self.facts = (target, dialect, names_version(
                keras_api.KERAS2 if target == "2" else dialect, source), argparse_defaults(tree))
        target, dialect, version, defaults = self.facts
        self.objects = KerasObjectModel(
            self.events, target, NameCounter(dialect), version, values or {}, dict(defaults),
            shapes or EngineShapes())
        self.evaluator = Evaluator(tree, self.objects, self.events)
        if like is not None and like.tree is tree:
            self.evaluator.share_walks(like.evaluator)
        self.objects.host = self.evaluator

    # What the rest of archlint reads once the script has been walked.
    @property
    def keras(self) -> str:
        """The Keras the script runs under: "3", "2" or "both" (see keras_target)."""
        return self.objects.keras

    @property
    def names(self) -> NameCounter:
        return self.objects.names

    @property
    def layers(self) -> list[Layer]:
        return self.objects.layers

    @property
    def calls(self) -> list[Call]:
        return self.objects.calls

    @property
    def models(self) -> list[Model]:
        return self.objects.models

    @property
    def globals(self) -> Scope:
        return self.evaluator.globals

    def run(self, hypermodel: tuple[str, HostObject] | None = None) -> Any:
        """Walks the script. With ``hypermodel`` (a function's name and the ``hp`` to give
        it), that function is then called once more with it, in a fresh Keras session, and
        what it returns is returned."""
        self.evaluator.run()
        found = self._hypermodel(hypermodel[0]) if hypermodel else None
        self._run_uncalled_factories(skip=found[0] if found else None)
        returned = self._call_hypermodel(found, hypermodel[1]) if hypermodel and found else None
        self.objects.finish()
        return returned

    def _hypermodel(self, name: str) -> tuple[Function, list[Any]] | None:
        """The function ``name`` names (``build_model``, or ``HyperModel.build``: then the
        last instance the script made of the class, else one whose ``__init__`` never ran)
        and the arguments before ``hp``."""
        owner, _, method = name.rpartition(".")
        cls = self.evaluator.globals.vars.get(owner) if owner else None
        if owner:
            if not isinstance(cls, UserClass):
                return None
            function = cls.member(method)[1]
            instance = cls.instances[-1] if cls.instances else Instance(cls)
            return (function, [instance]) if isinstance(function, Function) else None
        function = next((f for f in self.evaluator.functions if f.name == name and
                         f.owner is None and isinstance(f.node, ast.FunctionDef)), None)
        return (function, []) if function is not None else None

    def _call_hypermodel(self, found: tuple[Function, list[Any]], hp: HostObject) -> Any:
        evaluator = self.evaluator
        function, before = found
        name = function.name
        required = _parameters_without_default(function.node)  # without self
        kwargs: dict[str, Any] = {param.arg: Unknown(
            f"parameter `{param.arg}` of {name}()", param.lineno) for param in required[1:]}
        if required:
            kwargs[required[0].arg] = hp
        evaluator.steps = min(evaluator.steps, MAX_STEPS // 2)
        with self.objects.new_session():
            try:
                return evaluator.call_function(function, before, kwargs, function.node)
            except OutOfBudget:
                evaluator.budget_event()
                return Unknown(f"{name}() takes too many steps to follow", None)

    def _run_uncalled_factories(self, skip: Function | None = None) -> None:
        """Model-building functions the script defines but never calls (a KerasTuner
        ``build_model(hp)``, a module of factories) are analysed with their defaults, each
        as in a fresh Keras session; parameters without a default are unknown."""
        evaluator = self.evaluator
        uncalled = [f for f in evaluator.functions
                    if not f.called and isinstance(f.node, ast.FunctionDef)]
        for function in _outermost(_model_builders(uncalled)):
            if function.called or function is skip:
                continue  # another factory called it
            kwargs = {param.arg: Unknown(f"parameter `{param.arg}` of {function.name}(), "
                                         "which the script never calls", param.lineno)
                      for param in _parameters_without_default(function.node)}
            evaluator.steps = min(evaluator.steps, MAX_STEPS // 2)  # each gets its own budget
            with self.objects.new_session():
                try:
                    evaluator.call_function(function, [], kwargs, function.node)
                except OutOfBudget:
                    evaluator.budget_event()
                    return


def _model_builders(functions: list[Function]) -> list[Function]:
    """The functions that build a model, directly or through another one of the list."""
    builders = {f.name for f in functions if _builds_model(f.node)}
    changed = True
    while changed:
        changed = False
        for function in functions:
            if function.name not in builders and names_in(function.node) & builders:
                builders.add(function.name)
                changed = True
    return [f for f in functions if f.name in builders]


def _outermost(functions: list[Function]) -> list[Function]:
    """The functions no other one of the list refers to: a factory that calls a helper
    factory is analysed once, through the outer one."""
    referenced: set[str] = set()
    for function in functions:
        referenced |= names_in(function.node) - {function.name}
    return [f for f in functions if f.name not in referenced]


def _parameters_without_default(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
                                ) -> list[ast.arg]:
    spec = function.args
    params = [*spec.posonlyargs, *spec.args]
    required = params[:len(params) - len(spec.defaults)]
    required += [p for p, d in zip(spec.kwonlyargs, spec.kw_defaults) if d is None]
    return [p for p in required if p.arg not in ("self", "cls")]


def _builds_model(function: ast.AST) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("Model", "Sequential", "Functional"):
                return True
    return False
