"""Abstract interpretation of a model script: its statements are walked, never executed.

Python values the script computes from literals (constants, lists, dicts, f-strings, loops
over known ranges, calls of its own functions and classes) are computed exactly; Keras
calls build the layer graph; everything else (data loading, argparse, tuners) becomes an
``Unknown`` that keeps the source text and line it came from.

Nothing here imports or runs the libraries a script uses: a library call is only a name.
"""

from __future__ import annotations

import ast
import contextlib
import operator
import sys
from collections.abc import Iterator
from typing import Any

from archlint.diagnostics import Event
from archlint.frontend import keras_api
from archlint.frontend.keras_target import target_of
from archlint.frontend.named_options import compile_events, names_version
from archlint.frontend.naming import NameCounter
from archlint.frontend.symbols import (
    argparse_defaults,
    name_symbols,
    with_defaults,
    with_named_options,
    with_named_sizes,
)
from archlint.frontend.values import (
    COMMAND_LINE,
    DATA_SHAPE,
    ENVIRONMENT,
    MAX_SEQUENCE,
    RUNTIME,
    TUNER,
    BoundMethod,
    Builtin,
    Function,
    Instance,
    KerasObject,
    LayerObject,
    ModelObject,
    ModuleRef,
    RuntimeValue,
    SequentialObject,
    Tensor,
    UnknownItems,
    UserClass,
    arithmetic_too_large,
    derive_unknown,
    first_unknown_in,
    format_too_wide,
    is_plain,
    mark_open_ended,
    open_ended,
    too_large,
)
from archlint.graph import Call, CompileArgs, Layer, Model, Span, TensorRef
from archlint.layer_eval import UnsupportedLayer, instantiate
from archlint.records import record
from archlint.unknown import Unknown

MAX_STEPS = 100_000  # statements, loop iterations and comprehension items per file
# A loop whose first passes build no layer is not unrolled further when the rest would
# cost more than this many steps (a training loop); cheap ones (`units *= 2`) are.
INERT_LOOP_STEPS = 2_000
PROBE_PASSES = 2
MAX_CALL_DEPTH = 40  # nested calls of the script's own functions
FRAMES_PER_LEVEL = 4  # Python frames one level of statement or expression nesting may take
FREE_FRAMES = 250  # frames kept free below the recursion limit for helpers (unparse...)
MAX_UNPARSE_DEPTH = 30  # deeper expressions are not turned back into text
MAX_SOURCE_TEXT = 60
UNRESOLVED_INFO = "AL001"
UNSUPPORTED = "AL002"

# Builtins that are pure functions of plain arguments.
_PURE_BUILTINS: dict[str, Any] = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "divmod": divmod,
    "float": float, "int": int, "len": len, "list": list, "max": max, "min": min,
    "pow": pow, "range": range, "round": round, "set": set, "sorted": sorted, "str": str,
    "sum": sum, "tuple": tuple, "frozenset": frozenset, "hex": hex, "ord": ord, "chr": chr,
    "repr": repr, "format": format, "bin": bin, "oct": oct, "ascii": ascii,
    "enumerate": lambda *a, **k: list(enumerate(*a, **k)),
    "zip": lambda *a: list(zip(*a)),
    "reversed": lambda x: list(reversed(x)),
}
# Builtins that only look at the outside of a container: its items may be anything.
_SHALLOW_BUILTINS = frozenset({"len", "list", "tuple", "enumerate", "zip", "reversed", "dict"})
_TYPE_BUILTINS: dict[str, type] = {
    "int": int, "float": float, "str": str, "bool": bool, "list": list, "tuple": tuple,
    "dict": dict, "set": set, "frozenset": frozenset, "bytes": bytes, "complex": complex,
}
# Builtins whose result is only known at run time; none of them is ever called.
_RUNTIME_BUILTINS = frozenset({
    "input", "open", "exec", "eval", "compile", "__import__", "iter", "next", "type", "id",
    "hash", "vars", "globals", "locals", "dir", "super", "object", "hasattr", "setattr",
    "delattr", "callable", "issubclass", "breakpoint", "exit", "quit", "memoryview",
    "bytearray", "bytes", "complex", "slice", "property", "staticmethod", "classmethod",
})
_KNOWN_BUILTINS = frozenset({*_PURE_BUILTINS, *_RUNTIME_BUILTINS, "print", "isinstance",
                             "getattr", "map", "filter"})

# Methods of plain values that are safe to apply to the interpreter's own copies.
_SAFE_METHODS = frozenset({
    "append", "extend", "insert", "pop", "index", "count", "copy", "get", "items", "keys",
    "values", "update", "setdefault", "format", "join", "split", "strip", "lower", "upper",
    "replace", "startswith", "endswith", "title", "capitalize", "rstrip", "lstrip", "reverse",
    "sort", "remove", "clear", "add", "union", "intersection", "difference", "zfill",
    "discard", "rsplit", "splitlines", "ljust", "rjust", "center", "isdigit", "isalpha",
    "find", "rfind", "partition", "rpartition", "casefold", "swapcase", "isupper", "islower",
})
# Methods that change their object in place: an unknown argument leaves an unknown item.
_MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "remove", "pop", "clear", "reverse", "sort", "update",
    "setdefault", "add", "discard",
})
# Methods that only add items: on a list of unknown length they keep it so.
_GROWING_METHODS = frozenset({"append", "extend", "add", "update", "insert"})
_WIDTH_METHODS = frozenset({"zfill", "ljust", "rjust", "center"})
# Methods that change a list, dict, set or Sequential model (`fit`, `summary` do not).
_CHANGING_METHODS = _MUTATING_METHODS | {"build"}

# Methods of a Keras model that the interpreter accepts and ignores (training, saving...).
_MODEL_METHODS = frozenset({
    "compile", "add", "pop", "build", "summary", "fit", "predict", "evaluate", "save",
    "save_weights", "load_weights", "get_layer", "count_params", "to_json", "get_config",
    "train_on_batch", "test_on_batch", "predict_on_batch", "fit_generator", "export",
    "get_weights", "set_weights", "reset_states", "__call__",
})
_TUNER_METHODS = frozenset({"Int", "Float", "Choice", "Boolean", "Fixed", "conditional_scope"})

_BINOPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
    ast.BitXor: operator.xor, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
}
_CMPOPS = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}
# What a failing fold of plain values may raise; the script would fail the same way.
_FOLD_ERRORS = (ArithmeticError, TypeError, ValueError, LookupError)


class _Return(Exception):
    def __init__(self, value: Any):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Budget(Exception):
    pass


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
class _Frame:
    """One call of a script function (or the module itself)."""

    name: str
    # The loops being run in this frame, innermost last.
    loops: list[ast.stmt]
    # Set when a `return` sits behind a condition that is not known.
    uncertain_return: Unknown | None = None


def span_of(node: ast.AST) -> Span:
    return Span(getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
                getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)


def _line(node: ast.AST) -> int | None:
    return getattr(node, "lineno", None)


