"""Sizes the data decides, given in an input shape, become named sizes: each later size and
parameter count is an expression over them, never a number the data could change.

Each script is small and written for its pattern. The expressions are checked against real
Keras builds of archlint's graph with every name bound to two different values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import FileReport, analyse_source
from archlint.dims import evaluate, format_shape, is_fixed
from archlint.engine import ModelAnalysis
from archlint.oracle.export import model_request
from archlint.render.json_format import render as render_json
from archlint.render.text import model_lines
from tests.oracle import needs_keras, run_oracle

HEAD = ("import argparse\nimport keras\nfrom keras import layers\nimport numpy as np\n"
        "import pandas as pd\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--window', type=int, default=16)\n"
        "args = parser.parse_args()\n")

# name: (script, {layer: (output shape, parameter count)}); the two values each name takes.
CASES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "argparse window": (
        "inp = keras.Input(shape=(args.window, 3))\n"
        "x = layers.Conv1D(8, 3)(inp)\n"
        "x = layers.Flatten()(x)\n"
        "model = keras.Model(inp, layers.Dense(4)(x))\n",
        {"conv1d": ("(None, args.window-2, 8)", "80"),
         "flatten": ("(None, 8*args.window-16)", "0"),
         "dense": ("(None, 4)", "32*args.window-60")}),
    "data frame columns": (
        "df = pd.read_csv('data.csv')\n"
        "inp = keras.Input(shape=(df.shape[1],))\n"
        "x = layers.Dense(32)(inp)\n"
        "model = keras.Model(inp, layers.Dense(8)(x))\n",
        {"dense": ("(None, 32)", "32*df.shape[1]+32"),
         "dense_1": ("(None, 8)", "264")}),
    "vocabulary read from a file": (
        "chars = []\nfor line in open('data.txt'):\n    chars.append(line)\n"
        "inp = keras.Input(shape=(40, len(chars)))\n"
        "x = layers.LSTM(32)(inp)\n"
        "model = keras.Model(inp, layers.Dense(10, activation='softmax')(x))\n",
        {"lstm": ("(None, 32)", "128*len(chars)+4224"),
         "dense": ("(None, 10)", "330")}),
    "Sequential input_shape hint": (
        "x_train = np.load('x.npy')\n"
        "model = keras.Sequential([\n"
        "    layers.Dense(16, input_shape=(x_train.shape[1],)),\n"
        "    layers.Dense(1)])\n",
        {"dense": ("(None, 16)", "16*x_train.shape[1]+16"),
         "dense_1": ("(None, 1)", "17")}),
    "Sequential input_dim hint": (
        "model = keras.Sequential()\n"
        "model.add(layers.Dense(12, input_dim=args.window, activation='relu'))\n"
        "model.add(layers.Dense(1))\n",
        {"dense": ("(None, 12)", "12*args.window+12"),
         "dense_1": ("(None, 1)", "13")}),
    "Sequential build": (
        "x_train = np.load('x.npy')\n"
        "model = keras.Sequential([layers.Dense(6), layers.Dense(2)])\n"
        "model.build((None, x_train.shape[1]))\n",
        {"dense": ("(None, 6)", "6*x_train.shape[1]+6"),
         "dense_1": ("(None, 2)", "14")}),
    "an expression of a command-line value": (
        "inp = keras.Input(shape=(args.window * 2 - 1, 3))\n"
        "x = layers.Conv1D(4, 3)(inp)\n"
        "x = layers.Flatten()(x)\n"
        "model = keras.Model(inp, layers.Dense(2)(x))\n",
        {"conv1d": ("(None, args.window * 2 - 1-2, 4)", "40"),
         "flatten": ("(None, 4*(args.window * 2 - 1)-8)", "0"),
         "dense": ("(None, 2)", "8*(args.window * 2 - 1)-14")}),
    "two axes from one source share a name": (
        "inp = keras.Input(shape=(args.window, args.window))\n"
        "x = layers.Conv1D(4, 2, padding='same')(inp)\n"
        "model = keras.Model(inp, layers.GlobalMaxPooling1D()(x))\n",
        {"conv1d": ("(None, args.window, 4)", "8*args.window+4"),
         "global_max_pooling1d": ("(None, 4)", "0")}),
    # Sizes given as options: a parameter count multiplies them (an LSTM's units squared, a
    # kernel over named channels times named filters).
    "options given as named sizes": (
        "chars = []\nfor line in open('data.txt'):\n    chars.append(line)\n"
        "inp = keras.Input(shape=(20,))\n"
        "x = layers.Embedding(len(chars), 16)(inp)\n"
        "x = layers.LSTM(args.units, return_sequences=True)(x)\n"
        "x = layers.Conv1D(args.filters, 3)(x)\n"
        "x = layers.GlobalMaxPooling1D()(x)\n"
        "x = layers.Dense(8)(x)\n"
        "model = keras.Model(inp, layers.Dense(len(chars), activation='softmax')(x))\n",
        {"embedding": ("(None, 20, 16)", "16*len(chars)"),
         "lstm": ("(None, 20, args.units)", "4*args.units^2+68*args.units"),
         "conv1d": ("(None, 18, args.filters)", "3*args.filters*args.units+args.filters"),
         "global_max_pooling1d": ("(None, args.filters)", "0"),
         "dense": ("(None, 8)", "8*args.filters+8"),
         "dense_1": ("(None, len(chars))", "9*len(chars)")}),
}
VALUES = (7, 19)

# Bound with --set and [tool.archlint.values] below.
BOUND_SCRIPT = (
    "chars = []\nfor line in open('data.txt'):\n    chars.append(line)\n"
    "inp = keras.Input(shape=(args.window, len(chars)))\n"
    "x = layers.Conv1D(8, 3)(inp)\n"
    "x = layers.Flatten()(x)\n"
    "x = layers.Dense(4)(x)\n"
    "model = keras.Model(inp, layers.Dense(len(chars))(x))\n")
BOUND = {"args.window": 64, "len(chars)": 30}
CASES["a product of two named sizes"] = (
    "df = pd.read_csv('d.csv')\n"
    "inp = keras.Input(shape=(args.window, df.shape[1]))\n"
    "x = layers.Flatten()(inp)\n"
    "model = keras.Model(inp, layers.Dense(4)(x))\n",
    {"flatten": ("(None, args.window*df.shape[1])", "0"),
     "dense": ("(None, 4)", "4*args.window*df.shape[1]+4")})
CASES["two named sizes, then bound"] = (BOUND_SCRIPT, {
    "conv1d": ("(None, args.window-2, 8)", "24*len(chars)+8"),
    "dense": ("(None, 4)", "32*args.window-60"),
    "dense_1": ("(None, len(chars))", "5*len(chars)")})
ROOT = Path(__file__).resolve().parent.parent


def analyse(body: str) -> FileReport:
    return analyse_source(HEAD + body, "model.py")


def only_model(report: FileReport) -> ModelAnalysis:
    assert len(report.models) == 1
    return report.models[0]


def layer_rows(analysis: ModelAnalysis) -> dict[str, tuple[str, str]]:
    rows = {}
    for layer in analysis.model.layers:
        call = layer.calls[0]
        params = str(call.params.total) if call.params is not None else "?"
        rows[layer.name] = (format_shape(call.output) if isinstance(call.output, tuple)
                            else "?", params)
    return rows


def names_of(analysis: ModelAnalysis) -> list[str]:
    """The named sizes of the model's inputs and options."""
    names: set[str] = set()
    for layer in analysis.model.layers + [ref.call.layer for ref in analysis.model.inputs]:
        names |= set(layer.instance.config.get("named_sizes") or ())
    return sorted(names)


