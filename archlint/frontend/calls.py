"""The Python half of the front end, second layer: calls.

A call of the script's own function runs its body in a new scope; of its own class, makes
an instance (``__init__`` or the @dataclass fields); of a builtin or a method of a plain
value, folds it when its arguments are known. A call of the library's names or values is
the ``Library``'s.
"""

from __future__ import annotations

import ast
from typing import Any

from archlint.frontend.code_walks import NO_DEFAULT, is_generator, is_static_method
from archlint.frontend.expressions import ExpressionEvaluator
from archlint.frontend.folding import (
    FOLD_ERRORS,
    GROWING_METHODS,
    LIBRARY_FOLDS,
    MUTATING_METHODS,
    PURE_BUILTINS,
    RUNTIME_BUILTINS,
    SHALLOW_BUILTINS,
    TUNER_METHODS,
    TYPE_BUILTINS,
    method_too_large,
    range_too_long,
    runtime_kind,
)
from archlint.frontend.scope import (
    MAX_CALL_DEPTH,
    Break,
    Continue,
    Frame,
    Return,
    Scope,
    line_of,
)
from archlint.frontend.values import (
    COMMAND_LINE,
    RUNTIME,
    TUNER,
    UNCOMPUTED,
    BoundFunction,
    BoundMethod,
    Builtin,
    Function,
    HostObject,
    Instance,
    LibraryMethod,
    ModuleRef,
    RuntimeValue,
    SuperRef,
    UnknownItems,
    UserClass,
    first_unknown_in,
    format_too_wide,
    is_plain,
    mark_open_ended,
    open_ended,
    too_large,
)
from archlint.unknown import Unknown


