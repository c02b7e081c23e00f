"""The Python half of the front end, first layer: evaluating expressions.

Values the script computes from literals (constants, containers, f-strings, arithmetic,
comprehensions over known items) are computed exactly, within size guards; anything else
becomes an ``Unknown`` that keeps the source text and line it came from. Values of the
library the script builds with are opaque here: the ``Library`` answers for them.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from archlint.diagnostics import Event
from archlint.frontend.code_walks import names_of
from archlint.frontend.folding import (
    BINOPS,
    CMPOPS,
    FOLD_ERRORS,
    KNOWN_BUILTINS,
    LIBRARY_CONSTANTS,
    MUTATING_METHODS,
    SAFE_METHODS,
    TUNER_METHODS,
    UNARY_OPS,
    joins_sequences,
    known_position,
    runtime_kind,
    short_source,
)
from archlint.frontend.library import Library
from archlint.frontend.scope import (
    INERT_LOOP_STEPS,
    MAX_STEPS,
    PROBE_PASSES,
    Frame,
    OutOfBudget,
    Scope,
    line_of,
)
from archlint.frontend.values import (
    DATA_SHAPE,
    MAX_SEQUENCE,
    RUNTIME,
    TUNER,
    BoundMethod,
    Builtin,
    Function,
    HostObject,
    Instance,
    ModuleRef,
    RuntimeValue,
    SuperRef,
    UnknownItems,
    UserClass,
    arithmetic_too_large,
    derive_unknown,
    first_unknown_in,
    format_too_wide,
    is_plain,
    mark_open_ended,
    open_ended,
    sized,
    too_large,
)
from archlint.unknown import Unknown


class ExpressionEvaluator:
    """Evaluates the expressions of one module. Calls and assignments are completed by the
    subclasses (``calls.CallEvaluator``, ``evaluator.Evaluator``)."""

    def __init__(self, tree: ast.Module, library: Library, events: list[Event]):
        self.tree = tree
        self.library = library
        self.events = events
        self.globals = Scope()
        self.globals.vars["__name__"] = "__main__"
        self.functions: list[Function] = []
        self.star_imports: list[str] = []
        self.frames: list[Frame] = [Frame("<module>", [])]
        self.steps = 0
        self.call_depth = 0
        self.nesting = 0
        self.max_nesting = 0
        self._texts: dict[int, str] = {}
        self._walks: dict[tuple[Any, ...], Any] = {}
        # Values the library owns, and those a builtin treats as library configuration.
        self.library_types = library.value_types
        self.runtime_arguments: tuple[type, ...] = (ModuleRef, *library.config_types)
        # Methods that change an object in place: a list's, or a library object's.
        self.changing_methods = MUTATING_METHODS | library.changing_methods

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        raise NotImplementedError  # calls.CallEvaluator

    def assign(self, target: ast.expr, value: Any, scope: Scope,
               value_node: ast.expr | None = None) -> None:
        raise NotImplementedError  # evaluator.Evaluator

    def share_walks(self, other: ExpressionEvaluator) -> None:
        """Reuse the syntax walks of an evaluator of the same tree."""
        self._walks = other._walks

    def tick(self) -> None:
        """One more step of the walk: past the budget, the walk stops."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise OutOfBudget()

    def _cached(self, walk: Callable[..., Any], bodies: Sequence[Sequence[ast.AST]],
                *extra: Any) -> Any:
        """``walk(bodies, *extra)``, computed once per set of bodies: loops meet them
        again (``extra`` is the same for every call of one walk)."""
        key = (walk.__name__, *(id(stmt) for body in bodies for stmt in body),
               *(len(body) for body in bodies))
        if key not in self._walks:
            self._walks[key] = walk(bodies, *extra)
        return self._walks[key]

    # ----------------------------------------------------------------- expressions
    def eval(self, node: ast.expr, scope: Scope) -> Any:
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method is None:
            return Unknown(f"`{self.text(node)}` is not followed statically", line_of(node))
        if self.nesting >= self.max_nesting:
            return Unknown("this expression is nested too deeply to follow", line_of(node))
        self.nesting += 1
        try:
            return method(node, scope)
        finally:
            self.nesting -= 1

    def text(self, node: ast.AST) -> str:
        """Short source text of a node, for messages (cached: messages are built often)."""
        key = id(node)
        if key not in self._texts:
            self._texts[key] = short_source(node)
        return self._texts[key]

    def derived(self, base: Unknown, node: ast.AST, kind: str | None = None) -> RuntimeValue:
        """The value of ``node``, computed from the unknown ``base``."""
        source = self.text(node)
        if kind is None and runtime_kind(source) != RUNTIME:
            kind = runtime_kind(source)
        return derive_unknown(base, source, line_of(node), kind)

    def runtime(self, node: ast.AST, kind: str | None = None) -> RuntimeValue:
        """The value of ``node``, which only the running script knows."""
        source = self.text(node)
        return RuntimeValue.of(source, line_of(node), kind or runtime_kind(source))

    def expr_Constant(self, node: ast.Constant, scope: Scope) -> Any:
        return node.value

    def expr_Name(self, node: ast.Name, scope: Scope) -> Any:
        try:
            value = scope.lookup(node.id)
        except KeyError:
            pass
        else:
            if isinstance(value, self.library_types):
                self.library.used(value)
            return value
        if node.id in KNOWN_BUILTINS:
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
            kind = DATA_SHAPE if attr == "shape" else TUNER if attr in TUNER_METHODS else None
            return self.derived(base, node, kind)
        if isinstance(base, HostObject):
            return BoundMethod(base, attr)
        if isinstance(base, ModuleRef):
            path = f"{base.path}.{attr}"
            return LIBRARY_CONSTANTS[path] if path in LIBRARY_CONSTANTS else ModuleRef(path)
        if isinstance(base, self.library_types):
            return self.library.attribute(base, attr, node)
        if isinstance(base, (list, dict, str, set, bytes, tuple)) and attr in SAFE_METHODS:
            return BoundMethod(base, attr)
        if isinstance(base, Instance):
            return self.instance_attribute(base, attr, node)
        if isinstance(base, UserClass):
            found, value = base.member(attr)
            if found:
                return value
        if isinstance(base, SuperRef):
            return self.super_attribute(base, attr, node)
        return self.runtime(node)

    def super_attribute(self, ref: SuperRef, attr: str, node: ast.expr) -> Any:
        raise NotImplementedError  # calls.CallEvaluator

    def instance_attribute(self, obj: Instance, attr: str, node: ast.expr) -> Any:
        if attr in obj.attributes:
            return obj.attributes[attr]
        found, value = obj.cls.member(attr)
        if isinstance(value, Function):
            return BoundMethod(obj, attr)
        if found:
            return value
        return Unknown(f"`{self.text(node)}` is not set statically", line_of(node))

    def expr_Subscript(self, node: ast.Subscript, scope: Scope) -> Any:
        base = self.eval(node.value, scope)
        key = self.eval(node.slice, scope)
        if isinstance(base, Unknown):
            return self.derived(base, node)
        if isinstance(key, Unknown):
            return key
        marker = open_ended(base)
        if marker is not None and not known_position(base, key):
            return self.derived(marker, node)
        if isinstance(base, (list, tuple, dict, str, range, bytes)):
            try:
                return base[key]
            except FOLD_ERRORS as error:
                return Unknown(f"`{self.text(node)}` fails: {error}", line_of(node))
        if isinstance(base, self.library_types):
            return self.library.subscript(base, key, node)
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
        conversions: dict[int, Callable[[Any], str]] = {115: str, 114: repr, 97: ascii}
        conversion = conversions.get(node.conversion)
        if conversion is not None:
            value = conversion(value)
        try:
            return format(value, spec)
        except FOLD_ERRORS:
            return Unknown(f"cannot format `{self.text(node.value)}`", node.lineno)

    def expr_BinOp(self, node: ast.BinOp, scope: Scope) -> Any:
        return self.binop(node.op, self.eval(node.left, scope), self.eval(node.right, scope),
                          node)

    def binop(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        line = line_of(node)
        size = sized(op, left, right)
        if size is not None:
            return size
        for side in (left, right):
            if isinstance(side, RuntimeValue) and side.source:
                return self._computed_from(side, node)
            if isinstance(side, Unknown):
                return side
        if isinstance(left, self.library_types) or isinstance(right, self.library_types):
            refused = self.library.arithmetic(left, right, node)
            if refused is not None:
                return refused
        if arithmetic_too_large(type(op), left, right):
            return Unknown(f"`{self.text(node)}` is too large to fold", line)
        if joins_sequences(op, left, right):
            return left + right if isinstance(op, ast.Add) else left * right
        if not (is_plain(left) and is_plain(right)):
            return Unknown(f"`{self.text(node)}` is only known when the script runs", line)
        function = BINOPS.get(type(op))
        if function is None:
            return Unknown("unsupported operator", line)
        try:
            result = function(left, right)
        except FOLD_ERRORS as error:  # e.g. ZeroDivisionError: the script would fail too
            return Unknown(f"`{self.text(node)}` fails: {error}", line)
        return Unknown("result too large to fold", line) if too_large(result) else result

    def _computed_from(self, value: RuntimeValue, node: ast.AST) -> Unknown:
        """A runtime value's arithmetic: named after the whole expression at module level
        (a named size must stand for the value itself, not one operand of it); inside a
        function the text names local variables that differ between calls: unnamed."""
        if len(self.frames) > 1:
            return Unknown(value.reason, value.line)
        return derive_unknown(value, self.text(node), line_of(node))

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
            return UNARY_OPS[type(node.op)](value)
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
                           line_of(node))
        try:
            return bool(CMPOPS[type(op)](left, right))
        except FOLD_ERRORS as error:
            return Unknown(f"`{self.text(node)}` fails: {error}", line_of(node))

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
        for name in self._cached(names_of, [[node]]):
            with contextlib.suppress(KeyError):
                value = scope.lookup(name)
                if isinstance(value, self.library_types):
                    self.library.used(value)

    def _defaults(self, spec: ast.arguments, scope: Scope) -> dict[str, Any]:
        """Default values, computed once where the function is defined, as Python does."""
        params = [*spec.posonlyargs, *spec.args]
        defaults: dict[str, Any] = {}
        for param, node in zip(params[len(params) - len(spec.defaults):], spec.defaults):
            defaults[param.arg] = self.eval(node, scope)
        for param, default in zip(spec.kwonlyargs, spec.kw_defaults):
            if default is not None:
                defaults[param.arg] = self.eval(default, scope)
        return defaults

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
            built, start = self.library.progress(), self.steps
            for position, item in enumerate(items):
                if position == PROBE_PASSES and self.library.progress() == built and \
                        (self.steps - start) * (len(items) - position) > \
                        INERT_LOOP_STEPS * position:
                    return Unknown(f"the comprehension over `{self.text(gen.iter)}` builds "
                                   "no layer and is too long to follow", line_of(gen.iter))
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

    def expr_ListComp(self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp,
                      scope: Scope) -> Any:
        out: list[Any] = []
        failed = self._comprehension(node.generators, scope,
                                     lambda s: out.append(self.eval(node.elt, s)))
        return failed if failed is not None else out

    expr_GeneratorExp = expr_ListComp

    def expr_SetComp(self, node: ast.SetComp, scope: Scope) -> Any:
        result = self.expr_ListComp(node, scope)
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
                not self.library.knows(value.path):
            return RuntimeValue.of(value.path, None)  # a library's value, like `sys.argv`
        if isinstance(value, (ModuleRef, Function, UserClass, Instance, Builtin,
                              BoundMethod, *self.library_types)):
            return True
        return Unknown("the truth of this value is not known statically")

    def iterate(self, value: Any, node: ast.AST | None = None) -> list[Any] | Unknown:
        line = line_of(node) if node is not None else None
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
        if isinstance(value, self.library_types):
            items = self.library.iterate(value)
            if items is not None:
                return items
        return Unknown("iterating over this value is not followed statically", line)