@pytest.mark.parametrize("case", sorted(CASES))
def test_sizes_after_a_named_size_are_expressions_over_it(case: str) -> None:
    script, expected = CASES[case]
    report = analyse(script)
    rows = layer_rows(only_model(report))
    for name, row in expected.items():
        assert rows[name] == row, name
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == []


def test_a_named_size_is_known_to_keras_at_build_time_unlike_a_time_axis() -> None:
    analysis = only_model(analyse(CASES["argparse window"][0]))
    flatten = next(c for c in analysis.model.calls if c.layer.name == "flatten")
    assert is_fixed(flatten.output[1])  # Dense on it is built: no AL106
    time_axis = only_model(analyse_source(
        "import keras\ninp = keras.Input(shape=(None, 3))\n"
        "model = keras.Model(inp, keras.layers.Conv1D(2, 3)(inp))\n"))
    assert not is_fixed(time_axis.model.calls[-1].output[1])


def test_totals_are_expressions_in_text_and_json() -> None:
    report = analyse(CASES["data frame columns"][0])
    analysis = only_model(report)
    assert str(analysis.total) == "32*df.shape[1]+296"
    text = "\n".join("".join(cell for cell, _ in row) for row in model_lines(analysis))
    assert "Total params: 32*df.shape[1]+296" in text
    assert "Trainable params: 32*df.shape[1]+296" in text
    model = json.loads(render_json([report]))["files"][0]["models"][0]
    assert model["total_params"] == "32*df.shape[1]+296"
    assert model["non_trainable_params"] == 0
    dense = next(layer for layer in model["layers"] if layer["name"] == "dense")
    assert dense["params"] == "32*df.shape[1]+32"
    assert dense["output_shape"] == [None, 32]
    first = next(layer for layer in model["layers"] if layer["class"] == "InputLayer")
    assert first["output_shape"] == [None, "df.shape[1]"]


