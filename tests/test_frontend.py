"""The front end on one small model script per construct: imports, the functional and
Sequential APIs, Python values, functions, unknowns, unsupported classes and Keras naming.

Each fixture in ``tests/fixtures/frontend`` is analysed (never run) and checked for its
models, layer names and classes, output shapes and parameters. Lines ending in
``# expect: AL001`` say which front-end diagnostics the script must get, and where.
Fixtures starting with ``# oracle: keras`` (or ``tf_keras``) are also built by real Keras
in a subprocess, to check the names, shapes and parameters against it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import RULE_CRASHED, FileReport, analyse_source
from archlint.dims import format_shape
from archlint.engine import ModelAnalysis
from archlint.frontend.interpreter import Interpreter
from archlint.oracle.launch import run_isolated
from archlint.unknown import Unknown
from tests.oracle import needs_keras

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "frontend"
FRONT_END_CODES = ("AL001", "AL002", "AL003")
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")
ORACLE = re.compile(r"^#\s*oracle:\s*(\w+)", re.MULTILINE)


def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.py") if p.stem != "conftest")


def analyse_fixture(name: str) -> FileReport:
    path = FIXTURES / f"{name}.py"
    return analyse_source(path.read_text(encoding="utf-8"), str(path))


def shape_text(output: Any) -> str:
    if isinstance(output, tuple):
        return format_shape(output)
    if isinstance(output, list):
        return "[" + ", ".join(shape_text(o) for o in output) + "]"
    return "?"


def rows(analysis: ModelAnalysis) -> list[tuple[str, str, str, int | None]]:
    """(layer name, class, output shape, parameters) for each call of the model."""
    return [(c.layer.name, c.layer.class_name, shape_text(c.output),
             c.params.total if c.params is not None else None) for c in analysis.model.calls]


def models(report: FileReport) -> dict[str, ModelAnalysis]:
    return {m.model.name: m for m in report.models}


def model_of(report: FileReport, name: str) -> ModelAnalysis:
    found = models(report)
    assert name in found, f"no model {name!r} among {sorted(found)}"
    return found[name]


def codes(report: FileReport) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in report.diagnostics if d.code in FRONT_END_CODES]


def expected_codes(name: str) -> list[tuple[str, int]]:
    lines = (FIXTURES / f"{name}.py").read_text(encoding="utf-8").splitlines()
    expected = []
    for number, line in enumerate(lines, start=1):
        match = EXPECT.search(line)
        if match:
            expected += [(code.strip(), number) for code in match.group(1).split(",")]
    return sorted(expected)


# ----------------------------------------------------------------- every fixture
@pytest.mark.parametrize("name", fixture_names())
def test_front_end_diagnostics_are_the_expected_ones(name: str) -> None:
    assert sorted(codes(analyse_fixture(name))) == expected_codes(name)


@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_builds_a_model(name: str) -> None:
    assert analyse_fixture(name).models


# ----------------------------------------------------------------- imports
def test_import_keras() -> None:
    analysis = model_of(analyse_fixture("import_keras"), "functional")
    assert rows(analysis) == [
        ("input_layer", "InputLayer", "(None, 16)", 0),
        ("dense", "Dense", "(None, 8)", 136),
        ("dense_1", "Dense", "(None, 1)", 9),
    ]
    assert analysis.total == 145
    assert analysis.model.compile is not None and analysis.model.compile.loss == "mse"


def test_from_keras_import_layers_and_layer_classes() -> None:
    analysis = model_of(analyse_fixture("import_from_layers"), "functional")
    assert [r[:3] for r in rows(analysis)] == [
        ("input_layer", "InputLayer", "(None, 12, 3)"),
        ("conv1d", "Conv1D", "(None, 10, 4)"),
        ("lstm", "LSTM", "(None, 6)"),
        ("dense", "Dense", "(None, 2)"),
    ]
    assert analysis.total == 40 + 264 + 14


def test_tf_keras_attribute_path() -> None:
    report = analyse_fixture("import_tf_keras_attr")
    analysis = model_of(report, "functional")
    assert [r[1] for r in rows(analysis)] == [
        "InputLayer", "Conv1D", "GlobalMaxPooling1D", "Dense"]
    assert rows(analysis)[-1] == ("dense", "Dense", "(None, 1)", 9)
    assert analysis.model.compile is not None


def test_star_import_from_tensorflow_keras_layers() -> None:
    analysis = model_of(analyse_fixture("import_star"), "functional")
    assert [r[0] for r in rows(analysis)] == [
        "input_layer", "conv1d", "max_pooling1d", "flatten", "dense"]
    # MaxPool1D is an alias: Keras names the layer after its class, MaxPooling1D.
    assert rows(analysis)[2][1:3] == ("MaxPooling1D", "(None, 8, 4)")
    assert analysis.total == 44 + 99


def test_from_tensorflow_import_keras() -> None:
    analysis = model_of(analyse_fixture("import_from_tensorflow"), "sequential")
    assert analysis.model.kind == "sequential"
    assert rows(analysis)[1:] == [("dense", "Dense", "(None, 4)", 36),
                                  ("dense_1", "Dense", "(None, 2)", 10)]


def test_import_aliases() -> None:
    analysis = model_of(analyse_fixture("import_aliases"), "functional")
    assert [r[0] for r in rows(analysis)] == ["input_layer", "dense", "dense_1"]
    assert analysis.total == 46


def test_input_spellings_and_input_layer_first_in_sequential() -> None:
    report = analyse_fixture("input_spellings")
    first = model_of(report, "sequential")
    assert rows(first) == [("input_layer", "InputLayer", "(None, 5)", 0),
                           ("dense", "Dense", "(None, 3)", 18)]
    # Keras 3 builds the Sequential into a Functional: the next model is functional_1.
    second = model_of(report, "functional_1")
    assert [r[0] for r in rows(second)][:2] == ["input_layer_1", "input_layer_2"]
    assert len(second.model.inputs) == 2
    assert second.total == 32


def test_tf_keras_uses_keras_2_names() -> None:
    report = analyse_fixture("tf_keras_legacy")
    functional = model_of(report, "model")
    # The outer Dense is constructed before the inner one, so it is `dense`.
    assert rows(functional) == [("input_1", "InputLayer", "(None, 8)", 0),
                                ("dense_1", "Dense", "(None, 4)", 36),
                                ("dense", "Dense", "(None, 2)", 10)]
    stack = model_of(report, "sequential")
    assert rows(stack)[0][:2] == ("dense_2_input", "InputLayer")
    assert stack.total == 19


# ----------------------------------------------------------------- functional API
def test_shared_layer_counts_its_weights_once() -> None:
    report = analyse_fixture("functional_shared")
    by_dict = model_of(report, "functional")
    names = [r[0] for r in rows(by_dict)]
    assert names.count("encoder") == 2  # two calls of one layer
    assert len(by_dict.model.layers) == 6
    assert by_dict.total == 36 + 9 + 27
    assert [r.call.layer.name for r in by_dict.model.inputs] == ["left", "right"]
    assert [r.call.layer.name for r in by_dict.model.outputs] == ["dense", "label"]


def test_model_with_keyword_lists_and_name() -> None:
    by_list = model_of(analyse_fixture("functional_shared"), "by_list")
    assert len(by_list.model.inputs) == 2 and len(by_list.model.outputs) == 2
    assert by_list.total == 72


def test_lstm_return_state_unpacks() -> None:
    analysis = model_of(analyse_fixture("lstm_return_state"), "functional")
    assert rows(analysis) == [
        ("input_layer", "InputLayer", "(None, 10, 3)", 0),
        ("lstm", "LSTM", "[(None, 10, 8), (None, 8), (None, 8)]", 384),
        ("gru", "GRU", "(None, 4)", 168),
        ("concatenate", "Concatenate", "(None, 20)", 0),
    ]



def test_unpacking_a_call_after_a_failing_layer_keeps_the_graph() -> None:
    source = ("from keras import layers, Input, Model\n"
              "x = Input(shape=(8, 4))\n"
              "bad = layers.Add()([x, layers.Conv1D(4, 3)(x)])\n"
              "out, *states = layers.Bidirectional(layers.LSTM(3, return_state=True),\n"
              "    backward_layer=layers.GRU(3, return_state=True, go_backwards=True))(bad)\n"
              "m = Model(x, layers.Concatenate()([out, *states]))\n")
    report = analyse_source(source, "unpack.py")
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == ["AL105"]
    analysis = report.models[0]
    assert [layer.class_name for layer in analysis.model.layers] == [
        "InputLayer", "Conv1D", "Add", "Bidirectional", "Concatenate"]
    # The Concatenate gets the merged output, two LSTM states and one GRU state.
    assert len(analysis.model.layers[-1].calls[0].inbound) == 4



def test_trainable_set_where_it_cannot_be_followed_leaves_the_split_unknown() -> None:
    source = ("import keras, sys\nfrom keras import layers\n"
              "x = keras.Input(shape=(8,))\n"
              "model = keras.Model(x, layers.Dense(2)(layers.Dense(4)(x)))\n"
              "if sys.argv[1:]:\n"
              "    model.layers[1].trainable = False\n")
    report = analyse_source(source, "frozen.py")
    analysis = report.models[0]
    assert analysis.total == 46  # still known
    assert (analysis.trainable, analysis.non_trainable) == (None, None)
    info = [d for d in report.diagnostics if d.code == "AL001"]
    assert any("not how many parameters are trainable" in d.message for d in info), info


# ----------------------------------------------------------------- Sequential
def test_sequential_variants() -> None:
    report = analyse_fixture("sequential_variants")
    listed, added, built = (model_of(report, n) for n in
                            ("sequential", "sequential_1", "sequential_2"))
    assert rows(listed) == [("input_layer", "InputLayer", "(None, 4)", 0),
                            ("dense", "Dense", "(None, 8)", 40),
                            ("dense_1", "Dense", "(None, 2)", 18)]
    assert rows(added)[0] == ("input_layer_1", "InputLayer", "(None, 10)", 0)
    assert added.total == 176 + 17
    assert rows(built)[0] == ("input_layer_2", "InputLayer", "(None, 8)", 0)
    assert built.total == 45 + 18
    # Each Sequential build took a `functional` name, as in Keras 3: 1 + 1 + 1 + build().
    assert "functional_4" in models(report)


def test_sequential_without_input_shape_is_analysed_on_named_sizes() -> None:
    # Keras 3 builds it on its first data: the input's last axis is a named size F (the
    # figures are checked against Keras in tests/test_unbuilt_sequential.py).
    report = analyse_source("import keras\nfrom keras import layers\n"
                            "model = keras.Sequential([layers.Dense(3), layers.Dense(1)])\n")
    analysis = model_of(report, "sequential")
    assert str(analysis.total) == "3*F+7"
    assert [layer.name for layer in analysis.model.layers] == ["dense", "dense_1"]
    assert ("AL001", 3) in codes(report)


def test_sequential_built_on_a_shape_only_known_at_run_time_is_unknown_not_a_crash() -> None:
    # Keras 2 spells the built input as batch_input_shape; its value is a runtime object.
    report = analyse_source("import tensorflow as tf\n"
                            "model = tf.keras.Sequential([tf.keras.layers.Dense(3)])\n"
                            "model.build(tf.TensorShape(shape_of_data))\n")
    analysis = model_of(report, "sequential")
    assert analysis.total is None
    assert ("AL001", 3) in codes(report)


def test_training_loop_leaves_the_model_alone_and_unknown_add_makes_it_unknown() -> None:
    report = analyse_source(
        "import keras\nfrom keras import layers\ndata = load()\n"
        "model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])\n"
        "for batch in data:\n    model.train_on_batch(batch)\n"
        "extra = keras.Sequential([keras.Input((4,)), layers.Dense(2)])\n"
        "if data:\n    extra.add(layers.Dense(1))\n")
    assert model_of(report, "sequential").total == 10
    assert model_of(report, "sequential_1").total is None
    assert ("AL001", 8) in codes(report)


# ----------------------------------------------------------------- values
def test_constants_unpacking_arithmetic_fstrings_and_subscripts() -> None:
    analysis = model_of(analyse_fixture("values_constants"), "block_model_20")
    assert rows(analysis) == [
        ("input_layer", "InputLayer", "(None, 20, 6)", 0),
        ("block_conv", "Conv1D", "(None, 14, 32)", 1376),
        ("max_pooling1d", "MaxPooling1D", "(None, 7, 32)", 0),
        ("block_lstm", "LSTM", "(None, 8)", 1312),
        ("dense", "Dense", "(None, 3)", 27),
    ]


def test_loops_comprehensions_and_known_conditions() -> None:
    analysis = model_of(analyse_fixture("values_loops"), "functional")
    assert [r[0] for r in rows(analysis)] == [
        "input_layer", "conv_0", "conv_1", "max_pooling1d", "max_pooling1d_1", "flatten",
        "dense", "head"]
    assert rows(analysis)[-2:] == [("dense", "Dense", "(None, 32)", 4128),
                                   ("head", "Dense", "(None, 1)", 33)]


def test_helper_blocks_and_called_factory() -> None:
    analysis = model_of(analyse_fixture("functions_blocks"), "functional")
    assert [r[:3] for r in rows(analysis)] == [
        ("input_layer", "InputLayer", "(None, 64, 2)"),
        ("conv1d", "Conv1D", "(None, 64, 8)"),
        ("max_pooling1d", "MaxPooling1D", "(None, 32, 8)"),
        ("conv1d_1", "Conv1D", "(None, 32, 16)"),
        ("max_pooling1d_1", "MaxPooling1D", "(None, 16, 16)"),
        ("conv1d_2", "Conv1D", "(None, 16, 32)"),
        ("global_average_pooling1d", "GlobalAveragePooling1D", "(None, 32)"),
        ("dense", "Dense", "(None, 3)"),
    ]
    assert analysis.total == 56 + 400 + 2592 + 99


def test_factory_never_called_is_analysed_with_its_defaults() -> None:
    report = analyse_fixture("factory_uncalled")
    by_defaults = model_of(report, "sequential")
    assert rows(by_defaults)[0] == ("input_layer", "InputLayer", "(None, 10)", 0)
    assert by_defaults.total == 352 + 33
    # Each uncalled factory is analysed as in a fresh session: its names start over.
    classifier = model_of(report, "functional")
    assert rows(classifier)[1][:3] == ("dense", "Dense", "?")
    assert classifier.total is None
    message = next(d.message for d in report.diagnostics if d.code == "AL001")
    assert "`classes` of build_classifier()" in message


# ----------------------------------------------------------------- unknowns
def test_argparse_value_is_a_named_size_with_its_origin() -> None:
    report = analyse_fixture("unresolved_argparse")
    analysis = model_of(report, "functional")
    # tests/test_named_sizes checks such expressions against Keras.
    assert [(r[2], str(r[3])) for r in rows(analysis)[1:]] == [
        ("(None, args.units)", "11*args.units"), ("(None, 1)", "args.units+1")]
    assert str(analysis.total) == "12*args.units+1"
    diagnostic = next(d for d in report.diagnostics if d.code == "AL001")
    assert diagnostic.severity.value == "info"
    assert "`args.units` comes from the command line" in diagnostic.message
    assert "`args = parser.parse_args()` on line 8" in diagnostic.message


def test_data_shape_becomes_named_sizes_each_explained_once() -> None:
    report = analyse_fixture("unresolved_data_shape")
    analysis = model_of(report, "functional")
    first, lstm, _ = rows(analysis)
    assert first[2] == "(None, X_train.shape[1], X_train.shape[2])"
    assert str(lstm[3]) == "64*X_train.shape[2]+1088"  # tests/test_named_sizes checks the form
    [diagnostic] = [d for d in report.diagnostics if d.code == "AL001"]
    assert "`X_train.shape[1]` is the shape of data" in diagnostic.message
    assert "np.load('x_train.npy')" in diagnostic.message
    assert "named sizes `X_train.shape[1]`, `X_train.shape[2]`" in diagnostic.message


def test_keras_tuner_hyperparameter() -> None:
    report = analyse_fixture("unresolved_tuner")
    analysis = model_of(report, "sequential")
    assert rows(analysis)[0] == ("input_layer", "InputLayer", "(None, 20)", 0)
    assert rows(analysis)[1][2] == "?"
    [diagnostic] = [d for d in report.diagnostics if d.code == "AL001"]
    assert "hyperparameter the tuner chooses" in diagnostic.message


def test_subclassed_model_is_reported_and_the_rest_analysed() -> None:
    report = analyse_fixture("subclassed_model")
    [diagnostic] = [d for d in report.diagnostics if d.code == "AL001"]
    assert "call()" in diagnostic.message and diagnostic.span.line == 14
    assert model_of(report, "functional").total == 8


def test_unsupported_layers_make_unknown_outputs_and_analysis_goes_on() -> None:
    report = analyse_fixture("unsupported_layers")
    analysis = model_of(report, "functional")
    by_name = {r[0]: r for r in rows(analysis)}
    assert by_name["lambda"] == ("lambda", "Lambda", "?", None)
    assert by_name["scale"] == ("scale", "Scale", "?", None)
    assert by_name["dense_1"] == ("dense_1", "Dense", "(None, 2)", 10)
    assert by_name["dense_2"][2] == "?"
    assert analysis.total is None


# ----------------------------------------------------------------- naming
def test_automatic_names_explicit_names_and_clear_session() -> None:
    report = analyse_fixture("naming_clear_session")
    first, second = report.models
    assert [r[0] for r in rows(first)] == [
        "input_layer", "conv1d", "conv1d_1", "named_conv", "conv1d_2"]
    assert first.model.name == "functional"
    assert [r[0] for r in rows(second)] == ["input_layer", "conv1d"]
    assert second.model.name == "functional"


def test_name_known_only_at_run_time_takes_no_keras_name() -> None:
    report = analyse_source(
        "import sys\nimport keras\nfrom keras import layers\n"
        "x = keras.Input((4,))\n"
        "y = layers.Dense(2, name=sys.argv[1])(x)\n"
        "m = keras.Model(x, layers.Dense(1)(y))\n")
    assert [r[0] for r in rows(report.models[0])] == ["input_layer", "?dense", "dense"]


# ----------------------------------------------------------------- Python semantics
def run_module(source: str) -> dict[str, Any]:
    interpreter = Interpreter(ast.parse(source))
    interpreter.run()
    return interpreter.globals.vars


@pytest.mark.parametrize(("source", "name", "expected"), [
    ("a, *b, c = range(5)", "b", [1, 2, 3]),
    ("g = 1\ndef f():\n    global g\n    g = 2\nf()", "g", 2),
    ("def f():\n    a = 1\n    def g():\n        nonlocal a\n        a = 2\n    g()\n"
     "    return a\nx = f()", "x", 2),
    ("def f(a, /, b, *, c=3):\n    return a + b + c\nx = f(1, b=2)", "x", 6),
    ("def f(*a, **k):\n    return len(a), sorted(k)\nx = f(1, 2, **{'u': 1})", "x",
     (2, ["u"])),
    ("U = 3\ndef f(u=U):\n    return u\nU = 4\nx = f()", "x", 3),
    ("x = [w * 2 for w in (1, 2, 3) if w > 1]", "x", [4, 6]),
    ("x = {k: v for k, v in zip('ab', (1, 2))}", "x", {"a": 1, "b": 2}),
    ("x = list(map(lambda v: v + 1, [1, 2]))", "x", [2, 3]),
    ("x = [1]\nx += [2]", "x", [1, 2]),
    ("d = {'a': [1]}\nd['a'][0] += 5\nx = d['a'][0]", "x", 6),
    ("match 2:\n    case 1:\n        x = 'one'\n    case 2 | 3:\n        x = 'two'", "x", "two"),
    ("class C:\n    units = 8\nx = C.units * 2", "x", 16),
    ("from dataclasses import dataclass\n@dataclass\nclass P:\n    units: int = 4\n"
     "    depth: int = 1\nx = P(depth=3).depth + P().units", "x", 7),
    ("class B:\n    def __init__(self, w):\n        self.w = w\n    def twice(self):\n"
     "        return self.w * 2\nx = B(5).twice()", "x", 10),
    ("x = isinstance(3, (int, float))", "x", True),
    ("x = f'{3:>4}|{\"a\"!r}'", "x", "   3|'a'"),
])
def test_python_values(source: str, name: str, expected: Any) -> None:
    assert run_module(source)[name] == expected


@pytest.mark.parametrize(("source", "name"), [
    ("import sys\nflag = len(sys.argv) > 1\ntotal = 0\nfor i in range(9):\n"
     "    if flag:\n        break\n    total += i", "total"),
    ("import sys\ndef f():\n    if sys.argv:\n        return 1\n    return 2\nx = f()", "x"),
    ("def g():\n    yield 1\nx = g()", "x"),
    ("x = 1\ndel x\ny = x", "y"),
    ("import os\nx = os.environ['UNITS']", "x"),
])
def test_what_depends_on_the_run_is_unknown(source: str, name: str) -> None:
    assert isinstance(run_module(source)[name], Unknown)


# ----------------------------------------------------------------- robustness
HOSTILE_SCRIPTS = {
    "long sum": "x = " + "+".join(["1"] * 800),
    "deep list": "x = " + "[" * 150 + "]" * 150,
    "deep ifs": "".join("    " * i + "if True:\n" for i in range(90)) + "    " * 90 + "x = 1\n",
    "recursion": "def f(n):\n    return f(n + 1)\nx = f(0)",
    "huge power": "x = 10 ** 10 ** 10",
    "huge shift": "x = 1 << 10 ** 10",
    "huge repeat": "x = [0] * 10 ** 9\ny = 'a' * 10 ** 9",
    "doubling string": "x = 'ab'\nfor i in range(60):\n    x = x + x",
    "doubling f-string": "x = 'ab'\nfor i in range(60):\n    x = f'{x}{x}'",
    "doubling list": "x = [1]\nfor i in range(60):\n    x.extend(x)",
    "shared tree": "x = [1]\nfor i in range(60):\n    x = [x, x]\ny = str(x)\nz = x == x",
    "cycle": "x = []\nx.append(x)\ny = str(x)\nd = {}\nd['d'] = d\nz = d == d",
    "wide format": "x = f'{1:>{10 ** 9}}'\ny = format(1, '>1000000000')\nz = '%999999999d' % 1",
    "growing replace": "x = 'aaaa'\nfor _ in range(40):\n    x = x.replace('a', 'aa')",
    "infinite loop": "import os\nwhile True:\n    b = os.read(0, 1)\n    if not b:\n        break",
    "endless loop": "while True:\n    pass",
    "bad unpack": "a, b = 1",
    "calls of values": "x = None\ny = x()\nz = (3)()\nw = 'a'.nope()",
    "keras oddities": "import keras\nm = keras.Model()\ns = keras.Sequential(3)\ns.add()\n"
                      "l = keras.layers.Dense()\nl()\nl(1, 2)\nkeras.layers.concatenate()\n"
                      "m(1)\nkeras.Input(shape=None)(3)",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SCRIPTS))
def test_hostile_scripts_do_not_crash_or_hang(name: str) -> None:
    report = analyse_source("import keras\n" + HOSTILE_SCRIPTS[name] + "\n")
    # A rule that crashes is caught and reported as AL004: that must not happen either.
    assert [d.message for d in report.diagnostics if d.code == RULE_CRASHED] == []


# ----------------------------------------------------------------- against real Keras
def keras_fixtures_main(argv: list[str]) -> int:
    """The oracle process of these tests: runs each ``[path, flavour]`` fixture read on stdin
    with real Keras and prints, per path, its models' layers (class, output shape, params)
    and weight counts."""
    import runpy

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np

    out = {}
    for path, flavour in json.loads(sys.stdin.read()):
        keras = __import__("tf_keras" if flavour == "tf_keras" else "keras")
        keras.backend.clear_session()
        found, seen = [], set()
        for value in runpy.run_path(path, run_name="__main__").values():
            if not isinstance(value, keras.Model) or id(value) in seen:
                continue
            seen.add(id(value))
            layers = {}
            for layer in value.layers:
                outputs = layer.output if isinstance(layer.output, list) else [layer.output]
                shapes = [tuple(None if d is None else int(d) for d in t.shape) for t in outputs]
                text = [("(" + ", ".join(str(d) for d in s) + ")") for s in shapes]
                layers[layer.name] = [type(layer).__name__,
                                      text[0] if len(text) == 1 else "[" + ", ".join(text) + "]",
                                      layer.count_params()]
            counts = [sum(int(np.prod(w.shape)) for w in weights)
                      for weights in (value.trainable_weights, value.non_trainable_weights)]
            found.append([value.name, layers, counts])
        out[path] = found
    print(json.dumps(out))
    return 0


def oracle_fixtures() -> list[tuple[str, str]]:
    found = []
    for name in fixture_names():
        match = ORACLE.search((FIXTURES / f"{name}.py").read_text(encoding="utf-8"))
        if match:
            found.append((name, match.group(1)))
    return found


@pytest.fixture(scope="module")
@needs_keras
def keras_built() -> dict[str, Any]:
    request = [(str(FIXTURES / f"{name}.py"), flavour) for name, flavour in oracle_fixtures()]
    proc = run_isolated("tests.test_frontend:keras_fixtures_main", [], json.dumps(request),
                        paths=[str(ROOT)])
    if proc.returncode != 0:
        pytest.fail(f"real Keras could not build the fixtures:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.keras
@pytest.mark.parametrize(("name", "flavour"), oracle_fixtures())
def test_names_shapes_and_params_match_real_keras(name: str, flavour: str,
                                                  keras_built: dict[str, Any]) -> None:
    built = keras_built[str(FIXTURES / f"{name}.py")]
    ours = analyse_fixture(name).models
    assert sorted(m.model.name for m in ours) == sorted(n for n, *_ in built)
    for model_name, layers, (trainable, non_trainable) in built:
        # Models of the same name (after clear_session) are matched in order.
        analysis = next(m for m in ours if m.model.name == model_name)
        ours.remove(analysis)
        if analysis.trainable is not None:
            assert (analysis.trainable, analysis.non_trainable) == (trainable, non_trainable), \
                f"{model_name}: trainable / non-trainable parameters"
        mine = {layer.name: layer for layer in analysis.model.layers}
        for layer_name, (class_name, shape, params) in layers.items():
            assert layer_name in mine, f"{model_name}: no layer {layer_name} in {sorted(mine)}"
            layer = mine[layer_name]
            call = layer.calls[0]
            assert (layer.class_name, shape_text(call.output), call.params.total) == \
                (class_name, shape, params), f"{model_name}/{layer_name}"


def test_a_shared_layer_on_a_named_width_then_an_unknown_one_is_not_refused() -> None:
    # The first call's weights are 3*F+3; the second call's width is unknown: they may
    # match, so Keras does not refuse for every value of the data.
    report = analyse_source("import keras\nfrom keras import layers\n"
                            "shared = layers.Dense(3)\n"
                            "model = keras.Sequential([shared, layers.Dense(1)])\n"
                            "other = keras.Sequential([layers.Flatten(), shared])\n")
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []


def test_the_graph_prints_without_recursing() -> None:
    # A layer lists its calls and a call names its layer: repr must not follow the cycle.
    report = analyse_source("import keras\nfrom keras import layers\n"
                            "x = keras.Input(shape=(3,))\n"
                            "model = keras.Model(x, layers.Dense(2)(x))\n")
    text = repr(report.models[0].model.calls[-1].layer)
    assert "Call('dense'" in text and len(text) < 2000
