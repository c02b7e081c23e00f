"""One-layer cases read from the layer tests that ship with the installed Keras 3.

Keras's ``keras/src/layers/**/*_test.py`` call ``self.run_layer_test(layers.X,
init_kwargs={...}, input_shape=(...), ...)``, often under ``@parameterized`` decorators.
The files are parsed with ``ast``, never imported or run: every call whose arguments are
literals (once the decorator's values, module constants and the test's own single
assignments are put in) becomes a ``KerasLayerCase``; every other call is counted as
skipped, with the reason. A class or function the test defines (a cell, a Wrapper
subclass, a function for Lambda) is put in the script from the test file's source
(tests/keras_case_definitions.py).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.keras_case_definitions import TestDefined, script_head, test_import

# Arguments of run_layer_test that say how the layer is built and called; the others
# (expected_*, supports_masking, run_training_check...) are Keras's own assertions.
_INPUT_ARGS = ("input_shape", "input_dtype", "call_kwargs")


@dataclass(frozen=True)
class LayerRef:
    """``layers.X`` in a test: a Keras layer class named by the test."""

    name: str

    def source(self) -> str:
        return f"layers.{public_layer_names().get(self.name, self.name)}"


@dataclass(frozen=True)
class KerasRef:
    """``regularizers.L2``, ``activations.gelu``: an object of a Keras module the options
    take (regularizers, constraints, initializers, activations), which no shape depends on."""

    path: str

    def source(self) -> str:
        return self.path


@dataclass(frozen=True)
class LayerBuild:
    """``layers.X(...)`` (a wrapped layer), ``regularizers.L2(0.01)`` or a class the test
    defines (``OneStateRNNCell(5)``) with literal arguments, given as an option."""

    layer: LayerRef | KerasRef | TestDefined
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]

    def source(self) -> str:
        arguments = [render(a) for a in self.args]
        arguments += [f"{k}={render(v)}" for k, v in self.kwargs]
        return f"{self.layer.source()}({', '.join(arguments)})"


@dataclass(frozen=True)
class NumpyArray:
    """``np.array(literal)`` as an option (Normalization's mean, Rescaling's scale)."""

    value: Any

    def source(self) -> str:
        return f"np.array({render(self.value)})"


class NotLiteral(Exception):
    """A value the test computes: the case cannot be read without running the test."""


@dataclass
class KerasLayerCase:
    id: str
    class_name: str
    init_kwargs: dict[str, Any]
    # One shape, a tuple/list of shapes (called on the sequence), or {name: shape}.
    input_shape: Any
    input_dtype: Any = None
    call_kwargs: dict[str, Any] = field(default_factory=dict)
    sparse: bool = False  # the inputs are sparse tensors
    ragged: bool = False  # the inputs are ragged tensors
    # The class the test defines, when the layer is one (class_name is its name).
    defined: TestDefined | None = None

    def definitions(self) -> list[TestDefined]:
        """The classes and functions of the test files the script needs."""
        found: list[TestDefined] = [self.defined] if self.defined else []
        stack: list[Any] = [self.init_kwargs, self.call_kwargs]
        while stack:
            value = stack.pop()
            if isinstance(value, TestDefined):
                found.append(value)
            elif isinstance(value, LayerBuild):
                stack += [value.layer, *value.args, *(v for _, v in value.kwargs)]
            elif isinstance(value, dict):
                stack += list(value.values())
            elif isinstance(value, list | tuple):
                stack += list(value)
        return found

    def script(self) -> str:
        """A model script of this layer alone, as the test builds and calls it."""
        lines = ["import keras", "from keras import layers"]
        definitions = self.definitions()
        if definitions:
            root = _keras_layers_source()
            imports, sources = script_head(definitions, root) if root else ([], [])
            lines = imports + lines + [""] + [f"{source}\n" for source in sources]
        names: list[str] = []
        for index, (shape, dtype) in enumerate(_inputs(self.input_shape, self.input_dtype)):
            names.append(f"in{index}")
            options = f", dtype={dtype!r}" if dtype is not None else ""
            options += ", sparse=True" if self.sparse else ""
            options += ", ragged=True" if self.ragged else ""
            lines.append(f"in{index} = keras.Input(batch_shape={tuple(shape)!r}{options})")
        if isinstance(self.input_shape, dict):
            # Keras's test passes them by keyword, in the order of the call's signature
            # (query, value, key): the first one positional is the same call, as scripts write it.
            arguments = [names[0]] + [f"{_keyword(k)}={n}" for k, n in
                                      list(zip(self.input_shape, names))[1:]]
            inputs = "[" + ", ".join(names) + "]"
        else:
            arguments = [_structure(self.input_shape, names)]
            inputs = "[" + ", ".join(names) + "]" if len(names) > 1 else names[0]
        arguments += [f"{k}={render(v)}" for k, v in self.call_kwargs.items()]
        options = ", ".join(f"{k}={render(v)}" for k, v in self.init_kwargs.items())
        layer = self.class_name if self.defined else f"layers.{self.class_name}"
        lines.append(f"out = {layer}({options})({', '.join(arguments)})")
        lines.append(f"model = keras.Model({inputs}, out, name='m')")
        if "np.array(" in options:
            lines.insert(0, "import numpy as np")
        return "\n".join(lines) + "\n"


def render(value: Any) -> str:
    if isinstance(value, LayerRef | KerasRef | LayerBuild | NumpyArray | TestDefined):
        return value.source()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render(k)}: {render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(render(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(
        v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value)


def _inputs(shape: Any, dtype: Any) -> list[tuple[Any, Any]]:
    """(shape, dtype) of every input, in order."""
    if isinstance(shape, dict):
        dtypes = dtype if isinstance(dtype, dict) else {}
        return [(s, dtypes.get(k, dtype if isinstance(dtype, str) else None))
                for k, s in shape.items()]
    if _is_shape(shape):
        return [(shape, dtype)]
    dtypes = dtype if isinstance(dtype, tuple | list) else [dtype] * len(shape)
    return [pair for s, d in zip(shape, dtypes) for pair in _inputs(s, d)]


def _structure(shape: Any, names: list[str]) -> str:
    """The inputs as the test passes them: one tensor, or the same tuple/list nesting."""
    counter = iter(names)

    def build(node: Any) -> str:
        if _is_shape(node):
            return next(counter)
        parts = [build(n) for n in node]
        if isinstance(node, list):
            return "[" + ", ".join(parts) + "]"
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return build(shape)


def _keyword(key: str) -> str:
    return key.removesuffix("_shape")  # as Keras's run_layer_test names them


# ---- reading the test files ----------------------------------------------------------


def _keras_layers_source() -> Path | None:
    """keras/src/layers of the installed Keras, found without importing it."""
    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "src" / "layers"


def keras_layer_test_files() -> list[Path]:
    root = _keras_layers_source()
    return sorted(root.rglob("*_test.py")) if root else []


@functools.cache
def public_layer_names() -> dict[str, str]:
    """Class name in keras/src -> its name in ``keras.layers``, from the ``keras_export``
    decorators of the layers' sources (GroupedQueryAttention is GroupQueryAttention)."""
    root = _keras_layers_source()
    names: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")) if root else []:
        text = path.read_text(encoding="utf-8")
        if path.name.endswith("_test.py") or "keras.layers." not in text:
            continue
        for node in ast.parse(text).body:
            if not isinstance(node, ast.ClassDef):
                continue
            for decorator in node.decorator_list:
                if not (isinstance(decorator, ast.Call) and decorator.args
                        and ast.unparse(decorator.func).endswith("keras_export")):
                    continue
                exported = decorator.args[0]
                paths = exported.elts if isinstance(exported, ast.List | ast.Tuple) else [
                    exported]
                public = [p.value.rsplit(".", 1)[-1] for p in paths if isinstance(
                    p, ast.Constant) and str(p.value).startswith("keras.layers.")]
                if public:
                    names[node.name] = node.name if node.name in public else public[0]
    return names