def test_a_product_of_more_named_sizes_than_archlint_keeps_is_unknown_not_a_number() -> None:
    report = analyse("df = pd.read_csv('d.csv')\n"
                     "inp = keras.Input(shape=(args.a, args.b, args.c, df.shape[1]))\n"
                     "x = layers.Flatten()(inp)\n"
                     "model = keras.Model(inp, layers.Dense(args.units)(x))\n")
    rows = layer_rows(only_model(report))
    assert rows["flatten"] == ("(None, args.a*args.b*args.c*df.shape[1])", "0")
    assert rows["dense"] == ("(None, args.units)", "?")  # the weights: 5 sizes multiplied
    assert only_model(report).total is None
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == []


def test_an_input_of_unknown_rank_still_gives_the_layers_that_do_not_depend_on_it() -> None:
    report = analyse("x_train = np.load('x.npy')\n"
                     "inp = keras.Input(shape=x_train.shape[1:])\n"
                     "x = layers.Dense(32)(inp)\n"
                     "x = layers.Dropout(0.5)(x)\n"
                     "model = keras.Model(inp, layers.Dense(8)(x))\n")
    analysis = only_model(report)
    calls = {c.layer.name: c for c in analysis.model.calls}
    assert all(not isinstance(c.output, tuple) for c in calls.values())  # the rank is unknown
    assert calls["dense"].params is None and calls["dense"].params_unknown is not None
    # Dense(8) on 32 features, whatever the rank: as after Dense(32) in "data frame columns".
    known = layer_rows(only_model(analyse(CASES["data frame columns"][0])))["dense_1"][1]
    assert str(calls["dense_1"].params.total) == known
    assert analysis.total is None
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == []


def test_flatten_over_an_input_of_unknown_rank_gives_a_rank_2_tensor() -> None:
    report = analyse("x_train = np.load('x.npy')\n"
                     "inp = keras.Input(shape=x_train.shape[1:])\n"
                     "x = layers.Flatten()(inp)\n"
                     "x = layers.Dense(32)(x)\n"
                     "model = keras.Model(inp, layers.Dense(8)(x))\n")
    rows = layer_rows(only_model(report))
    known = layer_rows(only_model(analyse(CASES["data frame columns"][0])))
    assert rows["flatten"] == ("(None, ?)", "0")
    assert rows["dense"] == ("(None, 32)", "?")
    assert rows["dense_1"] == known["dense_1"]


# Refused by Keras for some values of a named size only: a warning that says which.
CONV_ON_WINDOW = ("inp = keras.Input(shape=(args.window, 3))\n"
                  "model = keras.Model(inp, layers.Conv1D(8, 3)(inp))\n")
ADD_TWO_NAMES = ("a = keras.Input(shape=(args.window, 3))\n"
                 "b = keras.Input(shape=(args.steps, 3))\n"
                 "model = keras.Model([a, b], layers.Add()([a, b]))\n")
# Grouped-query attention: the query heads must be a multiple of the key/value heads.
GROUPED_HEADS = ("inp = keras.Input(shape=(6, 16))\n"
                 "model = keras.Model(inp, layers.GroupQueryAttention(head_dim=4, "
                 "num_query_heads=args.window, num_key_value_heads=args.steps)(inp, inp))\n")
# (script, values, whether Keras builds it), checked against real Keras below.
REFUSALS = {
    "conv@min": (CONV_ON_WINDOW, {"args.window": 3}, True),
    "conv@min-1": (CONV_ON_WINDOW, {"args.window": 2}, False),
    "add@equal": (ADD_TWO_NAMES, {"args.window": 7, "args.steps": 7}, True),
    "add@differ": (ADD_TWO_NAMES, {"args.window": 7, "args.steps": 19}, False),
    "grouped heads@multiple": (GROUPED_HEADS, {"args.window": 6, "args.steps": 3}, True),
    "grouped heads@not": (GROUPED_HEADS, {"args.window": 6, "args.steps": 4}, False),
}
KERAS3_ONLY = {"grouped heads@multiple", "grouped heads@not"}


def warnings_and_errors(report: FileReport) -> list[tuple[str, str]]:
    return [(d.code, d.severity.value) for d in report.diagnostics
            if d.severity.value in ("warning", "error")]