class CallEvaluator(ExpressionEvaluator):
    """Expressions, calls included. Statements are the subclass's (``evaluator.Evaluator``)."""

    def exec_block(self, body: list[ast.stmt], scope: Scope) -> None:
        raise NotImplementedError  # evaluator.Evaluator

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
        self.library.passed_on([args, kwargs])  # a layer passed on (`ds.map(f, layer)`) is used
        return self.call(callee, args, kwargs, node)

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if isinstance(callee, Unknown):
            kind = TUNER if isinstance(node.func, ast.Attribute) and \
                node.func.attr in TUNER_METHODS else None
            return self.derived(callee, node, kind)
        if isinstance(callee, Function):
            return self.call_function(callee, args, kwargs, node)
        if isinstance(callee, ModuleRef):
            fold = LIBRARY_FOLDS.get(callee.path)
            if fold is not None and not kwargs and is_plain(args):
                try:
                    result = fold(*args)
                except FOLD_ERRORS as error:
                    return Unknown(f"`{self.text(node)}` fails: {error}", node.lineno)
                return Unknown("result too large to fold", node.lineno) \
                    if too_large(result) else result
            decided = _pure_library_call(callee.path) and _script_decided([args, kwargs])
            if self.library.knows(callee.path):
                made = self.library.call_module(callee, args, kwargs, node)
                if decided and isinstance(made, RuntimeValue) and made.kind == RUNTIME:
                    return self.runtime(node, UNCOMPUTED)
                return made
            return self.runtime(node, UNCOMPUTED if decided and runtime_kind(
                self.text(node)) == RUNTIME else None)
        if isinstance(callee, self.library_types):
            return self.library.call(callee, args, kwargs, node)
        if isinstance(callee, BoundMethod):
            return self.call_method(callee, args, kwargs, node)
        if isinstance(callee, UserClass):
            return self.instantiate_user_class(callee, args, kwargs, node)
        if isinstance(callee, Builtin):
            return self.call_builtin(callee.name, args, kwargs, node)
        if isinstance(callee, BoundFunction):
            return self.call_function(callee.function, [callee.obj, *args], kwargs, node)
        if isinstance(callee, LibraryMethod):
            return self.library.call_base_method(callee.obj, callee.name, args, kwargs, node)
        return self.runtime(node)

    def make_super(self, args: list[Any], node: ast.Call) -> Any:
        """``super()`` in a method, or ``super(Cls, self)``."""
        if len(args) == 2 and isinstance(args[0], UserClass):
            return SuperRef(args[0], args[1])
        frame = self.frames[-1] if self.frames else None
        if not args and frame is not None and isinstance(frame.owner, UserClass):
            return SuperRef(frame.owner, frame.first_arg)
        return self.runtime(node)

    def super_attribute(self, ref: SuperRef, attr: str, node: ast.expr) -> Any:
        """``super().attr``: the next script class that defines it, else the library's
        base class (for a class deriving from one), else ``object``'s."""
        found, value = ref.cls.member(attr, after=ref.cls)
        if found:
            return BoundFunction(value, ref.obj) if isinstance(value, Function) else value
        if ref.cls.keras_base is not None:
            return LibraryMethod(ref.obj, attr)
        if attr == "__init__":
            return Builtin("object.__init__")
        return self.runtime(node)

    def call_builtin(self, name: str, args: list[Any], kwargs: dict[str, Any],
                     node: ast.Call) -> Any:
        if name in ("print", "object.__init__"):
            return None  # prints nothing: the script is never run
        if name == "super":
            return self.make_super(args, node)
        if name in RUNTIME_BUILTINS:
            return self.runtime(node, COMMAND_LINE if name == "input" else None)
        if name == "isinstance":
            return self._isinstance(args, node)
        if name == "getattr" and len(args) in (2, 3) and isinstance(args[1], str):
            value = self.attribute(args[0], args[1], node)
            return args[2] if len(args) == 3 and isinstance(value, Unknown) else value
        if name in ("map", "filter"):
            return self._map_filter(name, args, node)
        if name not in PURE_BUILTINS or any(
                isinstance(v, self.runtime_arguments) for v in (*args, *kwargs.values())):
            return self.runtime(node)  # a library value such as `sys.argv`
        found = first_unknown_in([args, kwargs]) if name not in SHALLOW_BUILTINS else \
            next((v for v in (*args, *kwargs.values()) if isinstance(v, Unknown)), None) or \
            next((m for v in (*args, *kwargs.values()) if (m := open_ended(v))), None)
        if found is not None:
            return self.derived(found, node)
        if name not in SHALLOW_BUILTINS and not is_plain([args, kwargs]):
            return Unknown(f"`{self.text(node)}` is not folded statically", node.lineno)
        return self._fold_builtin(name, args, kwargs, node)

    def _fold_builtin(self, name: str, args: list[Any], kwargs: dict[str, Any],
                      node: ast.Call) -> Any:
        if name == "range" and range_too_long(args):
            return Unknown("range too long to follow", node.lineno)
        if name == "format" and len(args) > 1 and isinstance(args[1], str) and \
                format_too_wide(args[1]):
            return Unknown("format width too large to fold", node.lineno)
        if name in ("str", "repr", "ascii") and args and too_large(args[0]):
            return Unknown("value too large to fold", node.lineno)
        try:
            result = PURE_BUILTINS[name](*args, **kwargs)
        except FOLD_ERRORS as error:
            return Unknown(f"`{self.text(node)}` fails: {error}", node.lineno)
        return Unknown("result too large to fold", node.lineno) if too_large(result) else result

    def _isinstance(self, args: list[Any], node: ast.Call) -> Any:
        unknown = Unknown("isinstance() of this value is not evaluated statically",
                          node.lineno)
        if len(args) != 2 or isinstance(args[0], Unknown):
            return args[0] if args and isinstance(args[0], Unknown) else unknown
        kinds = args[1] if isinstance(args[1], tuple) else (args[1],)
        value = args[0]
        if isinstance(value, self.library_types) and all(
                isinstance(k, (ModuleRef, UserClass, Builtin)) for k in kinds):
            answers = [False if isinstance(k, Builtin) else self.library.is_instance(value, k)
                       for k in kinds]
            if any(a is True for a in answers):
                return True
            return False if all(a is False for a in answers) else unknown
        if not all(isinstance(k, Builtin) and k.name in TYPE_BUILTINS for k in kinds):
            return unknown
        if not is_plain(value) and not isinstance(value, (list, tuple, dict, set)):
            # The library's objects (tensors, layers) are none of the builtin types.
            return False if isinstance(value, self.library_types) else unknown
        return isinstance(value, tuple(TYPE_BUILTINS[k.name] for k in kinds))

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
        if isinstance(obj, HostObject):
            return obj.call_method(method.name, args, kwargs, node.lineno)
        if isinstance(obj, self.library_types):
            return self.library.call_method(obj, method.name, args, kwargs, node)
        if isinstance(obj, Instance):
            function = obj.cls.member(method.name)[1]
            if isinstance(function, Function):
                bound = args if is_static_method(function) else [obj, *args]
                return self.call_function(function, bound, kwargs, node)
            return self.runtime(node)
        return self.call_value_method(obj, method.name, args, kwargs, node)

    def call_value_method(self, obj: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                          node: ast.Call) -> Any:
        """A method of a list, dict, set or string, applied to the interpreter's copy."""
        marker = open_ended(obj)
        if marker is not None and name not in GROWING_METHODS:
            return self.derived(marker, node)  # `chars.index(c)` on items nobody can list
        found = first_unknown_in([args, kwargs])
        if found is not None:
            if name not in MUTATING_METHODS:
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
        if method_too_large(obj, name, args):
            return Unknown(f"`{self.text(node)}` is too large to fold", node.lineno)
        try:
            result = getattr(obj, name)(*args, **kwargs)
        except FOLD_ERRORS as error:
            return Unknown(f"`{self.text(node)}` fails: {error}", node.lineno)
        if isinstance(result, (type({}.keys()), type({}.values()), type({}.items()))):
            result = list(result)  # views would follow later changes of the dict
        return Unknown("result too large to fold", node.lineno) if too_large(result) else result

    def call_function(self, function: Function, args: list[Any], kwargs: dict[str, Any],
                      node: ast.AST) -> Any:
        function.called = True
        if self.call_depth >= MAX_CALL_DEPTH or self.nesting >= self.max_nesting:
            return Unknown(f"calls nested too deep to follow ({function.name})", line_of(node))
        if self._cached(is_generator, [[function.node]]):
            return Unknown(f"{function.name}() is a generator, which is not followed",
                           line_of(node))
        scope = Scope(function.scope)
        self._bind(function, args, kwargs, scope, node)
        self.call_depth += 1
        self.nesting += 1
        frame = Frame(function.name, [], owner=function.owner,
                      first_arg=scope.vars.get(_first_param(function) or ""))
        self.frames.append(frame)
        try:
            if isinstance(function.node, ast.Lambda):
                return self.eval(function.node.body, scope)
            self.exec_block(function.node.body, scope)
            result = None
        except Return as ret:
            result = ret.value
        except (Break, Continue):
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
        return Unknown(f"argument `{name}` of {function.name}() is missing", line_of(node))

    def instantiate_user_class(self, cls: UserClass, args: list[Any], kwargs: dict[str, Any],
                               node: ast.Call) -> Any:
        if cls.keras_base is not None:
            return self.library.instantiate(cls, args, kwargs, node)
        instance = Instance(cls)
        cls.instances.append(instance)
        if cls.dataclass_fields is not None:
            self._init_dataclass(instance, cls.dataclass_fields, args, kwargs, node)
            return instance
        init = cls.member("__init__")[1]
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
            elif default is not NO_DEFAULT:
                instance.attributes[name] = default
            else:
                instance.attributes[name] = Unknown(f"field `{name}` is missing",
                                                    node.lineno)


# Libraries whose functions compute from their arguments alone (files, randomness and
# time excepted): on known arguments, the script decides their result, not the data.
_PURE_LIBRARIES = ("numpy.", "math.", "tensorflow.constant", "tensorflow.convert_to_tensor",
                   "tensorflow.math.", "tensorflow.cast", "tensorflow.range")
_IMPURE = ("numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile",
           "numpy.memmap", "numpy.random.", "numpy.lib.")


def _pure_library_call(path: str) -> bool:
    return path.startswith(_PURE_LIBRARIES) and not path.startswith(_IMPURE)


def _script_decided(value: Any) -> bool:
    """Whether a (nested) argument is known, or computed by library calls on known
    values only: the script decides it, not the data."""
    stack, seen = [value], 0
    while stack and seen < 10_000:
        item, seen = stack.pop(), seen + 1
        if isinstance(item, RuntimeValue):
            if item.kind != UNCOMPUTED:
                return False
        elif isinstance(item, Unknown):
            return False
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif not is_plain(item):
            return False
    return True


def _first_param(function: Function) -> str | None:
    """The name of a method's ``self``."""
    spec = function.node.args
    params = [*spec.posonlyargs, *spec.args]
    return params[0].arg if params and function.owner is not None else None