@dataclass
class Extraction:
    cases: list[KerasLayerCase] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    calls: int = 0  # run_layer_test calls in the files, before expanding decorators
    # Classes named by a skipped call (their name in keras/src).
    skipped_classes: set[str] = field(default_factory=set)

    def classes_without_case(self) -> list[str]:
        """Classes that Keras's tests exercise, but never in a call that could be read."""
        public = public_layer_names()
        read = {c.class_name for c in self.cases}
        return sorted({public.get(n, n) for n in self.skipped_classes} - read)


def extract(files: list[Path] | None = None,
            public: dict[str, str] | None = None) -> Extraction:
    """The cases of ``files`` (the installed Keras's layer tests), classes named as
    ``keras.layers`` exports them (``public``: internal name -> exported name)."""
    files = keras_layer_test_files() if files is None else files
    found = Extraction()
    for path in files:
        _FileReader(path, found).read()
    public = public_layer_names() if public is None else public
    exported = []
    for case in found.cases:
        if case.defined is not None:
            exported.append(case)
            continue
        if case.class_name not in public:
            found.skipped["a layer class not in keras.layers"] += 1
            continue
        case.class_name = public[case.class_name]
        exported.append(case)
    found.cases = exported
    return found


class _FileReader:
    def __init__(self, path: Path, found: Extraction) -> None:
        self.path = path
        self.found = found
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.layer_modules: set[str] = set()  # names bound to keras.src.layers (or a module)
        self.layer_classes: set[str] = set()  # names imported from keras.src.layers...
        self.local_classes = {n.name: n for n in ast.walk(self.tree)
                              if isinstance(n, ast.ClassDef)}
        self.test_classes: set[str] = set()  # names imported from other test files
        self.constants: dict[str, ast.expr] = {}
        self.layer_seen = ""  # the class of the call being read
        self.option_modules: dict[str, str] = {}  # bound name -> keras.regularizers...

    def read(self) -> None:
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("keras.src"):
                for alias in node.names:
                    bound = alias.asname or alias.name
                    module = f"{node.module}.{alias.name}"
                    if node.module.endswith("_test"):
                        self.test_classes.add(bound)  # defined by another test file
                    elif module == "keras.src.layers" or node.module.startswith(
                            "keras.src.layers"):
                        (self.layer_classes if alias.name[:1].isupper()
                         else self.layer_modules).add(bound)
                    elif node.module == "keras.src" and alias.name in _OPTION_MODULES:
                        self.option_modules[bound] = f"keras.{alias.name}"
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Name)):
                self.constants[node.targets[0].id] = node.value
        for node in self.tree.body:
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        self._function(item, f"{node.name}.{item.name}")
            elif isinstance(node, ast.FunctionDef):
                self._function(node, node.name)

    def _function(self, function: ast.FunctionDef, name: str) -> None:
        calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute) and n.func.attr == "run_layer_test"]
        if not calls:
            return
        self.found.calls += len(calls)
        loops = {t.id for n in ast.walk(function) if isinstance(n, ast.For | ast.With)
                 for t in _targets(n)}
        try:
            bindings = self._bindings(function)
        except NotLiteral as error:
            self.found.skipped[f"decorator values not literal ({error})"] += len(calls)
            return
        relative = self.path.as_posix().split("/keras/src/layers/")[-1]
        for label, binding in bindings:
            for index, call in enumerate(calls):
                case_id = f"{relative}::{name}{label}#{index}"
                env = _Env(self, binding, function, call.lineno, loops)
                self.layer_seen = ""
                reason = self._case(call, case_id, env)
                if reason:
                    self.found.skipped[reason] += 1
                    if self.layer_seen:
                        self.found.skipped_classes.add(self.layer_seen)

    def _bindings(self, function: ast.FunctionDef) -> list[tuple[str, dict[str, Any]]]:
        """(label, values of the test's parameters) for every test the decorators make."""
        params = [a.arg for a in function.args.args][1:] if function.args.args and \
            function.args.args[0].arg == "self" else [a.arg for a in function.args.args]
        defaults = dict(zip(reversed(params), reversed(function.args.defaults)))
        base = {k: _Lazy(v) for k, v in defaults.items()}
        expansions: list[list[tuple[str, dict[str, Any]]]] = []
        for decorator in function.decorator_list:
            if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                    and isinstance(decorator.func.value, ast.Name)
                    and decorator.func.value.id == "parameterized"):
                continue
            expansions.append(self._decorator(decorator, params))
        out = []
        for combination in itertools.product(*expansions):
            binding = dict(base)
            for _, values in combination:
                binding.update(values)
            label = "".join(part for part, _ in combination)
            out.append((label, binding))
        return out

    def _decorator(self, decorator: ast.Call, params: list[str]) -> list[tuple[str, dict]]:
        kind = decorator.func.attr  # type: ignore[attr-defined]
        if kind == "product":
            # absl's order: the positional sequences of dicts, then one per keyword.
            grid = [[self._literal_dict(d) for d in self._sequence(a)] for a in decorator.args]
            grid += [[{k.arg: _Lazy(v)} for v in self._sequence(k.value)]
                     for k in decorator.keywords if k.arg]
            return [(f"[{i}]", {k: v for part in parts for k, v in part.items()})
                    for i, parts in enumerate(itertools.product(*grid))]
        if kind not in ("parameters", "named_parameters") or decorator.keywords:
            raise NotLiteral(f"parameterized.{kind}")
        entries: list[ast.expr] = list(decorator.args)
        if kind == "named_parameters" and len(entries) == 1 and _is_named_product(entries[0]):
            return self._named_product(entries[0])  # type: ignore[arg-type]
        if len(entries) == 1 and not isinstance(entries[0], ast.Dict | ast.Tuple):
            entries = self._sequence(entries[0])
        out = []
        for i, entry in enumerate(entries):
            entry = self._resolve(entry)
            if isinstance(entry, ast.Dict):
                values = {}
                for key, value in zip(entry.keys, entry.values):
                    if not isinstance(key, ast.Constant):
                        raise NotLiteral("a decorator's dict with computed keys")
                    values[key.value] = _Lazy(value)
                label = values.pop("testcase_name", None)
                name = label.node.value if isinstance(label, _Lazy) and isinstance(
                    label.node, ast.Constant) else i
            elif isinstance(entry, ast.Tuple | ast.List):
                elements = list(entry.elts)
                name = i
                if kind == "named_parameters":
                    first = elements.pop(0)
                    name = first.value if isinstance(first, ast.Constant) else i
                values = {p: _Lazy(e) for p, e in zip(params, elements)}
            else:
                name, values = i, {params[0]: _Lazy(entry)} if params else {}
            out.append((f"[{name}]", values))
        return out

    def _named_product(self, call: ast.Call) -> list[tuple[str, dict]]:
        """Keras's ``named_product(key=[values]...)``: each key's values in turn, outermost,
        over the combinations so far; the test's name joins each value's lowered text."""
        if call.args:
            raise NotLiteral("named_product of dicts")
        tests: list[tuple[str, dict[str, Any]]] = [("", {})]
        for keyword in call.keywords:
            if keyword.arg is None:
                raise NotLiteral("named_product(**...)")
            grown = []
            for value in self._sequence(keyword.value):
                try:
                    text = str(ast.literal_eval(value)).lower()
                except ValueError as error:
                    raise NotLiteral(ast.unparse(value)[:60]) from error
                for name, values in tests:
                    grown.append((f"{name}_{text}" if name else text,
                                  {**values, keyword.arg: _Lazy(value)}))
            tests = grown
        return [(f"[{name}]", values) for name, values in tests]

    def _literal_dict(self, node: ast.expr) -> dict[str, Any]:
        node = self._resolve(node)
        if not isinstance(node, ast.Dict) or not all(
                isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
            raise NotLiteral("parameterized.product of computed dicts")
        return {k.value: _Lazy(v) for k, v in zip(node.keys, node.values)  # type: ignore
                if isinstance(k, ast.Constant)}

    def _resolve(self, node: ast.expr) -> ast.expr:
        while isinstance(node, ast.Name) and node.id in self.constants:
            node = self.constants[node.id]
        return node

    def _sequence(self, node: ast.expr) -> list[ast.expr]:
        node = self._resolve(node)
        if isinstance(node, ast.List | ast.Tuple):
            elements: list[ast.expr] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    elements += self._sequence(element.value)
                else:
                    elements.append(element)
            return elements
        raise NotLiteral(ast.unparse(node)[:60])

    def _case(self, call: ast.Call, case_id: str, env: _Env) -> str | None:
        """Adds the case; or returns why it is skipped."""
        arguments: dict[str, ast.expr] = {k.arg: k.value for k in call.keywords if k.arg}
        if any(k.arg is None for k in call.keywords) or any(
                isinstance(a, ast.Starred) for a in call.args):
            return "arguments given with ** or *"
        names = ["layer_cls", "init_kwargs", "input_shape"]
        for position, argument in enumerate(call.args[:3]):
            arguments[names[position]] = argument
        if "layer_cls" not in arguments:
            return "no layer class"
        try:
            layer = env.value(arguments["layer_cls"])
        except NotLiteral:
            layer = None
        if isinstance(layer, TestDefined) and not isinstance(layer.node, ast.ClassDef):
            return "layer class not literal"
        if not isinstance(layer, LayerRef | TestDefined):
            return "layer class not literal"
        self.layer_seen = layer.name
        if "input_data" in arguments:
            try:
                shape, dtype = env.data_spec(arguments.pop("input_data"))
            except NotLiteral:
                return "input_data not literal"
            arguments["input_shape"] = ast.Constant(shape)
            if dtype is not None and "input_dtype" not in arguments:
                arguments["input_dtype"] = ast.Constant(dtype)
        try:
            sparse = bool(env.value(arguments["input_sparse"])) if "input_sparse" in arguments \
                else False
        except NotLiteral:
            return "input_sparse not literal"
        # custom_objects serve the test's saving round trip only: the classes and functions
        # they name are in the script.
        try:
            ragged = env.value(arguments["input_ragged"]) if "input_ragged" in arguments \
                else None
        except NotLiteral:
            return "input_ragged not literal"
        values: dict[str, Any] = {}
        for key in ("init_kwargs", *_INPUT_ARGS):
            if key in arguments:
                try:
                    values[key] = env.value(arguments[key])
                except NotLiteral as error:
                    return f"{key} not literal: {error}"
        if values.get("input_shape") is None:
            return "no input_shape"
        kwargs = values.get("init_kwargs") or {}
        if not isinstance(kwargs, dict):
            return "init_kwargs not literal"
        self.found.cases.append(KerasLayerCase(
            case_id, layer.name, kwargs, values["input_shape"], values.get("input_dtype"),
            values.get("call_kwargs") or {}, sparse, bool(ragged),
            layer if isinstance(layer, TestDefined) else None))
        return None


def _is_named_product(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
    return name == "named_product"


def _unpacked(node: ast.Assign) -> list[tuple[str, ast.expr]]:
    """``a = x``, ``a, b = x, y`` and ``a, b = pair``: each name with its expression
    (``pair[0]``, ``pair[1]`` for a name unpacked)."""
    if len(node.targets) != 1:
        return []
    target, value = node.targets[0], node.value
    if isinstance(target, ast.Name):
        return [(target.id, value)]
    if not isinstance(target, ast.Tuple) or not all(isinstance(t, ast.Name)
                                                    for t in target.elts):
        return []
    if isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        return [(t.id, v) for t, v in zip(target.elts, value.elts)  # type: ignore[attr-defined]
                ]
    if isinstance(value, ast.Name):
        return [(t.id, ast.Subscript(value=value, slice=ast.Constant(i),  # type: ignore
                                     ctx=ast.Load())) for i, t in enumerate(target.elts)]
    return []


def _targets(node: ast.For | ast.With) -> list[ast.Name]:
    targets: list[ast.expr] = [node.target] if isinstance(node, ast.For) else [
        i.optional_vars for i in node.items if i.optional_vars is not None]
    return [n for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


@dataclass(frozen=True)
class _Lazy:
    """A decorator's value, evaluated only when the call uses it."""

    node: ast.expr


class _Env:
    """Evaluates literal expressions of a test, names looked up in the test's parameters,
    its single assignments and the module's constants."""

    def __init__(self, reader: _FileReader, binding: dict[str, Any],
                 function: ast.FunctionDef, line: int, loops: set[str]) -> None:
        self.reader = reader
        self.binding = binding
        self.loops = loops
        self.depth = 0
        # name -> (its expression, the names as they were when it was assigned)
        self.local: dict[str, tuple[ast.expr, dict[str, Any]]] = {}
        self.unclear: set[str] = set()  # assigned where the flow is not followed
        self.line = line  # of the run_layer_test call: later assignments do not count
        self.functions: dict[str, ast.FunctionDef] = {}  # defined by the test before the call
        self._follow(function.body)

    def _follow(self, statements: list[ast.stmt]) -> None:
        """The test's assignments before the call, in order, into the branch of each ``if``
        whose test is a literal; a name assigned anywhere else is unclear."""
        for statement in statements:
            if statement.lineno > self.line:
                return
            if (statement.end_lineno or 0) >= self.line and isinstance(
                    statement, ast.For | ast.With | ast.While):
                self._follow(statement.body)  # the call is inside
                return
            if isinstance(statement, ast.FunctionDef):
                self.functions[statement.name] = statement
                continue
            if isinstance(statement, ast.Assign):
                pairs = _unpacked(statement)
                for pair in pairs:
                    self.local[pair[0]] = (pair[1], dict(self.local))
                if not pairs:
                    self.unclear.update(n.id for t in statement.targets for n in ast.walk(t)
                                        if isinstance(n, ast.Name))
                continue
            if isinstance(statement, ast.If):
                try:
                    taken = statement.body if self.value(statement.test) else statement.orelse
                except NotLiteral:
                    taken = None
                if taken is not None:
                    self._follow(taken)
                    continue
            self.unclear.update(n.id for n in ast.walk(statement) if isinstance(n, ast.Name)
                                and isinstance(n.ctx, ast.Store))

    def value(self, node: ast.expr) -> Any:
        self.depth += 1
        try:
            if self.depth > 50:
                raise NotLiteral("too deep")
            return self._value(node)
        finally:
            self.depth -= 1

    def _value(self, node: ast.expr) -> Any:
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Tuple(elts=elements):
                return tuple(self._elements(elements))
            case ast.List(elts=elements):
                return self._elements(elements)
            case ast.Dict(keys=keys, values=values):
                out = {}
                for key, value in zip(keys, values):
                    if key is None:
                        merged = self.value(value)
                        if not isinstance(merged, dict):
                            raise NotLiteral("**")
                        out.update(merged)
                    else:
                        out[self.value(key)] = self.value(value)
                return out
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                number = self.value(operand)
                if isinstance(number, int | float):
                    return -number
            case ast.BinOp(left=left, op=op, right=right):
                return _arithmetic(self.value(left), op, self.value(right))
            case ast.Name(id=name):
                return self._name(name)
            case ast.Attribute(value=ast.Name(id=module), attr=attr) if (
                    module in self.reader.layer_modules and attr[:1].isupper()):
                return LayerRef(attr)
            case ast.Attribute(value=ast.Name(id=module), attr=attr) if (
                    module in self.reader.option_modules):
                return KerasRef(f"{self.reader.option_modules[module]}.{attr}")
            case ast.Attribute(value=ast.Name(id=array), attr="shape") if array in self.local:
                return self._at_assignment(array, self._array_shape)
            case ast.Subscript(value=sequence, slice=ast.Constant(value=int() as index)):
                items = self.value(sequence)
                if isinstance(items, tuple | list) and -len(items) <= index < len(items):
                    return items[index]
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self.value(body) if self.value(test) else self.value(orelse)
            case ast.Compare(left=left, ops=[ast.Eq() | ast.NotEq() as op], comparators=[right]):
                equal = self.value(left) == self.value(right)
                return equal if isinstance(op, ast.Eq) else not equal
            case ast.Call(func=ast.Attribute(value=ast.Name(id="np"), attr="array"),
                          args=[literal], keywords=[]):
                value = self.value(literal)
                _nested_shape(value if isinstance(value, list) else [value])  # numbers only
                return NumpyArray(value)
            case ast.Call(func=func, args=[], keywords=[]) if ast.unparse(func).endswith(
                    "image_data_format"):
                return "channels_last"  # Keras's default, which the oracle runs with
            case ast.Call(func=func, args=[], keywords=[]) if ast.unparse(func) in (
                    "backend.backend", "keras.backend.backend"):
                return "tensorflow"  # the oracle's backend
            case ast.Call(func=func, args=args, keywords=keywords):
                try:
                    layer = self.value(func) if isinstance(func, ast.Attribute | ast.Name) \
                        else None
                except NotLiteral:
                    layer = None
                if isinstance(layer, LayerRef | KerasRef | TestDefined) and all(
                        k.arg for k in keywords):
                    return LayerBuild(layer, tuple(self._elements(args)), tuple(
                        (k.arg, self.value(k.value)) for k in keywords if k.arg))
        raise NotLiteral(ast.unparse(node)[:60])

    def _at_assignment(self, name: str, read: Any) -> Any:
        """``read`` of the expression assigned to ``name``, with the names it saw then
        (``x = np.reshape(x, ...)`` reads the earlier x)."""
        expression, then = self.local[name]
        now, self.local = self.local, then
        try:
            return read(expression)
        finally:
            self.local = now

    def data_spec(self, node: ast.expr) -> tuple[Any, Any]:
        """(shape, dtype) of a test's literal data: numpy arrays made from literal sizes or
        lists, a tuple of them; dtype None for floats (Keras's float32)."""
        if isinstance(node, ast.Name) and node.id in self.local and node.id not in self.unclear:
            return self._at_assignment(node.id, self.data_spec)
        if isinstance(node, ast.Tuple | ast.List):
            specs = [self.data_spec(e) for e in node.elts]
            kind = tuple if isinstance(node, ast.Tuple) else list
            return kind(s for s, _ in specs), kind(d or "float32" for _, d in specs)
        if isinstance(node, ast.Call):
            function = ast.unparse(node.func)
            if isinstance(node.func, ast.Name) and node.func.id in self.local and \
                    node.func.id not in self.unclear:  # dense_to_sparse = tf.sparse.from_dense
                function = self._at_assignment(node.func.id, ast.unparse)
            if function in _SPARSE_MAKERS and len(node.args) == 1:
                return self.data_spec(node.args[0])  # the same values, stored sparse
            if (isinstance(node.func, ast.Attribute) and node.func.attr == "astype"
                    and len(node.args) == 1):
                shape, _ = self.data_spec(node.func.value)
                dtype = self.value(node.args[0])
                return shape, None if dtype == "float32" else dtype
            if function == "np.random.randint":
                sizes = {k.arg: k.value for k in node.keywords}
                size = sizes.get("size", node.args[2] if len(node.args) > 2 else None)
                shape = self.value(size) if size is not None else None
                if _is_shape(shape):
                    return tuple(shape), "int32"
            if function == "np.reshape" and len(node.args) == 2:
                shape = self.value(node.args[1])
                if _is_shape(shape):
                    return tuple(shape), self.data_spec(node.args[0])[1]
            if function == "np.multiply" and len(node.args) == 2:
                return self.data_spec(node.args[0])  # times a mask of itself
            if function == "np.arange" and len(node.args) in (1, 2) and not node.keywords:
                bounds = [self.value(a) for a in node.args]
                if all(isinstance(b, int) for b in bounds):
                    return (bounds[-1] - (bounds[0] if len(bounds) == 2 else 0),), "int32"
            if function in ("np.array", "np.asarray") and node.args and not node.keywords:
                return _nested_shape(self.value(node.args[0]))
            if function in _NUMPY_MAKERS:
                return self._array_shape(node), None
        raise NotLiteral(ast.unparse(node)[:60])

    def _array_shape(self, node: ast.expr) -> tuple[int, ...]:
        """The shape of ``np.random.normal(size=...)``, ``np.zeros(shape)``, ``np.random.rand(
        2, 3)``: the test's data, made from literal sizes."""
        if isinstance(node, ast.Call) and ast.unparse(node.func) in _NUMPY_MAKERS:
            function = ast.unparse(node.func)
            sizes = {k.arg: k.value for k in node.keywords}
            if function in ("np.random.rand", "np.random.randn"):
                return tuple(self._elements(list(node.args)))
            given = sizes.get("size", sizes.get("shape"))
            if given is None and node.args:
                given = node.args[0] if "random." not in function or function.endswith(
                    "random") else None
            shape = self.value(given) if given is not None else None
            if _is_shape(shape):
                return tuple(shape)
        raise NotLiteral(ast.unparse(node)[:60])

    def _elements(self, nodes: list[ast.expr]) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if isinstance(node, ast.Starred):
                out += list(self.value(node.value))
            else:
                out.append(self.value(node))
        return out

    def _name(self, name: str) -> Any:
        if name in self.binding:
            bound = self.binding[name]
            return self.value(bound.node) if isinstance(bound, _Lazy) else bound
        if name in self.loops or name in self.unclear:
            raise NotLiteral(f"{name} (assigned in a loop or a branch)")
        if name in self.local:
            return self._at_assignment(name, self.value)
        if name in self.reader.layer_classes:
            return LayerRef(name)
        if name in self.functions:
            return TestDefined(name, self.reader.path, self.functions[name])
        if name in self.reader.local_classes:
            return TestDefined(name, self.reader.path, self.reader.local_classes[name])
        if name in self.reader.test_classes:
            root = _keras_layers_source()
            defined = test_import(self.reader.path, name, root) if root else None
            if defined is not None:
                return defined
        if name in self.reader.constants:
            return self.value(self.reader.constants[name])
        raise NotLiteral(name)


def _nested_shape(value: Any) -> tuple[tuple[int, ...], str | None]:
    """Shape and dtype of nested lists of numbers, as numpy reads them."""
    shape: list[int] = []
    level = value
    while isinstance(level, list | tuple):
        shape.append(len(level))
        level = level[0] if level else None
    leaves: list[Any] = [value]
    for size in shape:
        if any(not isinstance(x, list | tuple) or len(x) != size for x in leaves):
            raise NotLiteral("ragged data")
        leaves = [y for x in leaves for y in x]
    if not shape or not all(isinstance(x, int | float) and not isinstance(x, bool)
                            for x in leaves):
        raise NotLiteral("data that is not numbers")
    return tuple(shape), "int32" if all(isinstance(x, int) for x in leaves) else None


_OPTION_MODULES = ("regularizers", "constraints", "initializers", "activations", "ops")
# Functions of the backends that store a dense array as a sparse tensor.
_SPARSE_MAKERS = ("tf.sparse.from_dense", "jax_sparse.BCOO.fromdense")
_NUMPY_MAKERS = ("np.random.normal", "np.random.uniform", "np.random.random", "np.random.rand",
                 "np.random.randn", "np.zeros", "np.ones")


def _arithmetic(left: Any, op: ast.operator, right: Any) -> Any:
    numbers = (int, float)
    if isinstance(left, numbers) and isinstance(right, numbers):
        match op:
            case ast.Add():
                return left + right
            case ast.Sub():
                return left - right
            case ast.Mult():
                return left * right
            case ast.FloorDiv() if right:
                return left // right
            case ast.Div() if right:
                return left / right
    if isinstance(left, tuple) and isinstance(right, tuple) and isinstance(op, ast.Add):
        return left + right
    raise NotLiteral("arithmetic")