def test_a_kernel_longer_than_a_named_size_allows_is_a_warning_naming_the_values() -> None:
    report = analyse(CONV_ON_WINDOW)
    assert warnings_and_errors(report) == [("AL110", "warning")]
    (finding,) = [d for d in report.diagnostics if d.code == "AL110"]
    assert "Keras refuses the model when args.window < 3" in finding.message
    assert not [d for d in report.diagnostics if d.code == "AL107"]  # not a run-time length


def test_grouped_heads_of_two_named_sizes_are_a_warning_naming_the_values() -> None:
    report = analyse(GROUPED_HEADS)
    assert ("AL110", "warning") in warnings_and_errors(report)
    (finding,) = [d for d in report.diagnostics if d.code == "AL110"]
    assert "fails when (args.window) % (args.steps) != 0" in finding.message


def test_a_merge_of_two_named_sizes_is_a_warning_naming_the_values() -> None:
    report = analyse(ADD_TWO_NAMES)
    assert warnings_and_errors(report) == [("AL110", "warning")]
    (finding,) = [d for d in report.diagnostics if d.code == "AL110"]
    assert "fails when args.window != args.steps" in finding.message


def _graphs() -> tuple[list[dict[str, Any]], dict[str, tuple[ModelAnalysis, dict[str, int]]]]:
    graphs, index = [], {}
    for graph_id, (script, values, _) in REFUSALS.items():
        graph = model_request(only_model(analyse(script)).model, graph_id, values=values)
        graph["forward"] = []
        graphs.append(graph)
    for case, (script, _) in sorted(CASES.items()):
        analysis = only_model(analyse(script))
        for value in VALUES:
            values = dict.fromkeys(names_of(analysis), value)
            graph_id = f"{case}@{value}"
            graph = model_request(analysis.model, graph_id, values=values)
            graph["forward"] = []
            graphs.append(graph)
            index[graph_id] = (analysis, values)
    return graphs, index


@pytest.fixture(scope="module")
@needs_keras
def built(request: pytest.FixtureRequest) -> dict[str, Any]:
    graphs, index = _graphs()
    cache = getattr(request.config, "cache", None)
    return {"index": index, **{v: run_oracle(graphs, v, cache) for v in ("3", "2")}}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_expressions_match_keras_with_each_name_bound_to_two_values(built, keras, case):
    for value in VALUES:
        graph_id = f"{case}@{value}"
        analysis, values = built["index"][graph_id]
        result = built[keras][graph_id]
        assert "build_error" not in result, result.get("build_error")
        inputs = {id(ref.call) for ref in analysis.model.inputs}
        for call in analysis.model.calls:
            if id(call) in inputs:
                continue
            name = call.layer.name
            declared = result["calls"][name]["declared_shape"]
            ours = [None, *(evaluate(d, values) for d in call.output[1:])]
            assert ours == [None, *declared[1:]], (name, value)
            if call.params is None:
                assert call.params_unknown is not None, name  # says why
                continue
            params = result["layers"][name].get("declared_params") or {}
            assert evaluate(call.params.total, values) == sum(params.values()), (name, value)


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("graph_id", sorted(REFUSALS))
def test_keras_refuses_exactly_the_values_the_warning_names(built, keras, graph_id) -> None:
    if keras == "2" and graph_id in KERAS3_ONLY:
        pytest.skip("tf-keras has no GroupQueryAttention")
    result = built[keras][graph_id]
    builds = REFUSALS[graph_id][2]
    empty = any(0 in (call.get("declared_shape") or [])[1:]
                for call in result.get("calls", {}).values())
    refused = "build_error" in result or empty  # refused, or a layer gets no step at all
    assert refused != builds, result.get("build_error")


def test_arithmetic_on_a_runtime_value_is_named_after_the_whole_expression() -> None:
    # Not `args.window`: the size is twice that, and a name stands for the size itself.
    report = analyse("inp = keras.Input(shape=(args.window * 2 - 1,))\n"
                     "model = keras.Model(inp, layers.Dense(4)(inp))\n")
    rows = layer_rows(only_model(report))
    assert rows["input_layer"] == ("(None, args.window * 2 - 1)", "0")
    assert rows["dense"] == ("(None, 4)", "4*(args.window * 2 - 1)+4")


def test_arithmetic_inside_a_function_is_not_named_after_its_local_text() -> None:
    # `n * 2` means a different size at each call: no shared name, no number.
    report = analyse("def block(n):\n    return keras.Input(shape=(n * 2,))\n"
                     "a = block(args.a)\nb = block(args.b)\n"
                     "model = keras.Model([a, b], layers.Concatenate()([a, b]))\n")
    analysis = only_model(report)
    assert all(not isinstance(c.output, tuple) for c in analysis.model.calls)
    assert analysis.total is None
    assert warnings_and_errors(report) == []