class Interpreter:
    """Walks one module; collects the layers, calls and models it builds."""

    def __init__(self, tree: ast.Module, source: str | None = None, keras: str = "auto",
                 values: dict[str, int] | None = None):
        self.tree = tree
        # Values the user bound to named sizes (--set, [tool.archlint.values]).
        self.values = values or {}
        self.argparse_defaults = argparse_defaults(tree)
        # The Keras the script runs under: "3", "2" or "both" (see keras_target).
        self.keras = target_of(tree, keras, source)
        self.globals = Scope()
        self.globals.vars["__name__"] = "__main__"
        self.names = NameCounter(keras_api.dialect_of(tree, source))
        # Whose names string options (activation="relu", loss="mse") must be; None: any.
        self.names_version = names_version(
            keras_api.KERAS2 if self.keras == "2" else self.names.dialect, source)
        self.layers: list[Layer] = []
        self.calls: list[Call] = []
        self.models: list[Model] = []
        self.sequentials: list[SequentialObject] = []
        self.events: list[Event] = []
        self.functions: list[Function] = []
        self.symbol_uses: dict[str, int] = {}
        self.star_imports: list[str] = []
        # `.trainable = ...` assignments that could not be followed (unknown owner or value,
        # or code behind an unknown condition).
        self.unknown_trainable: list[Unknown] = []
        self.frames: list[_Frame] = [_Frame("<module>", [])]
        self.steps = 0
        self.call_depth = 0
        self.nesting = 0
        self.max_nesting = 0
        self.unnamed = NameCounter()
        self._texts: dict[int, str] = {}
        self._walks: dict[tuple[Any, ...], Any] = {}

    # ----------------------------------------------------------------- entry point
    def run(self) -> None:
        self.max_nesting = max(_free_frames() // FRAMES_PER_LEVEL, 10)
        try:
            self.exec_block(self.tree.body, self.globals)
        except _Budget:
            self._budget_event()
        except (_Return, _Break, _Continue):
            pass  # a module-level raise: the script stops there
        self._run_uncalled_factories()
        for sequential in self.sequentials:
            self._finish_sequential(sequential)
        if self.unknown_trainable:
            for model in self.models:
                if model.trainable is True:  # False still covers every layer
                    model.trainable = self.unknown_trainable[0]

    def _budget_event(self) -> None:
        line = self.tree.body[-1].lineno if self.tree.body else 1
        self.events.append(Event(UNRESOLVED_INFO, "the script is too long or loops too much "
                                 "to follow statically; analysis stopped here", Span(line)))

    def _run_uncalled_factories(self) -> None:
        """Model-building functions the script defines but never calls (a KerasTuner
        ``build_model(hp)``, a module of factories) are analysed with their defaults, each
        as in a fresh Keras session; parameters without a default are unknown."""
        uncalled = [f for f in self.functions
                    if not f.called and isinstance(f.node, ast.FunctionDef)]
        for function in _outermost(_model_builders(uncalled)):
            if function.called:
                continue  # another factory called it
            kwargs = {param.arg: Unknown(f"parameter `{param.arg}` of {function.name}(), "
                                         "which the script never calls", param.lineno)
                      for param in _parameters_without_default(function.node)}
            session, self.names = self.names, NameCounter(self.names.dialect)
            self.steps = min(self.steps, MAX_STEPS // 2)  # each factory gets its own budget
            try:
                self.call_function(function, [], kwargs, function.node)
            except _Budget:
                self._budget_event()
                return
            finally:
                self.names = session

    # ----------------------------------------------------------------- statements
    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Budget()

    def exec_block(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self.tick()
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt: ast.stmt, scope: Scope) -> None:
        method = getattr(self, f"stmt_{type(stmt).__name__}", None)
        if method is None:
            return
        if self.nesting >= self.max_nesting:
            self._unknown_branches(stmt, [[stmt]], scope, "statements nested too deeply "
                                   "to follow")
            return
        self.nesting += 1
        try:
            method(stmt, scope)
        finally:
            self.nesting -= 1

    def stmt_Expr(self, stmt: ast.Expr, scope: Scope) -> None:
        self.eval(stmt.value, scope)

    def stmt_Assign(self, stmt: ast.Assign, scope: Scope) -> None:
        value = self.eval(stmt.value, scope)
        for target in stmt.targets:
            self.assign(target, value, scope, stmt.value)

    def stmt_AnnAssign(self, stmt: ast.AnnAssign, scope: Scope) -> None:
        if stmt.value is not None:
            self.assign(stmt.target, self.eval(stmt.value, scope), scope, stmt.value)

    def stmt_AugAssign(self, stmt: ast.AugAssign, scope: Scope) -> None:
        current = self.eval(stmt.target, scope)  # eval reads any target as a load
        value = self.binop(stmt.op, current, self.eval(stmt.value, scope), stmt)
        if isinstance(current, list) and isinstance(value, list) and \
                isinstance(stmt.op, ast.Add):
            current[:] = value  # `items += [...]` extends the list in place, like Python
            value = current
        self.assign(stmt.target, value, scope)

    def stmt_Import(self, stmt: ast.Import, scope: Scope) -> None:
        for alias in stmt.names:
            if alias.asname:
                scope.store(alias.asname, ModuleRef(alias.name))
            else:
                top = alias.name.split(".")[0]
                scope.store(top, ModuleRef(top))

    def stmt_ImportFrom(self, stmt: ast.ImportFrom, scope: Scope) -> None:
        module = "." * stmt.level + (stmt.module or "")
        for alias in stmt.names:
            if alias.name == "*":
                self._star_import(module, scope)
                continue
            scope.store(alias.asname or alias.name, ModuleRef(f"{module}.{alias.name}"))

    def _star_import(self, module: str, scope: Scope) -> None:
        sub = keras_api.keras_path(module)
        if sub is None:
            self.star_imports.append(module)
            return
        for name in keras_api.star_names(sub):
            scope.vars.setdefault(name, ModuleRef(f"{module}.{name}"))

    def stmt_FunctionDef(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef,
                         scope: Scope) -> None:
        self._mark_captured(stmt, scope)
        function = Function(stmt, scope, stmt.name)
        function.defaults = self._defaults(stmt.args, scope)
        scope.store(stmt.name, function)
        if scope is self.globals:
            self.functions.append(function)

    stmt_AsyncFunctionDef = stmt_FunctionDef

    def _defaults(self, spec: ast.arguments, scope: Scope) -> dict[str, Any]:
        """Default values, computed once where the function is defined, as Python does."""
        params = [*spec.posonlyargs, *spec.args]
        defaults: dict[str, Any] = {}
        for param, node in zip(params[len(params) - len(spec.defaults):], spec.defaults):
            defaults[param.arg] = self.eval(node, scope)
        for param, node in zip(spec.kwonlyargs, spec.kw_defaults):
            if node is not None:
                defaults[param.arg] = self.eval(node, scope)
        return defaults

    def stmt_ClassDef(self, stmt: ast.ClassDef, scope: Scope) -> None:
        keras_base = self._keras_base(stmt, scope)
        has_call = any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                       and n.name == "call" for n in stmt.body)
        cls = UserClass(stmt.name, span_of(stmt), keras_base, has_call)
        if keras_base == "model":
            what = "defines its graph in call(), which only runs in Keras" if has_call else \
                "has no call() of its own (its behaviour lives in methods such as train_step)"
            self.events.append(Event(
                UNSUPPORTED,
                f"subclassed model `{stmt.name}` {what}; it is not analysed statically. "
                "Build it with the functional API to have its shapes checked",
                span_of(stmt)))
        elif keras_base is None:
            body_scope = Scope(scope)
            self.exec_block(stmt.body, body_scope)
            cls.attributes = body_scope.vars
            if any(_is_dataclass_decorator(d) for d in stmt.decorator_list):
                cls.dataclass_fields = _dataclass_fields(stmt, body_scope)
        scope.store(stmt.name, cls)

    def _keras_base(self, stmt: ast.ClassDef, scope: Scope) -> str | None:
        """"model" or "layer" when the class derives from a Keras model or layer."""
        for base in stmt.bases:
            value = self.eval(base, scope)
            if isinstance(value, UserClass) and value.keras_base:
                return value.keras_base
            if isinstance(value, ModuleRef):
                sub = keras_api.keras_path(value.path)
                kind = keras_api.kind_of(sub) if sub is not None else None
                if kind in ("model", "sequential"):
                    return "model"
                if kind in ("layer_base", "layer"):
                    return "layer"
        return None

    def stmt_Global(self, stmt: ast.Global, scope: Scope) -> None:
        scope.global_names.update(stmt.names)

    def stmt_Nonlocal(self, stmt: ast.Nonlocal, scope: Scope) -> None:
        scope.nonlocal_names.update(stmt.names)

    def stmt_Return(self, stmt: ast.Return, scope: Scope) -> None:
        value = self.eval(stmt.value, scope) if stmt.value is not None else None
        _mark_referenced(value)  # a layer handed back to the caller is the caller's to use
        raise _Return(value)

    def stmt_If(self, stmt: ast.If, scope: Scope) -> None:
        test = self.truth(self.eval(stmt.test, scope))
        if isinstance(test, Unknown):
            self._unknown_branches(stmt, [stmt.body, stmt.orelse], scope,
                                   f"the condition `{self.text(stmt.test)}` (line "
                                   f"{stmt.lineno})")
        elif test:
            self.exec_block(stmt.body, scope)
        else:
            self.exec_block(stmt.orelse, scope)

    def stmt_For(self, stmt: ast.For | ast.AsyncFor, scope: Scope) -> None:
        items = self.iterate(self.eval(stmt.iter, scope), stmt.iter)
        if isinstance(items, Unknown):
            self.assign(stmt.target, items, scope)
            self._unknown_branches(stmt, [stmt.body], scope,
                                   f"the loop over `{self.text(stmt.iter)}` (line "
                                   f"{stmt.lineno})")
            return
        built, start = self._graph_size(), self.steps
        with self._loop(stmt):
            for index, item in enumerate(items):
                if index == PROBE_PASSES and self._graph_size() == built and \
                        (self.steps - start) * (len(items) - index) > INERT_LOOP_STEPS * index:
                    self._skip_inert_passes(stmt, scope, f"the loop over `"
                                            f"{self.text(stmt.iter)}` (line {stmt.lineno})")
                    return
                self.tick()
                self.assign(stmt.target, item, scope)
                try:
                    self.exec_block(stmt.body, scope)
                except _Break:
                    return
                except _Continue:
                    continue
        self.exec_block(stmt.orelse, scope)

    stmt_AsyncFor = stmt_For

    def stmt_While(self, stmt: ast.While, scope: Scope) -> None:
        built, start, passes = self._graph_size(), self.steps, 0
        with self._loop(stmt):
            while True:
                passes += 1
                if passes > PROBE_PASSES and self._graph_size() == built and \
                        self.steps - start > INERT_LOOP_STEPS:
                    self._skip_inert_passes(stmt, scope, f"the loop `while "
                                            f"{self.text(stmt.test)}` (line {stmt.lineno})")
                    return
                self.tick()
                test = self.truth(self.eval(stmt.test, scope))
                if isinstance(test, Unknown):
                    self._unknown_branches(stmt, [stmt.body], scope,
                                           f"the loop condition `{self.text(stmt.test)}` "
                                           f"(line {stmt.lineno})")
                    return
                if not test:
                    break
                try:
                    self.exec_block(stmt.body, scope)
                except _Break:
                    return
                except _Continue:
                    continue
        self.exec_block(stmt.orelse, scope)

    def _graph_size(self) -> tuple[int, ...]:
        """What a loop pass may add to the graph: layers, calls, models, Sequential items."""
        return (len(self.layers), len(self.calls), len(self.models), len(self.sequentials),
                sum(len(s.items) for s in self.sequentials))

    def _skip_inert_passes(self, stmt: ast.For | ast.AsyncFor | ast.While, scope: Scope,
                           loop: str) -> None:
        """A long loop whose first passes built nothing (a training or data loop) is not
        unrolled further: what its remaining passes change is unknown."""
        why = f"the remaining passes of {loop}, which builds no layer"
        if not isinstance(stmt, ast.While):
            self.assign(stmt.target, Unknown(f"it depends on {why}", stmt.lineno), scope)
        self._unknown_branches(stmt, [stmt.body, stmt.orelse], scope, why)

    def _loop(self, stmt: ast.For | ast.AsyncFor | ast.While) -> _LoopContext:
        return _LoopContext(self.frames[-1].loops, stmt)

    def stmt_With(self, stmt: ast.With | ast.AsyncWith, scope: Scope) -> None:
        for item in stmt.items:
            value = self.eval(item.context_expr, scope)
            if item.optional_vars is not None:
                entered = value if isinstance(value, Unknown) else RuntimeValue.of(
                    self.text(item.context_expr), stmt.lineno)
                self.assign(item.optional_vars, entered, scope)
        self.exec_block(stmt.body, scope)

    stmt_AsyncWith = stmt_With

    def stmt_Try(self, stmt: ast.Try, scope: Scope) -> None:
        # The body is what runs when nothing fails; handlers are not followed.
        self.exec_block(stmt.body, scope)
        self.exec_block(stmt.orelse, scope)
        self.exec_block(stmt.finalbody, scope)

    stmt_TryStar = stmt_Try

    def stmt_Match(self, stmt: ast.Match, scope: Scope) -> None:
        subject = self.eval(stmt.subject, scope)
        for case in stmt.cases:
            matched = self._matches(case.pattern, subject, scope)
            if matched is True and case.guard is not None:
                matched = self.truth(self.eval(case.guard, scope))
            if isinstance(matched, Unknown):
                self._unknown_branches(stmt, [c.body for c in stmt.cases], scope,
                                       f"the match on `{self.text(stmt.subject)}` (line "
                                       f"{stmt.lineno})")
                return
            if matched:
                self.exec_block(case.body, scope)
                return

    def _matches(self, pattern: ast.pattern, subject: Any, scope: Scope) -> Any:
        """True, False, or Unknown when the match cannot be decided statically."""
        if isinstance(pattern, ast.MatchAs) and pattern.pattern is None:
            if pattern.name is not None:
                scope.store(pattern.name, subject)
            return True
        if isinstance(pattern, ast.MatchOr):
            for option in pattern.patterns:
                matched = self._matches(option, subject, scope)
                if matched is not False:
                    return matched
            return False
        if isinstance(subject, Unknown) or not is_plain(subject):
            return subject if isinstance(subject, Unknown) else Unknown(
                "the match subject is not known statically")
        if isinstance(pattern, ast.MatchValue):
            value = self.eval(pattern.value, scope)
            return value if isinstance(value, Unknown) else subject == value
        if isinstance(pattern, ast.MatchSingleton):
            return subject is pattern.value
        return Unknown("this match pattern is not followed statically", _line(pattern))

    def stmt_Break(self, stmt: ast.Break, scope: Scope) -> None:
        raise _Break()

    def stmt_Continue(self, stmt: ast.Continue, scope: Scope) -> None:
        raise _Continue()

    def stmt_Raise(self, stmt: ast.Raise, scope: Scope) -> None:
        raise _Return(Unknown("the script raises an exception here", stmt.lineno))

    def stmt_Delete(self, stmt: ast.Delete, scope: Scope) -> None:
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                scope.target_of(target.id).vars.pop(target.id, None)

    def _unknown_branches(self, stmt: ast.stmt, bodies: list[list[ast.stmt]], scope: Scope,
                          why: str) -> None:
        """Code behind an unknown condition is not followed: every variable it assigns,
        and every object it calls a method on, becomes unknown. A `return` there makes the
        function's result unknown; a `break` or `continue` makes the rest of the loop so."""
        unknown = Unknown(f"it depends on {why}, unknown statically", stmt.lineno)
        self._forget(bodies, scope, unknown, why)
        jumps = self._cached(_jumps, bodies)
        frame = self.frames[-1]
        if "return" in jumps and len(self.frames) > 1 and frame.uncertain_return is None:
            frame.uncertain_return = unknown
        if jumps & {"break", "continue"} and frame.loops:
            self._forget([[frame.loops[-1]]], scope, unknown)
            raise _Break()

    def _cached(self, walk: Any, bodies: list[list[ast.stmt]]) -> Any:
        """``walk(bodies)``, computed once per set of bodies: loops meet them again."""
        key = (walk.__name__, *(id(stmt) for body in bodies for stmt in body),
               *(len(body) for body in bodies))
        if key not in self._walks:
            self._walks[key] = walk(bodies)
        return self._walks[key]

    def _forget(self, bodies: list[list[ast.stmt]], scope: Scope, unknown: Unknown,
                why: str = "code not followed") -> None:
        assigned, mutated, sets_trainable = self._cached(_touched_names, bodies)
        grown = self._cached(_grown_only, bodies)
        if sets_trainable:
            self.unknown_trainable.append(unknown)
        for name in assigned:
            scope.store(name, unknown)
        for name in mutated - assigned:
            try:
                current = scope.lookup(name)
            except KeyError:
                continue
            if isinstance(current, SequentialObject):
                current.items.append(unknown)
            elif isinstance(current, (list, set, dict)) and name in grown:
                # Only added to: the items it had stay, how many more is unknown (never
                # the count of one imagined pass over the data).
                mark_open_ended(current, UnknownItems(
                    f"the items of `{name}` depend on {why}, unknown statically"))
            elif isinstance(current, (list, set, dict)):
                scope.store(name, unknown)

    # ----------------------------------------------------------------- assignment
    def assign(self, target: ast.expr, value: Any, scope: Scope,
               value_node: ast.expr | None = None) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, RuntimeValue) and value_node is not None:
                value = value.bound_to(target.id, self.text(value_node))
            scope.store(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self._unpack(target, value, scope)
        elif isinstance(target, ast.Subscript):
            self._assign_item(target, value, scope)
        elif isinstance(target, ast.Attribute):
            self._assign_attribute(target, value, scope)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, value, scope)

    def _assign_item(self, target: ast.Subscript, value: Any, scope: Scope) -> None:
        container = self.eval(target.value, scope)
        key = self.eval(target.slice, scope)
        if not isinstance(container, (list, dict)):
            return
        if isinstance(key, Unknown):
            if isinstance(container, list):
                container.append(key)  # some item changed, which one is unknown
            return
        with contextlib.suppress(*_FOLD_ERRORS):  # else the script would fail here
            container[key] = value

    def _assign_attribute(self, target: ast.Attribute, value: Any, scope: Scope) -> None:
        """``self.units = 8`` on an instance of a plain class; other attributes (of layers,
        modules) do not change the model graph."""
        owner = self.eval(target.value, scope)
        if isinstance(owner, Instance) or (isinstance(owner, UserClass)
                                           and owner.keras_base is None):
            owner.attributes[target.attr] = value
        elif target.attr == "trainable":
            self._set_trainable(owner, value, target)

    def _set_trainable(self, owner: Any, value: Any, target: ast.Attribute) -> None:
        """``layer.trainable = False`` or ``model.trainable = False``: Keras then counts
        their weights as non-trainable, whenever the assignment comes."""
        flag = self.truth(value)  # Keras takes bool(trainable)
        if isinstance(owner, LayerObject):
            owner.layer.trainable = flag
        elif isinstance(owner, (ModelObject, SequentialObject)):
            owner.model.trainable = flag
        else:
            self.unknown_trainable.append(Unknown(
                f"`{self.text(target)} = ...` sets `trainable` on a value not known "
                "statically", target.lineno))

    def _unpack(self, target: ast.Tuple | ast.List, value: Any, scope: Scope) -> None:
        items = self.iterate(value, target)
        elts = target.elts
        if isinstance(items, Unknown):
            for elt in elts:
                self.assign(elt, items, scope)
            return
        star = next((i for i, e in enumerate(elts) if isinstance(e, ast.Starred)), None)
        if star is None:
            if len(items) != len(elts):
                unknown = Unknown(f"cannot unpack {len(items)} values into {len(elts)} names",
                                  target.lineno)
                for elt in elts:
                    self.assign(elt, unknown, scope)
                return
            for elt, item in zip(elts, items):
                self.assign(elt, item, scope)
            return
        after = len(elts) - star - 1
        for elt, item in zip(elts[:star], items[:star]):
            self.assign(elt, item, scope)
        self.assign(elts[star], list(items[star:len(items) - after]), scope)
        for elt, item in zip(elts[star + 1:], items[len(items) - after:]):
            self.assign(elt, item, scope)

    # ----------------------------------------------------------------- expressions
    def eval(self, node: ast.expr, scope: Scope) -> Any:
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method is None:
            return Unknown(f"`{self.text(node)}` is not followed statically", _line(node))
        if self.nesting >= self.max_nesting:
            return Unknown("this expression is nested too deeply to follow", _line(node))
        self.nesting += 1
        try:
            return method(node, scope)
        finally:
            self.nesting -= 1

    def text(self, node: ast.AST) -> str:
        """Short source text of a node, for messages (cached: messages are built often)."""
        key = id(node)
        if key not in self._texts:
            self._texts[key] = _short_source(node)
        return self._texts[key]

    def derived(self, base: Unknown, node: ast.AST, kind: str | None = None) -> RuntimeValue:
        """The value of ``node``, computed from the unknown ``base``."""
        source = self.text(node)
        if kind is None and _runtime_kind(source) != RUNTIME:
            kind = _runtime_kind(source)
        return derive_unknown(base, source, _line(node), kind)

    def runtime(self, node: ast.AST, kind: str | None = None) -> RuntimeValue:
        """The value of ``node``, which only the running script knows."""
        source = self.text(node)
        return RuntimeValue.of(source, _line(node), kind or _runtime_kind(source))

    def expr_Constant(self, node: ast.Constant, scope: Scope) -> Any:
        return node.value

    def expr_Name(self, node: ast.Name, scope: Scope) -> Any:
        try:
            value = scope.lookup(node.id)
        except KeyError:
            pass
        else:
            if isinstance(value, LayerObject):
                value.layer.referenced = True
            return value
        if node.id in _KNOWN_BUILTINS:
            return Builtin(node.id)
        if self.star_imports:
            modules = ", ".join(f"`{m}`" for m in self.star_imports)
            return Unknown(f"`{node.id}` may come from `import *` of {modules}, which is not "
                           "followed", node.lineno)
        return Unknown(f"`{node.id}` is not defined statically", node.lineno)

    def expr_Attribute(self, node: ast.Attribute, scope: Scope) -> Any:
        base = self.eval(node.value, scope)
        return self.attribute(base, node.attr, node)

    def attribute(self, base: Any, attr: str, node: ast.expr) -> Any:
        if isinstance(base, Unknown):
            kind = DATA_SHAPE if attr == "shape" else TUNER if attr in _TUNER_METHODS else None
            return self.derived(base, node, kind)
        if isinstance(base, ModuleRef):
            return ModuleRef(f"{base.path}.{attr}")
        if isinstance(base, Tensor):
            if attr == "shape":
                return self.tensor_shape(base, node)
            return Unknown(f"`{self.text(node)}` is a tensor attribute", _line(node))
        if isinstance(base, (ModelObject, SequentialObject, LayerObject)):
            return self.keras_attribute(base, attr, node)
        if isinstance(base, (list, dict, str, set, bytes, tuple)) and attr in _SAFE_METHODS:
            return BoundMethod(base, attr)
        if isinstance(base, KerasObject):
            return dict(base.kwargs).get(attr, Unknown(f"`{self.text(node)}`", _line(node)))
        if isinstance(base, Instance):
            return self.instance_attribute(base, attr, node)
        if isinstance(base, UserClass) and attr in base.attributes:
            return base.attributes[attr]
        return self.runtime(node)

    def instance_attribute(self, obj: Instance, attr: str, node: ast.expr) -> Any:
        if attr in obj.attributes:
            return obj.attributes[attr]
        value = obj.cls.attributes.get(attr)
        if isinstance(value, Function):
            return BoundMethod(obj, attr)
        if value is not None or attr in obj.cls.attributes:
            return value
        return Unknown(f"`{self.text(node)}` is not set statically", _line(node))

    def keras_attribute(self, obj: Any, attr: str, node: ast.expr) -> Any:
        if isinstance(obj, LayerObject):
            return self.layer_attribute(obj, attr, node)
        if attr in _MODEL_METHODS:
            return BoundMethod(obj, attr)
        if attr == "name":
            return obj.model.name
        if isinstance(obj, ModelObject):
            return self.model_attribute(obj.model, attr, node)
        if attr == "layers":
            return [item for item in obj.items if isinstance(item, LayerObject)
                    and item.layer.class_name != "InputLayer"]
        return Unknown(f"`{self.text(node)}` is only known to Keras", _line(node))

    def layer_attribute(self, obj: LayerObject, attr: str, node: ast.expr) -> Any:
        if attr == "name":
            return obj.layer.name
        if attr == "output" and obj.layer.calls:
            return Tensor(TensorRef(obj.layer.calls[0], 0))
        if attr == "input" and obj.layer.calls and obj.layer.calls[0].inbound:
            return Tensor(obj.layer.calls[0].inbound[0])
        return Unknown(f"`{self.text(node)}` is only known to Keras", _line(node))

    def model_attribute(self, model: Model, attr: str, node: ast.expr) -> Any:
        if attr in ("output", "outputs"):
            tensors = [Tensor(r) for r in model.outputs]
            return tensors if attr == "outputs" or len(tensors) != 1 else tensors[0]
        if attr in ("input", "inputs"):
            tensors = [Tensor(r) for r in model.inputs]
            return tensors if attr == "inputs" or len(tensors) != 1 else tensors[0]
        if attr == "layers":
            from archlint.engine import model_calls

            layers: list[Layer] = []
            for call in model_calls(model):
                if call.layer not in layers:
                    layers.append(call.layer)
            return [LayerObject(layer) for layer in layers]
        return Unknown(f"`{self.text(node)}` is only known to Keras", _line(node))

    def tensor_shape(self, tensor: Tensor, node: ast.expr) -> Any:
        from archlint.engine import infer_call

        infer_call(tensor.ref.call)
        shape = tensor.ref.call.output_at(tensor.ref.index)
        if shape is None or isinstance(shape, Unknown):
            return Unknown(f"`{self.text(node)}` could not be computed", _line(node))
        return tuple(d if isinstance(d, int) or d is None else Unknown(
            f"`{self.text(node)}` has a size that depends on the input length", _line(node))
            for d in shape)

    def expr_Subscript(self, node: ast.Subscript, scope: Scope) -> Any:
        base = self.eval(node.value, scope)
        key = self.eval(node.slice, scope)
        if isinstance(base, Unknown):
            return self.derived(base, node)
        if isinstance(key, Unknown):
            return key
        marker = open_ended(base)
        if marker is not None and not _known_position(base, key):
            return self.derived(marker, node)
        if isinstance(base, (list, tuple, dict, str, range, bytes)):
            try:
                return base[key]
            except _FOLD_ERRORS as error:
                return Unknown(f"`{self.text(node)}` fails: {error}", _line(node))
        if isinstance(base, Tensor):
            return Unknown(f"slicing a tensor (`{self.text(node)}`) is not analysed",
                           _line(node))
        return self.runtime(node)

    def expr_Slice(self, node: ast.Slice, scope: Scope) -> Any:
        parts = [self.eval(p, scope) if p is not None else None
                 for p in (node.lower, node.upper, node.step)]
        for part in parts:
            if isinstance(part, Unknown):
                return part
        return slice(*parts)

    def expr_Tuple(self, node: ast.Tuple, scope: Scope) -> Any:
        return tuple(self._elements(node.elts, scope))

    def expr_List(self, node: ast.List, scope: Scope) -> Any:
        return self._elements(node.elts, scope)

    def expr_Set(self, node: ast.Set, scope: Scope) -> Any:
        items = self._elements(node.elts, scope)
        try:
            return set(items)
        except TypeError:
            return Unknown("unhashable set item", node.lineno)

    def _elements(self, elts: list[ast.expr], scope: Scope) -> list[Any]:
        out: list[Any] = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                items = self.iterate(self.eval(elt.value, scope), elt)
                if isinstance(items, Unknown):
                    out.append(items)
                elif len(out) + len(items) > MAX_SEQUENCE:
                    out.append(Unknown("sequence too large to fold", elt.lineno))
                else:
                    out.extend(items)
            else:
                out.append(self.eval(elt, scope))
        return out

    def expr_Dict(self, node: ast.Dict, scope: Scope) -> Any:
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                merged = self.eval(value, scope)
                if isinstance(merged, dict):
                    out.update(merged)
                continue
            k = self.eval(key, scope)
            if isinstance(k, Unknown):
                mark_open_ended(out, k)  # it may be a new key or an old one
                continue
            try:
                out[k] = self.eval(value, scope)
            except TypeError:
                continue  # an unhashable key: the script would fail here
        return out

    def expr_JoinedStr(self, node: ast.JoinedStr, scope: Scope) -> Any:
        parts = []
        for value in node.values:
            part = self.eval(value, scope)
            if isinstance(part, Unknown):
                return Unknown(f"the f-string `{self.text(node)}` depends on "
                               f"`{self.text(value)}`", node.lineno)
            parts.append(part)
        if sum(len(p) for p in parts if isinstance(p, str)) > MAX_SEQUENCE:
            return Unknown("string too large to fold", node.lineno)
        return "".join(str(p) for p in parts)

    def expr_FormattedValue(self, node: ast.FormattedValue, scope: Scope) -> Any:
        value = self.eval(node.value, scope)
        if isinstance(value, Unknown) or not is_plain(value):
            return value if isinstance(value, Unknown) else Unknown(
                f"`{self.text(node.value)}` has no static text", node.lineno)
        spec = self.eval(node.format_spec, scope) if node.format_spec else ""
        if isinstance(spec, Unknown) or not isinstance(spec, str):
            return spec if isinstance(spec, Unknown) else Unknown("bad format spec",
                                                                   node.lineno)
        if format_too_wide(spec):
            return Unknown("format width too large to fold", node.lineno)
        conversion = {115: str, 114: repr, 97: ascii}.get(node.conversion)
        if conversion is not None:
            value = conversion(value)
        try:
            return format(value, spec)
        except _FOLD_ERRORS:
            return Unknown(f"cannot format `{self.text(node.value)}`", node.lineno)

    def expr_BinOp(self, node: ast.BinOp, scope: Scope) -> Any:
        return self.binop(node.op, self.eval(node.left, scope), self.eval(node.right, scope),
                          node)

    def binop(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        line = _line(node)
        for side in (left, right):
            if isinstance(side, RuntimeValue) and side.source:
                return self._computed_from(side, node)
            if isinstance(side, Unknown):
                return side
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            return Unknown("arithmetic on tensors (`+`, `*` ...) is not analysed; use "
                           "layers.Add / layers.Multiply", line)
        if arithmetic_too_large(type(op), left, right):
            return Unknown(f"`{self.text(node)}` is too large to fold", line)
        if _joins_sequences(op, left, right):
            return left + right if isinstance(op, ast.Add) else left * right
        if not (is_plain(left) and is_plain(right)):
            return Unknown(f"`{self.text(node)}` is only known when the script runs", line)
        function = _BINOPS.get(type(op))
        if function is None:
            return Unknown("unsupported operator", line)
        try:
            result = function(left, right)
        except _FOLD_ERRORS as error:  # e.g. ZeroDivisionError: the script would fail too
            return Unknown(f"`{self.text(node)}` fails: {error}", line)
        return Unknown("result too large to fold", line) if too_large(result) else result

    def _computed_from(self, value: RuntimeValue, node: ast.AST) -> Unknown:
        """A runtime value's arithmetic: named after the whole expression at module level
        (a named size must stand for the value itself, not one operand of it); inside a
        function the text names local variables that differ between calls: unnamed."""
        if len(self.frames) > 1:
            return Unknown(value.reason, value.line)
        return derive_unknown(value, self.text(node), _line(node))

    def expr_UnaryOp(self, node: ast.UnaryOp, scope: Scope) -> Any:
        value = self.eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            truth = self.truth(value)
            return truth if isinstance(truth, Unknown) else not truth
        if isinstance(value, RuntimeValue) and value.source:
            return self._computed_from(value, node)
        if isinstance(value, Unknown) or not is_plain(value):
            return value if isinstance(value, Unknown) else Unknown(
                f"`{self.text(node)}`", node.lineno)
        try:
            return {ast.USub: operator.neg, ast.UAdd: operator.pos,
                    ast.Invert: operator.invert}[type(node.op)](value)
        except TypeError as error:
            return Unknown(f"`{self.text(node)}` fails: {error}", node.lineno)

    def expr_BoolOp(self, node: ast.BoolOp, scope: Scope) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for operand in node.values:
            value = self.eval(operand, scope)
            truth = self.truth(value)
            if isinstance(truth, Unknown):
                return truth
            if truth != is_and:
                return value
        return value

    def expr_Compare(self, node: ast.Compare, scope: Scope) -> Any:
        left = self.eval(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.eval(comparator, scope)
            result = self.compare(op, left, right, node)
            if isinstance(result, Unknown) or not result:
                return result
            left = right
        return True

    def compare(self, op: ast.cmpop, left: Any, right: Any, node: ast.AST) -> Any:
        for side in (left, right):
            found = first_unknown_in(side) if isinstance(side, (list, tuple, dict, set,
                                                                Unknown)) else None
            if found is not None:
                return found
        identity = isinstance(op, (ast.Is, ast.IsNot))
        membership = isinstance(op, (ast.In, ast.NotIn)) and isinstance(
            right, (list, tuple, dict, set, frozenset))
        if not (identity or membership) and not (is_plain(left) and is_plain(right)):
            return Unknown(f"`{self.text(node)}` is only known when the script runs",
                           _line(node))
        try:
            return bool(_CMPOPS[type(op)](left, right))
        except _FOLD_ERRORS as error:
            return Unknown(f"`{self.text(node)}` fails: {error}", _line(node))

    def expr_IfExp(self, node: ast.IfExp, scope: Scope) -> Any:
        test = self.truth(self.eval(node.test, scope))
        if isinstance(test, Unknown):
            return Unknown(f"it depends on the condition `{self.text(node.test)}`",
                           node.lineno)
        return self.eval(node.body if test else node.orelse, scope)

    def expr_NamedExpr(self, node: ast.NamedExpr, scope: Scope) -> Any:
        value = self.eval(node.value, scope)
        self.assign(node.target, value, scope, node.value)
        return value

    def expr_Lambda(self, node: ast.Lambda, scope: Scope) -> Any:
        self._mark_captured(node, scope)
        function = Function(node, scope, "<lambda>")
        function.defaults = self._defaults(node.args, scope)
        return function

    def _mark_captured(self, node: ast.AST, scope: Scope) -> None:
        """Layers a function or lambda refers to are used by it, called or not."""
        for name in self._cached(_names_of, [[node]]):  # type: ignore[list-item]
            with contextlib.suppress(KeyError):
                value = scope.lookup(name)
                if isinstance(value, LayerObject):
                    value.layer.referenced = True

    def _comprehension(self, generators: list[ast.comprehension], scope: Scope,
                       emit: Any) -> Unknown | None:
        def loop(index: int, inner: Scope) -> Unknown | None:
            if index == len(generators):
                emit(inner)
                return None
            gen = generators[index]
            items = self.iterate(self.eval(gen.iter, inner), gen.iter)
            if isinstance(items, Unknown):
                return items
            built, start = self._graph_size(), self.steps
            for position, item in enumerate(items):
                if position == PROBE_PASSES and self._graph_size() == built and \
                        (self.steps - start) * (len(items) - position) > \
                        INERT_LOOP_STEPS * position:
                    return Unknown(f"the comprehension over `{self.text(gen.iter)}` builds "
                                   "no layer and is too long to follow", _line(gen.iter))
                self.tick()
                self.assign(gen.target, item, inner)
                verdict = True
                for cond in gen.ifs:
                    truth = self.truth(self.eval(cond, inner))
                    if isinstance(truth, Unknown):
                        return truth
                    verdict = verdict and truth
                if verdict:
                    failed = loop(index + 1, inner)
                    if failed is not None:
                        return failed
            return None

        return loop(0, Scope(scope))

    def expr_ListComp(self, node: ast.ListComp | ast.GeneratorExp, scope: Scope) -> Any:
        out: list[Any] = []
        failed = self._comprehension(node.generators, scope,
                                     lambda s: out.append(self.eval(node.elt, s)))
        return failed if failed is not None else out

    expr_GeneratorExp = expr_ListComp

    def expr_SetComp(self, node: ast.SetComp, scope: Scope) -> Any:
        result = self.expr_ListComp(node, scope)  # type: ignore[arg-type]
        try:
            return result if isinstance(result, Unknown) else set(result)
        except TypeError:
            return Unknown("unhashable set item", node.lineno)

    def expr_DictComp(self, node: ast.DictComp, scope: Scope) -> Any:
        out: dict[Any, Any] = {}

        def emit(s: Scope) -> None:
            key = self.eval(node.key, s)
            if isinstance(key, Unknown):
                mark_open_ended(out, key)
            else:
                with contextlib.suppress(TypeError):  # else an unhashable key: script fails
                    out[key] = self.eval(node.value, s)

        failed = self._comprehension(node.generators, scope, emit)
        return failed if failed is not None else out

    def expr_Starred(self, node: ast.Starred, scope: Scope) -> Any:
        return self.eval(node.value, scope)

    def expr_Await(self, node: ast.Await, scope: Scope) -> Any:
        return Unknown("await is not followed", node.lineno)

    # ----------------------------------------------------------------- helpers
    def truth(self, value: Any) -> Any:
        if isinstance(value, Unknown):
            return value
        if open_ended(value) is not None:
            # Non-empty if any real item is known; otherwise the running script decides.
            return True if any(not isinstance(i, UnknownItems) for i in value) else \
                open_ended(value)
        if isinstance(value, (list, tuple, dict, set, frozenset, str, bytes, range)):
            return len(value) > 0  # a container's truth is its size, whatever its items
        if is_plain(value):
            return bool(value)
        if isinstance(value, ModuleRef) and "." in value.path and \
                keras_api.keras_path(value.path) is None:
            return RuntimeValue.of(value.path, None)  # a library's value, like `sys.argv`
        if isinstance(value, (ModuleRef, Function, UserClass, Tensor, LayerObject,
                              ModelObject, SequentialObject, KerasObject, Instance,
                              Builtin, BoundMethod)):
            return True
        return Unknown("the truth of this value is not known statically")

    def iterate(self, value: Any, node: ast.AST | None = None) -> list[Any] | Unknown:
        line = _line(node) if node is not None else None
        if isinstance(value, Unknown):
            return value
        marker = open_ended(value)
        if marker is not None:  # how many times a loop runs is not known
            return marker
        if isinstance(value, dict):
            return list(value.keys())
        if isinstance(value, range):
            if len(value) > MAX_SEQUENCE:
                return Unknown(f"range of {len(value)} items is too long to follow", line)
            return list(value)
        if isinstance(value, (list, tuple, str, set, frozenset, bytes)):
            return list(value)
        if isinstance(value, Tensor):
            return self._unpack_tensor(value)
        return Unknown("iterating over this value is not followed statically", line)

    def _unpack_tensor(self, tensor: Tensor) -> list[Any] | Unknown:
        """``out, h, c = LSTM(..., return_state=True)(x)`` unpacks a multi-output call."""
        from archlint.engine import infer_call

        call = tensor.ref.call
        infer_call(call)
        if isinstance(call.output, list):
            return [Tensor(TensorRef(call, i)) for i in range(len(call.output))]
        # A call that fails (or whose inputs are unknown) still has as many outputs as its
        # options say: the graph goes on, and the failure is reported where it happens.
        instance = call.layer.instance
        count = None
        if instance is not None and instance.unresolved is None and \
                instance.config_error is None and not isinstance(call.output, tuple):
            count = instance.spec.output_count(instance.config)
        if count is not None and count > 1:
            return [Tensor(TensorRef(call, i)) for i in range(count)]
        return Unknown(f"`{call.layer.name}` output cannot be unpacked statically",
                       call.span.line)

    # ----------------------------------------------------------------- calls
    def expr_Call(self, node: ast.Call, scope: Scope) -> Any:
        callee = self.eval(node.func, scope)
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                items = self.iterate(self.eval(arg.value, scope), arg)
                if isinstance(items, Unknown):
                    return self.derived(items, node)
                args.extend(items)
            else:
                args.append(self.eval(arg, scope))
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.eval(keyword.value, scope)
            if keyword.arg is not None:
                kwargs[keyword.arg] = value
            elif isinstance(value, dict):
                kwargs.update({str(k): v for k, v in value.items()})
            else:
                kwargs["**"] = value if isinstance(value, Unknown) else Unknown(
                    f"`**{self.text(keyword.value)}` is not a dict known statically",
                    node.lineno)
        _mark_referenced([args, kwargs])  # a layer passed on (`ds.map(f, layer)`) is used
        return self.call(callee, args, kwargs, node)

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(callee, Unknown):
            kind = TUNER if isinstance(node.func, ast.Attribute) and \
                node.func.attr in _TUNER_METHODS else None
            return self.derived(callee, node, kind)
        if isinstance(callee, Function):
            return self.call_function(callee, args, kwargs, node)
        if isinstance(callee, ModuleRef):
            return self.call_module(callee, args, kwargs, node)
        if isinstance(callee, LayerObject):
            return self.call_layer(callee, args, kwargs, node)
        if isinstance(callee, BoundMethod):
            return self.call_method(callee, args, kwargs, node)
        if isinstance(callee, UserClass):
            return self.instantiate_user_class(callee, args, kwargs, node)
        if isinstance(callee, Builtin):
            return self.call_builtin(callee.name, args, kwargs, node)
        if isinstance(callee, (ModelObject, SequentialObject)):
            if not _holds_tensor([args, kwargs]):
                # A prediction on data (`model(x_batch, training=False)`), not graph building.
                return self.runtime(node)
            self.events.append(Event(
                UNSUPPORTED, "calling a model as a layer (a nested model) is not analysed "
                "yet; its output is unknown", span_of(node)))
            return Unknown("the output of a nested model is not analysed yet", node.lineno)
        return self.runtime(node)

    def call_builtin(self, name: str, args: list[Any], kwargs: dict[str, Any],
                     node: ast.Call) -> Any:
        if name == "print":
            return None  # prints nothing: the script is never run
        if name in _RUNTIME_BUILTINS:
            return self.runtime(node, COMMAND_LINE if name == "input" else None)
        if name == "isinstance":
            return self._isinstance(args, node)
        if name == "getattr" and len(args) in (2, 3) and isinstance(args[1], str):
            value = self.attribute(args[0], args[1], node)
            return args[2] if len(args) == 3 and isinstance(value, Unknown) else value
        if name in ("map", "filter"):
            return self._map_filter(name, args, node)
        if name not in _PURE_BUILTINS or any(
                isinstance(v, (ModuleRef, KerasObject)) for v in (*args, *kwargs.values())):
            return self.runtime(node)  # a library value such as `sys.argv`
        found = first_unknown_in([args, kwargs]) if name not in _SHALLOW_BUILTINS else \
            next((v for v in (*args, *kwargs.values()) if isinstance(v, Unknown)), None) or \
            next((m for v in (*args, *kwargs.values()) if (m := open_ended(v))), None)
        if found is not None:
            return self.derived(found, node)
        if name not in _SHALLOW_BUILTINS and not is_plain([args, kwargs]):
            return Unknown(f"`{self.text(node)}` is not folded statically", node.lineno)
        return self._fold_builtin(name, args, kwargs, node)

    def _fold_builtin(self, name: str, args: list[Any], kwargs: dict[str, Any],
                      node: ast.Call) -> Any:
        if name == "range" and _range_too_long(args):
            return Unknown("range too long to follow", node.lineno)
        if name == "format" and len(args) > 1 and isinstance(args[1], str) and \
                format_too_wide(args[1]):
            return Unknown("format width too large to fold", node.lineno)
        if name in ("str", "repr", "ascii") and args and too_large(args[0]):
            return Unknown("value too large to fold", node.lineno)
        try:
            result = _PURE_BUILTINS[name](*args, **kwargs)
        except _FOLD_ERRORS as error:
            return Unknown(f"`{self.text(node)}` fails: {error}", node.lineno)
        return Unknown("result too large to fold", node.lineno) if too_large(result) else result

    def _isinstance(self, args: list[Any], node: ast.Call) -> Any:
        unknown = Unknown("isinstance() of this value is not evaluated statically",
                          node.lineno)
        if len(args) != 2 or isinstance(args[0], Unknown):
            return args[0] if args and isinstance(args[0], Unknown) else unknown
        kinds = args[1] if isinstance(args[1], tuple) else (args[1],)
        if not all(isinstance(k, Builtin) and k.name in _TYPE_BUILTINS for k in kinds):
            return unknown
        value = args[0]
        if not is_plain(value) and not isinstance(value, (list, tuple, dict, set)):
            # Keras objects and tensors are none of the builtin types.
            return False if isinstance(value, (Tensor, LayerObject, ModelObject,
                                               SequentialObject, KerasObject)) else unknown
        return isinstance(value, tuple(_TYPE_BUILTINS[k.name] for k in kinds))

    def _map_filter(self, name: str, args: list[Any], node: ast.Call) -> Any:
        if len(args) != 2:
            return self.runtime(node)
        items = self.iterate(args[1], node)
        if isinstance(items, Unknown):
            return items
        if args[0] is None and name == "filter":
            return [item for item in items if self.truth(item) is True]
        results = [self.call(args[0], [item], {}, node) for item in items]
        if name == "map":
            return results
        truths = [self.truth(r) for r in results]
        found = next((t for t in truths if isinstance(t, Unknown)), None)
        return found if found is not None else [i for i, t in zip(items, truths) if t]

    def call_method(self, method: BoundMethod, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        obj = method.obj
        if isinstance(obj, SequentialObject):
            return self.sequential_method(obj, method.name, args, kwargs, node)
        if isinstance(obj, ModelObject):
            if method.name == "compile":
                self.compile(obj.model, args, kwargs, node)
            if method.name == "__call__":
                return self.call(obj, args, kwargs, node)
            return None
        if isinstance(obj, Instance):
            function = obj.cls.attributes.get(method.name)
            if isinstance(function, Function):
                bound = args if _is_static(function) else [obj, *args]
                return self.call_function(function, bound, kwargs, node)
            return self.runtime(node)
        return self.call_value_method(obj, method.name, args, kwargs, node)

    def call_value_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                          node: ast.Call) -> Any:
        """A method of a list, dict, set or string, applied to the interpreter's copy."""
        marker = open_ended(obj)
        if marker is not None and name not in _GROWING_METHODS:
            return self.derived(marker, node)  # `chars.index(c)` on items nobody can list
        found = first_unknown_in([args, kwargs])
        if found is not None:
            if name not in _MUTATING_METHODS:
                return found
            if isinstance(obj, list) and name == "append":
                obj.append(found)  # one more item, its value unknown
            elif isinstance(obj, set) and name == "add":
                obj.add(found)  # one more item, unless it equals one already there
            elif isinstance(obj, (list, set, dict)):
                mark_open_ended(obj, UnknownItems(
                    f"`{self.text(node)}` changes its items in a way only known when the "
                    "script runs", node.lineno))
            return found if name in ("pop", "setdefault") else None
        if _method_too_large(obj, name, args):
            return Unknown(f"`{self.text(node)}` is too large to fold", node.lineno)
        try:
            result = getattr(obj, name)(*args, **kwargs)
        except _FOLD_ERRORS as error:
            return Unknown(f"`{self.text(node)}` fails: {error}", node.lineno)
        if isinstance(result, (type({}.keys()), type({}.values()), type({}.items()))):
            result = list(result)  # views would follow later changes of the dict
        return Unknown("result too large to fold", node.lineno) if too_large(result) else result

    def call_function(self, function: Function, args: list[Any], kwargs: dict[str, Any],
                      node: ast.AST) -> Any:
        function.called = True
        if self.call_depth >= MAX_CALL_DEPTH or self.nesting >= self.max_nesting:
            return Unknown(f"calls nested too deep to follow ({function.name})", _line(node))
        if self._cached(_is_generator, [[function.node]]):  # type: ignore[list-item]
            return Unknown(f"{function.name}() is a generator, which is not followed",
                           _line(node))
        scope = Scope(function.scope)
        self._bind(function, args, kwargs, scope, node)
        self.call_depth += 1
        self.nesting += 1
        frame = _Frame(function.name, [])
        self.frames.append(frame)
        try:
            if isinstance(function.node, ast.Lambda):
                return self.eval(function.node.body, scope)
            self.exec_block(function.node.body, scope)
            result = None
        except _Return as ret:
            result = ret.value
        except (_Break, _Continue):
            result = None
        finally:
            self.frames.pop()
            self.call_depth -= 1
            self.nesting -= 1
        return frame.uncertain_return if frame.uncertain_return is not None else result

    def _bind(self, function: Function, args: list[Any], kwargs: dict[str, Any],
              scope: Scope, node: ast.AST) -> None:
        spec = function.node.args
        params = [*spec.posonlyargs, *spec.args]
        defaults = function.defaults
        extra_kwargs = dict(kwargs)
        spread = extra_kwargs.pop("**", None)
        for i, param in enumerate(params):
            if i < len(args):
                scope.vars[param.arg] = args[i]
            elif param.arg in extra_kwargs:
                scope.vars[param.arg] = extra_kwargs.pop(param.arg)
            else:
                scope.vars[param.arg] = self._missing(function, param.arg, spread, defaults,
                                                      node)
        for param in spec.kwonlyargs:
            if param.arg in extra_kwargs:
                scope.vars[param.arg] = extra_kwargs.pop(param.arg)
            else:
                scope.vars[param.arg] = self._missing(function, param.arg, spread, defaults,
                                                      node)
        if spec.vararg is not None:
            scope.vars[spec.vararg.arg] = tuple(args[len(params):])
        if spec.kwarg is not None:
            scope.vars[spec.kwarg.arg] = spread if spread is not None else extra_kwargs

    @staticmethod
    def _missing(function: Function, name: str, spread: Any, defaults: dict[str, Any],
                 node: ast.AST) -> Any:
        """A parameter the call does not pass: from an unknown ``**kwargs``, its default,
        or unknown."""
        if spread is not None:
            return spread
        if name in defaults:
            return defaults[name]
        return Unknown(f"argument `{name}` of {function.name}() is missing", _line(node))

    def instantiate_user_class(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any],
                               node: ast.Call) -> Any:
        if cls.keras_base == "layer":
            return self.make_layer(cls.name, args, kwargs, node, custom=True)
        if cls.keras_base == "model":
            return Unknown(f"an instance of the subclassed model `{cls.name}` is not "
                           "analysed", node.lineno)
        instance = Instance(cls)
        if cls.dataclass_fields is not None:
            self._init_dataclass(instance, cls.dataclass_fields, args, kwargs, node)
            return instance
        init = cls.attributes.get("__init__")
        if isinstance(init, Function):
            self.call_function(init, [instance, *args], kwargs, node)
        return instance

    @staticmethod
    def _init_dataclass(instance: Instance, fields: list[tuple[str, Any]], args: list[Any],
                        kwargs: dict[str, Any], node: ast.Call) -> None:
        for index, (name, default) in enumerate(fields):
            if index < len(args):
                instance.attributes[name] = args[index]
            elif name in kwargs:
                instance.attributes[name] = kwargs[name]
            elif "**" in kwargs:
                instance.attributes[name] = kwargs["**"]
            elif default is not _NO_DEFAULT:
                instance.attributes[name] = default
            else:
                instance.attributes[name] = Unknown(f"field `{name}` is missing",
                                                    node.lineno)

    # ----------------------------------------------------------------- Keras
    def call_module(self, ref: ModuleRef, args: list[Any], kwargs: dict[str, Any],
                    node: ast.Call) -> Any:
        sub = keras_api.keras_path(ref.path)
        if sub is None:
            return self.runtime(node)
        kind = keras_api.kind_of(sub)
        leaf = keras_api.leaf(sub)
        if kind == "layer":
            return self.make_layer(leaf, args, kwargs, node)
        if kind == "input":
            return self.make_input(args, kwargs, node)
        if kind == "model":
            return self.make_model(args, kwargs, node)
        if kind == "sequential":
            return self.make_sequential(args, kwargs, node)
        if kind == "merge":
            return self.merge(keras_api.MERGE_FUNCTIONS[leaf], args, kwargs, node)
        if kind == "no_effect":
            if leaf == "clear_session":
                self.names.reset()
            return None
        if kind == "application":
            self.events.append(Event(
                UNSUPPORTED, f"`{self.text(node.func)}` is a pretrained application model; "
                "archlint does not analyse it, so its output is unknown", span_of(node)))
            return Unknown(f"the pretrained model `{self.text(node.func)}` is not analysed",
                           node.lineno)
        return KerasObject(ref.path, tuple(args), tuple(sorted(kwargs.items(),
                                                               key=lambda kv: kv[0])))

    def merge(self, class_name: str, args: list[Any], kwargs: dict[str, Any],
              node: ast.Call) -> Any:
        """``layers.concatenate([a, b])``: a merge layer made and called at once."""
        kwargs = dict(kwargs)
        inputs = args[0] if args else kwargs.pop("inputs", None)
        layer = self.make_layer(class_name, list(args[1:]), kwargs, node)
        return self.call_layer(layer, [inputs], {}, node)

    def make_layer(self, class_name: str, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call, custom: bool = False) -> LayerObject:
        from archlint.layers import lookup

        spec = None if custom else lookup(class_name)
        canonical = spec.class_name if spec is not None else class_name
        config = _layer_config(spec.positional if spec is not None else (), args, kwargs)
        # Shape hints for a Sequential's first layer, unless the layer reads the option itself
        # (Embedding's input_dim is its vocabulary size).
        own = spec.defaults if spec is not None else {}
        hint = {k: config.pop(k) for k in _INPUT_HINTS if k in config and k not in own} \
            if canonical != "InputLayer" else {}
        nested_flags = []
        for key, value in list(config.items()):
            if isinstance(value, LayerObject):
                nested_flags.append(value.layer.trainable)
                config[key] = value.layer.instance if value.layer.instance is not None else \
                    Unknown(f"`{value.layer.class_name}` is not supported", node.lineno)
        spread = config.pop("**", None)
        name = self._layer_name(canonical, config.pop("name", None))
        span = span_of(node)
        layer = Layer(name=name, class_name=canonical, span=span, input_hint=hint,
                      trainable=self.truth(config.pop("trainable", True)))
        if nested_flags and layer.trainable is True:
            layer.trainable = _wrapper_trainable(nested_flags, node.lineno)
        if spec is None:
            self.events.append(Event(
                UNSUPPORTED,
                f"layer class `{class_name}` is not supported by archlint; the output shape "
                f"of `{name}` and everything computed from it is unknown", span, layer=name))
        else:
            if isinstance(spread, Unknown):
                for option in spec.defaults:
                    config.setdefault(option, spread)
            self._instantiate(layer, config)
        if canonical == "InputLayer":
            self._name_symbols(layer)
        self.layers.append(layer)
        return LayerObject(layer)

    def _instantiate(self, layer: Layer, config: dict[str, Any]) -> None:
        span = layer.span
        from archlint.layers import lookup

        named: dict[str, str] = {}
        spec = lookup(layer.class_name)
        if layer.class_name == "InputLayer":
            config, named = with_named_sizes(config, self.values)
        elif spec is not None and spec.sized_options:
            config, named = with_named_options(config, spec.sized_options, self.values)
        try:
            layer.instance = instantiate(layer.class_name, config, layer.name, line=span.line,
                                         column=span.column, end_line=span.end_line,
                                         keras=self.names_version, target=self.keras)
            if named and layer.instance.unresolved is None:
                layer.instance.config["named_sizes"] = with_defaults(
                    named, self.argparse_defaults)
        except UnsupportedLayer as error:
            self.events.append(Event(UNSUPPORTED, f"layer class `{error.class_name}` "
                                     "is not supported by archlint", span, layer=layer.name))

    def _layer_name(self, class_name: str, given: Any) -> str:
        """An explicit name is kept; a missing one is Keras's automatic name; a name only
        known at run time gets a placeholder that takes no Keras name."""
        if isinstance(given, str):
            return given
        if given is not None:
            return "?" + self.unnamed.auto(class_name)
        if class_name == "InputLayer":
            return self.names.input_layer()
        return self.names.auto(class_name)

    def compile(self, model: Model, args: list[Any], kwargs: dict[str, Any],
                node: ast.Call) -> None:
        model.compile = _compile_args(args, kwargs, node)
        if self.names_version is not None:
            self.events += compile_events(model.compile.loss, model.compile.optimizer, node,
                                          self.names_version, model.name)

    def make_input(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        layer = self.make_layer("InputLayer", args, kwargs, node).layer
        return Tensor(self._input_call(layer))

    def _input_call(self, layer: Layer) -> TensorRef:
        """The one call of an input layer, which makes its tensor."""
        if not layer.calls:
            call = Call(layer=layer, inbound=[], span=layer.span, order=len(self.calls))
            layer.calls.append(call)
            self.calls.append(call)
        return TensorRef(layer.calls[0], 0)

    def _name_symbols(self, layer: Layer) -> None:
        name_symbols(layer, self.symbol_uses)

    def call_layer(self, obj: LayerObject, args: list[Any], kwargs: dict[str, Any],
                   node: ast.Call) -> Any:
        inputs = args[0] if args else kwargs.get("inputs")
        items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        refs = []
        for item in items:
            if not isinstance(item, Tensor):
                return item if isinstance(item, Unknown) else Unknown(
                    f"`{obj.layer.name}` is called on something that is not a Keras tensor",
                    node.lineno)
            refs.append(item.ref)
        call = Call(layer=obj.layer, inbound=refs, span=span_of(node), order=len(self.calls),
                    side_inputs=_side_inputs(args[1:], kwargs))
        obj.layer.calls.append(call)
        self.calls.append(call)
        if obj.layer.instance is not None and _multi_output(obj.layer.instance):
            from archlint.engine import infer_call

            infer_call(call)
            if isinstance(call.output, list):
                return [Tensor(TensorRef(call, i)) for i in range(len(call.output))]
        return Tensor(TensorRef(call, 0))

    def make_model(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        inputs = args[0] if args else kwargs.get("inputs")
        outputs = args[1] if len(args) > 1 else kwargs.get("outputs")
        name = kwargs.get("name", args[2] if len(args) > 2 else None)
        model = Model(name=name if isinstance(name, str) else self.names.functional_model(),
                      kind="functional", span=span_of(node))
        for label, value, target in (("inputs", inputs, model.inputs),
                                     ("outputs", outputs, model.outputs)):
            tensors = _flatten_tensors(value)
            if isinstance(tensors, Unknown):
                model.unresolved.append(Unknown(f"the model's {label}: {tensors.reason}",
                                                tensors.line or node.lineno))
            else:
                target.extend(t.ref for t in tensors)
        self.models.append(model)
        return ModelObject(model)

    # ----------------------------------------------------------------- Sequential
    def make_sequential(self, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        items = args[0] if args else kwargs.get("layers")
        name = kwargs.get("name", args[2] if len(args) > 2 else None)
        model = Model(name=name if isinstance(name, str) else self.names.sequential_model(),
                      kind="sequential", span=span_of(node))
        sequential = SequentialObject(model)
        self.sequentials.append(sequential)
        self.models.append(model)
        if isinstance(items, (list, tuple)):
            for item in items:
                self.sequential_add(sequential, item, rebuild=False)
            self._sequential_rebuilt(sequential)
        elif items is not None:
            sequential.items.append(items if isinstance(items, Unknown) else Unknown(
                "the layers of this Sequential are not a list known statically",
                node.lineno))
        return sequential

    def sequential_method(self, obj: SequentialObject, name: str, args: list[Any],
                          kwargs: dict[str, Any], node: ast.Call) -> Any:
        if name == "add":
            self.sequential_add(obj, args[0] if args else kwargs.get("layer"))
        elif name == "pop" and obj.items:
            popped = obj.items.pop()
            self._sequential_rebuilt(obj)
            return popped
        elif name == "build":
            self.sequential_build(obj, args[0] if args else kwargs.get("input_shape"), node)
        elif name == "compile":
            self.compile(obj.model, args, kwargs, node)
        elif name == "__call__":
            return self.call(obj, args, kwargs, node)
        return None

    def sequential_add(self, obj: SequentialObject, item: Any, rebuild: bool = True) -> None:
        """``Sequential.add`` as Keras does it, names included: the input layer of a first
        layer's ``input_shape=`` is made here, and each rebuild takes a model name."""
        if isinstance(item, Tensor) and item.ref.call.layer.class_name == "InputLayer":
            item = LayerObject(item.ref.call.layer)  # keras.Input() as the first item
        if not obj.items and isinstance(item, LayerObject):
            config = _input_config(item.layer.input_hint)
            if config is None and self.keras == "2":
                config = _keras2_implicit_input(item.layer)
            if config is not None:
                obj.items.append(self._implicit_input(item.layer.name, config,
                                                      item.layer.span))
        obj.items.append(item)
        if rebuild:
            self._sequential_rebuilt(obj)

    def sequential_build(self, obj: SequentialObject, shape: Any, node: ast.Call) -> None:
        if shape is None or not obj.items:
            return  # Keras does not build without a shape or layers
        if not _is_input_item(obj.items[0]):
            first = obj.items[0]
            first_name = first.layer.name if isinstance(first, LayerObject) else "sequential"
            obj.items.insert(0, self._implicit_input(first_name, {"batch_input_shape": shape},
                                                     span_of(node)))
        self.names.sequential_built()

    def _sequential_rebuilt(self, obj: SequentialObject) -> None:
        if len(obj.items) > 1 and _is_input_item(obj.items[0]):
            self.names.sequential_built()

    def _implicit_input(self, first_layer_name: str, config: dict[str, Any],
                        span: Span) -> LayerObject:
        layer = Layer(name=self.names.sequential_input_layer(first_layer_name),
                      class_name="InputLayer", span=span)
        self._instantiate(layer, config)
        self._name_symbols(layer)
        self.layers.append(layer)
        return LayerObject(layer)

    def _finish_sequential(self, obj: SequentialObject) -> None:
        """Chain a Sequential's layers into calls, from its input layer."""
        model = obj.model
        items = list(obj.items)
        current: TensorRef | None = None
        if items and _is_input_item(items[0]):
            current = self._input_call(items.pop(0).layer)
            model.inputs.append(current)
        elif any(isinstance(item, LayerObject) for item in items):
            first = next(i for i in items if isinstance(i, LayerObject)).layer
            also = ""
            if self.keras == "both" and _keras2_implicit_input(first) is not None:
                also = (" under Keras 3; tf-keras (Keras 2) builds it at once, its first "
                        f"layer ({first.class_name}) taking an input of shape "
                        f"{_keras2_implicit_input(first)['shape']}")
            model.unresolved.append(Unknown(
                "the Sequential model has no input shape (no Input, input_shape= or "
                f"build()), so Keras does not build it until it sees data{also}",
                model.span.line))
        for item in items:
            if not isinstance(item, LayerObject):
                model.unresolved.append(item if isinstance(item, Unknown) else Unknown(
                    "an item of the Sequential model is not a layer known statically",
                    model.span.line))
                current = None
            elif current is None:
                model.layers.append(item.layer)
            else:
                call = Call(layer=item.layer, inbound=[current], span=item.layer.span,
                            order=len(self.calls))
                item.layer.calls.append(call)
                self.calls.append(call)
                current = TensorRef(call, 0)
        if current is not None:
            model.outputs.append(current)
        if model.unresolved:
            # Its layers are known even where the chain is not: their parameters then count
            # as unknown rather than as absent.
            model.layers.extend(item.layer for item in items if isinstance(item, LayerObject)
                                and item.layer not in model.layers)


class _LoopContext:
    """Registers a loop body with the current frame while the loop runs."""

    def __init__(self, loops: list[ast.stmt], loop: ast.stmt):
        self.loops = loops
        self.loop = loop

    def __enter__(self) -> None:
        self.loops.append(self.loop)

    def __exit__(self, *exc: object) -> None:
        self.loops.pop()


_INPUT_HINTS = ("input_shape", "batch_input_shape", "input_dim", "batch_size")
_NO_DEFAULT = object()


def _layer_config(positional: tuple[str, ...], args: list[Any],
                  kwargs: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = dict(zip(positional, args))
    config.update(kwargs)
    return config


def _input_config(hint: dict[str, Any]) -> dict[str, Any] | None:
    """The InputLayer options a first layer's Keras 2 style hints stand for."""
    if "input_shape" in hint:
        return {"shape": hint["input_shape"], "batch_size": hint.get("batch_size")}
    if "batch_input_shape" in hint:
        return {"batch_input_shape": hint["batch_input_shape"]}
    if "input_dim" in hint:
        dim = hint["input_dim"]
        return {"shape": (dim,)}  # input_dim is one size, even when the data decides it
    return None


def _keras2_implicit_input(layer: Layer) -> dict[str, Any] | None:
    """The input tf-keras gives a Sequential's first layer on its own: an Embedding takes
    ``(input_length,)``, or a variable length (Keras 3 waits for data)."""
    if layer.class_name != "Embedding" or layer.instance is None:
        return None
    length = layer.instance.config.get("input_length")
    return {"shape": (length if isinstance(length, int) else None,)}


def _is_input_item(item: Any) -> bool:
    return isinstance(item, LayerObject) and item.layer.class_name == "InputLayer"


def _compile_args(args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> CompileArgs:
    loss = kwargs.get("loss", args[1] if len(args) > 1 else None)
    loss_node = next((k.value for k in node.keywords if k.arg == "loss"), None)
    if loss_node is None and len(node.args) > 1:
        loss_node = node.args[1]
    return CompileArgs(span=span_of(node), loss=loss,
                       loss_source=_short_source(loss_node) if loss_node is not None else None,
                       optimizer=kwargs.get("optimizer", args[0] if args else None),
                       metrics=kwargs.get("metrics", args[2] if len(args) > 2 else None))


def _multi_output(instance: Any) -> bool:
    config = instance.config
    return bool(config.get("return_state")) or (
        instance.class_name == "Bidirectional" and config.get("merge_mode", "concat") is None)


def _side_inputs(args: list[Any], kwargs: dict[str, Any]) -> list[TensorRef]:
    """Tensors among a layer call's other arguments (``initial_state=[h, c]``, ``mask=``)."""
    found = []
    for name, value in [*enumerate(args), *kwargs.items()]:
        if name == "inputs":
            continue
        tensors = _flatten_tensors(value)
        if not isinstance(tensors, Unknown):
            found.extend(tensor.ref for tensor in tensors)
    return found


def _flatten_tensors(value: Any) -> list[Tensor] | Unknown:
    """The tensors of a (nested) list, tuple or dict of tensors, in order."""
    out: list[Tensor] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Tensor):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, Unknown):
            return item
        else:
            return Unknown("not a Keras tensor")
    return out


def _mark_referenced(value: Any) -> None:
    """Mark the layers in a (nested) value as used outside the graph."""
    stack, seen = [value], 0
    while stack and seen < 10_000:
        item, seen = stack.pop(), seen + 1
        if isinstance(item, LayerObject):
            item.layer.referenced = True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def _holds_tensor(value: Any) -> bool:
    """Whether a (nested) argument holds a Keras tensor of the graph being built."""
    stack, seen = [value], 0
    while stack and seen < 10_000:
        item, seen = stack.pop(), seen + 1
        if isinstance(item, Tensor):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def _joins_sequences(op: ast.operator, left: Any, right: Any) -> bool:
    """``[a] + [b]`` and ``[x] * 3`` work whatever the items are (tensors, layers)."""
    if isinstance(op, ast.Add):
        return type(left) is type(right) and isinstance(left, (list, tuple))
    if isinstance(op, ast.Mult):
        return isinstance(left, (list, tuple)) and isinstance(right, int) and \
            not isinstance(right, bool)
    return False


def _method_too_large(obj: Any, name: str, args: list[Any]) -> bool:
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


def _range_too_long(args: list[Any]) -> bool:
    try:
        return len(range(*args)) > MAX_SEQUENCE
    except (TypeError, ValueError, OverflowError):
        return False


def _runtime_kind(source: str) -> str:
    """What an unresolved call or name stands for, guessed from its text."""
    if "parse_args" in source or "parse_known_args" in source or "argv" in source:
        return COMMAND_LINE
    if "environ" in source or "getenv" in source:
        return ENVIRONMENT
    return RUNTIME


def _short_source(node: ast.AST) -> str:
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


def _free_frames() -> int:
    """How many more Python frames the interpreter may use before the recursion limit."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return sys.getrecursionlimit() - depth - FREE_FRAMES


def _touched_names(bodies: list[list[ast.stmt]]) -> tuple[set[str], set[str], bool]:
    """Variables the bodies assign, variables whose object they change in place (a method
    call ``items.append(x)``, an item ``cfg["units"] = 8``), and whether they set some
    ``.trainable``."""
    assigned: set[str] = set()
    mutated: set[str] = set()
    sets_trainable = False
    for body in bodies:
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                assigned.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                    node.attr == "trainable":
                sets_trainable = True
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                assigned.add(node.name)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and \
                    node.func.attr in _CHANGING_METHODS:
                mutated.add(node.func.value.id)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and \
                    isinstance(node.value, ast.Name):
                mutated.add(node.value.id)
    return assigned, mutated, sets_trainable


def _grown_only(bodies: list[list[ast.stmt]]) -> set[str]:
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
            if used & _CHANGING_METHODS and not (used & _CHANGING_METHODS) - _GROWING_METHODS
            and "[]=" not in used and "insert" not in used}


def _known_position(container: Any, key: Any) -> bool:
    """Whether ``container[key]`` is one of the items known before its unknown ones."""
    if isinstance(container, (list, tuple)) and isinstance(key, int) and \
            not isinstance(key, bool) and key >= 0:
        marker = open_ended(container)
        return key < next(i for i, item in enumerate(container) if item is marker)
    if isinstance(container, dict):
        return key in container and not isinstance(key, Unknown)
    return False


def _jumps(bodies: list[list[ast.stmt]]) -> set[str]:
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


def _is_generator(bodies: list[list[ast.AST]]) -> bool:
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


def _is_static(function: Function) -> bool:
    node = function.node
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _is_dataclass_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "dataclass"


def _dataclass_fields(stmt: ast.ClassDef, body_scope: Scope) -> list[tuple[str, Any]]:
    fields: list[tuple[str, Any]] = []
    for node in stmt.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                "ClassVar" not in ast.unparse(node.annotation):
            name = node.target.id
            fields.append((name, body_scope.vars.get(name, _NO_DEFAULT)
                           if node.value is not None else _NO_DEFAULT))
    return fields


def _model_builders(functions: list[Function]) -> list[Function]:
    """The functions that build a model, directly or through another one of the list."""
    builders = {f.name for f in functions if _builds_model(f.node)}  # type: ignore[arg-type]
    changed = True
    while changed:
        changed = False
        for function in functions:
            if function.name not in builders and _names_in(function.node) & builders:
                builders.add(function.name)
                changed = True
    return [f for f in functions if f.name in builders]


def _names_of(bodies: list[list[ast.AST]]) -> set[str]:
    return _names_in(bodies[0][0])


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _outermost(functions: list[Function]) -> list[Function]:
    """The functions no other one of the list refers to: a factory that calls a helper
    factory is analysed once, through the outer one."""
    referenced: set[str] = set()
    for function in functions:
        referenced |= _names_in(function.node) - {function.name}
    return [f for f in functions if f.name not in referenced]


def _parameters_without_default(function: ast.FunctionDef) -> list[ast.arg]:
    spec = function.args
    params = [*spec.posonlyargs, *spec.args]
    required = params[:len(params) - len(spec.defaults)]
    required += [p for p, d in zip(spec.kwonlyargs, spec.kw_defaults) if d is None]
    return [p for p in required if p.arg not in ("self", "cls")]


def _builds_model(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("Model", "Sequential", "Functional"):
                return True
    return False


def iter_models(interp: Interpreter) -> Iterator[Model]:
    yield from interp.models



def _wrapper_trainable(nested: list[bool | Unknown], line: int) -> bool | Unknown:
    """A wrapper's weights are its layers' (a Bidirectional's backward copy has the forward
    layer's flag): non-trainable when every wrapped layer is, else unknown when any is."""
    if all(flag is False for flag in nested):
        return False
    if all(flag is True for flag in nested):
        return True
    return Unknown("`trainable` differs between the layers this wrapper holds: archlint "
                   "does not split their weights", line)