# Binding named sizes: --set and [tool.archlint.values] give the numbers the expressions
# above take at those values (the expressions are the ones checked against Keras).
def _json_model(args: list[str], cwd: Path, source: str = BOUND_SCRIPT
                ) -> tuple[int, dict[str, Any] | str]:
    (cwd / "model.py").write_text(HEAD + source)
    result = subprocess.run([sys.executable, "-m", "archlint", *args, "--format", "json",
                             "model.py"], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    if result.returncode == 2:
        return 2, result.stderr
    return result.returncode, json.loads(result.stdout)["files"][0]["models"][0]


def _evaluated(values: dict[str, int]) -> list[tuple[Any, Any]]:
    """Each layer's shape and parameters from the symbolic analysis, at ``values``."""
    analysis = only_model(analyse(BOUND_SCRIPT))
    return [([evaluate(d, values) if d is not None else None for d in layer.calls[0].output],
             evaluate(layer.calls[0].params.total, values)) for layer in analysis.model.layers]


def _shapes_and_params(model: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(layer["output_shape"], layer["params"]) for layer in model["layers"]]


def test_set_binds_named_sizes_by_full_or_last_name(tmp_path: Path) -> None:
    code, model = _json_model(["--set", "window=64", "--set", "len(chars)=30"], tmp_path)
    assert code == 0 and isinstance(model, dict)
    assert _shapes_and_params(model) == _evaluated(BOUND)
    assert isinstance(model["total_params"], int)


def test_values_table_binds_named_sizes_and_set_overrides_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.archlint.values]\n"args.window" = 64\n"len(chars)" = 7\n')
    _, model = _json_model(["--set", "len(chars)=30"], tmp_path)
    assert isinstance(model, dict)
    assert _shapes_and_params(model) == _evaluated(BOUND)


def test_an_unbound_name_stays_an_expression(tmp_path: Path) -> None:
    _, model = _json_model(["--set", "window=64"], tmp_path)
    assert isinstance(model, dict)
    assert model["layers"][0]["output_shape"] == [None, 64, "len(chars)"]
    assert isinstance(model["total_params"], str)


@pytest.mark.parametrize(("args", "pyproject", "message"), [
    (["--set", "window"], "", "is not NAME=SIZE"),
    (["--set", "window=-1"], "", "is not NAME=SIZE"),
    ([], '[tool.archlint.values]\nwindow = "big"\n', "must be a size"),
    ([], '[tool.archlint.values]\nwindow = true\n', "must be a size"),
])
def test_a_bad_binding_is_a_usage_error(tmp_path: Path, args: list[str], pyproject: str,
                                        message: str) -> None:
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    code, stderr = _json_model(args, tmp_path)
    assert code == 2 and message in str(stderr) and "Traceback" not in str(stderr)


@pytest.mark.keras
def test_crosscheck_builds_a_model_with_named_sizes_at_two_values() -> None:
    from archlint.crosscheck import crosscheck

    report = analyse(CASES["options given as named sizes"][0])
    verdicts = crosscheck([report], ["3", "2"])
    assert len(verdicts) == 4  # two builds, in each Keras version
    assert sorted({tuple(v.values.values()) for v in verdicts}) == [(7, 7, 7), (19, 19, 19)]
    assert all(v.archlint_agrees and v.verdict == "agree" for v in verdicts), \
        [(v.model, v.keras, v.verdict, v.note) for v in verdicts]


def test_an_argparse_default_is_shown_not_assumed() -> None:
    report = analyse(CASES["argparse window"][0])
    (info,) = [d for d in report.diagnostics if d.code == "AL001"]
    assert "`args.window` comes from the command line" in info.message
    assert "its default is 16; bind it with --set window=..." in info.message
    assert layer_rows(only_model(report))["conv1d"] == ("(None, args.window-2, 8)", "80")


def test_a_parameter_count_left_unknown_says_why_in_the_names_finding() -> None:
    report = analyse("df = pd.read_csv('d.csv')\n"
                     "inp = keras.Input(shape=(args.a, args.b, args.c, df.shape[1]))\n"
                     "x = layers.Flatten()(inp)\n"
                     "model = keras.Model(inp, layers.Dense(args.units)(x))\n")
    dense = next(d for d in report.diagnostics if d.code == "AL001" and d.layer == "dense")
    assert "named size `args.units`" in dense.message
    assert "its own parameter count is unknown: the product of" in dense.message
