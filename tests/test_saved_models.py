"""Saved models (``model.keras`` archives and ``model.to_json()`` files) read without Keras.

Real Keras builds and saves every model below: one subprocess for Keras 3 and one for
tf-keras, run side by side. archlint then reads each file and must find what it finds in
the script that built the model: the same model and layer names, classes, output shapes
and parameters, the same diagnostics, and the parameter counts Keras itself reports
(except where Keras 3 miscounts: keras-team/keras#23688).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import analyse_source, default_settings
from archlint.diagnostics import Event
from archlint.dims import format_shape
from archlint.engine import ModelAnalysis, analyse_model
from archlint.frontend.saved_model import (
    SavedModelError,
    load_config,
    models_from_config,
    read_models,
)
from archlint.graph import Model
from archlint.rule import RuleContext
from tests.oracle import needs_keras

# Each script builds `model` from `keras` (Keras 3, or tf_keras imported as keras).
SOURCES = {
    "seed": """
il = keras.Input(shape=(20, 6))
hl = keras.layers.Conv1D(32, 10, activation="swish")(il)
hl = keras.layers.MaxPool1D(2)(hl)
hl = keras.layers.Bidirectional(
    keras.layers.LSTM(24, return_sequences=True),
    backward_layer=keras.layers.GRU(16, return_sequences=True, go_backwards=True),
    name="Bidirectional_1")(hl)
hl = keras.layers.Bidirectional(
    keras.layers.LSTM(24, return_sequences=True),
    backward_layer=keras.layers.GRU(24, return_sequences=True, go_backwards=True),
    name="Bidirectional_2")(hl)
hl = keras.layers.Flatten()(hl)
hl = keras.layers.Dense(256, activation="swish", name="Fully_Connected")(hl)
ol = keras.layers.Dense(1, activation="relu", name="output")(hl)
model = keras.Model(il, ol)
model.compile(loss=keras.losses.mean_absolute_error, optimizer="adam")
""",
    "sequential": """
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.BatchNormalization(),
    keras.layers.Flatten(),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
], name="classifier")
model.compile(loss="categorical_crossentropy", optimizer="adam")
""",
    "sequential_built": """
model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)],
                         name="regressor")
model.build((None, 16))
""",
    "variable_length": """
frames = keras.Input(shape=(None, 8), name="frames")
x = keras.layers.Conv1D(32, 5, strides=2, activation="relu", name="conv")(frames)
x = keras.layers.MaxPooling1D(3, name="pool")(x)
x = keras.layers.Bidirectional(keras.layers.GRU(8, return_sequences=True), name="bi")(x)
x = keras.layers.TimeDistributed(keras.layers.Dense(4), name="per_step")(x)
x = keras.layers.GlobalAveragePooling1D(name="average")(x)
out = keras.layers.Dense(1, activation="sigmoid", name="out")(x)
model = keras.Model(frames, out, name="variable_length")
""",
    "text": """
tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
x = keras.layers.Embedding(1000, 16, name="embed")(tokens)
x = keras.layers.LSTM(8, name="rnn")(x)
model = keras.Model(tokens, keras.layers.Dense(3, activation="softmax", name="out")(x))
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
""",
    "multi_io": """
left = keras.Input(shape=(12, 3), name="left")
right = keras.Input(shape=(12, 3), name="right")
encoder = keras.layers.LSTM(8, return_sequences=True, name="encoder")
a = encoder(left)
b = encoder(right)
merged = keras.layers.Concatenate(name="merged")([a, b])
pooled = keras.layers.GlobalMaxPooling1D(name="pooled")(merged)
score = keras.layers.Dense(1, activation="sigmoid", name="score")(pooled)
diff = keras.layers.Subtract(name="diff")([a, b])
per_step = keras.layers.Dense(2, name="per_step")(diff)
model = keras.Model([left, right], [score, per_step], name="siamese")
model.compile(loss=["binary_crossentropy", "mse"], optimizer="adam")
""",
    "lstm_state": """
frames = keras.Input(shape=(None, 5), name="frames")
seq, h, c = keras.layers.LSTM(16, return_sequences=True, return_state=True, name="lstm")(frames)
decoded = keras.layers.LSTM(16, name="decoder")(seq, initial_state=[h, c])
from_h = keras.layers.Dense(4, name="from_h")(h)
joined = keras.layers.Concatenate(name="joined")([decoded, c])
model = keras.Model(frames, [joined, from_h, c], name="stateful_heads")
""",
    "nested": """
inner = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(4, name="inner_dense")],
                         name="inner")
x = keras.Input(shape=(8,), name="x")
y = keras.Input(shape=(8,), name="y")
z = keras.layers.Concatenate(name="both")([inner(x), inner(y)])
model = keras.Model([x, y], keras.layers.Dense(2, name="z")(z), name="outer")
""",
    "seq2seq": """
source = keras.Input(shape=(None, 6), name="source")
_, h, c = keras.layers.LSTM(16, return_state=True, name="encoder")(source)
target = keras.Input(shape=(None, 4), name="target")
seq = keras.layers.LSTM(16, return_sequences=True, name="decoder")(target, initial_state=[h, c])
model = keras.Model([source, target], keras.layers.Dense(4, name="out")(seq), name="seq2seq")
""",
    "attention": """
q = keras.Input(shape=(6, 12), name="q")
kv = keras.Input(shape=(None, 20), name="kv")
k = keras.Input(shape=(None, 9), name="k")
cross = keras.layers.MultiHeadAttention(3, 4, name="cross")
out, scores = cross(q, kv, key=k, return_attention_scores=True)
self_attn = keras.layers.MultiHeadAttention(2, 3, value_dim=5, name="self")
x = self_attn(query=out, value=out, use_causal_mask=True)
x = keras.layers.LayerNormalization(name="norm")(keras.layers.Add(name="res")([out, x]))
heads = keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 7), bias_axes="de",
                                 name="heads")(x)
model = keras.Model([q, kv, k], [heads, scores], name="attention")
""",
}
# The interpreter does not follow a model called as a layer: compared with Keras only.
NOT_FROM_SOURCE = {"nested"}
HEADERS = {"3": "import keras\n", "2": "import tf_keras as keras\n"}
FORMATS = ("keras", "json")

# Builds and saves every script; prints what happened to each as JSON.
GENERATOR = r"""
import json, os, sys
from pathlib import Path
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
version, out_dir = sys.argv[1], Path(sys.argv[2])
if version == "2":
    import tf_keras as keras
else:
    import keras
sources = json.loads(sys.stdin.read())
results = {}
for name, source in sources.items():
    result = results[name] = {}
    keras.backend.clear_session()
    namespace = {"keras": keras}
    try:
        exec(source, namespace)
        model = namespace["model"]
        result["params"] = int(model.count_params())
        result["layers"] = {layer.name: int(layer.count_params()) for layer in model.layers}
    except Exception as error:
        result["error"] = f"build: {type(error).__name__}: {error}"
        continue
    writers = {"keras": model.save,
               "json": lambda path: Path(path).write_text(model.to_json())}
    for kind, write in writers.items():
        path = out_dir / f"{name}.{kind}"
        try:
            write(str(path))
            result[kind] = str(path)
        except Exception as error:
            result[kind + "_error"] = f"{type(error).__name__}: {error}"
print(json.dumps(results))
"""

requires_keras = pytest.mark.skipif(
    importlib.util.find_spec("keras") is None or importlib.util.find_spec("tf_keras") is None,
    reason="needs keras and tf_keras (the test extras)")


@pytest.fixture(scope="module")
@needs_keras
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """What each Keras version did with each script: {"3": {name: result}, "2": ...}."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    running = {}
    for version in HEADERS:
        out_dir = tmp_path_factory.mktemp(f"keras{version}")
        process = subprocess.Popen(
            [sys.executable, "-c", GENERATOR, version, str(out_dir)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        running[version] = process
    results = {}
    for version, process in running.items():
        stdout, stderr = process.communicate(json.dumps(SOURCES), timeout=600)
        if process.returncode != 0:
            raise RuntimeError(f"Keras {version} failed to save the models:\n{stderr[-4000:]}")
        results[version] = json.loads(stdout)
    return results


def _shapes(call_output: Any) -> Any:
    if isinstance(call_output, list):
        return [_shapes(s) for s in call_output]
    return format_shape(call_output) if isinstance(call_output, tuple) else repr(call_output)


def summary(analysis: ModelAnalysis) -> dict[str, Any]:
    """What a report shows of a model: its layers with their output shapes and parameters."""
    model = analysis.model
    layers = []
    for layer in model.layers:
        params = next((c.params.total for c in layer.calls if c.params is not None), None)
        outputs = [_shapes(c.output) for c in layer.calls if c in model.calls]
        layers.append((layer.name, layer.class_name, outputs, params))
    return {"name": model.name, "kind": model.kind, "layers": layers,
            "inputs": [r.call.layer.name for r in model.inputs],
            "outputs": [(r.call.layer.name, r.index) for r in model.outputs],
            "total": analysis.total, "trainable": analysis.trainable,
            "bounds": [(b.symbol, b.minimum) for b in analysis.bounds]}


def analyse_saved(path: str) -> tuple[list[ModelAnalysis], list[Event]]:
    events: list[Event] = []
    models = models_from_config(load_config(path), events)
    reported: set[int] = set()
    analyses = [analyse_model(model, reported) for model in models]
    return analyses, events + [e for a in analyses for e in a.events]


def rule_findings(analyses: list[ModelAnalysis], events: list[Event]) -> list[tuple[str, str]]:
    """(code, layer) of every diagnostic the rules report, as analyse_source runs them."""
    context = RuleContext("saved", analyses, events)
    found = []
    for rule in default_settings().rules:
        if rule.code == "AL503":
            continue
        found.extend((rule.code, f.layer) for f in rule.check(context))
    return sorted(found, key=str)


def _saved_file(saved: dict[str, Any], version: str, name: str, fmt: str) -> str:
    result = saved[version][name]
    assert "error" not in result, result["error"]
    assert fmt in result, result.get(f"{fmt}_error")
    return result[fmt]


# Where the script front end is known to read the script wrongly (the saved file is right).
SOURCE_GAPS: dict[str, str] = {}
CASES = [pytest.param(v, n, f, id=f"keras{v}-{n}-{f}", marks=[pytest.mark.xfail(
             reason=SOURCE_GAPS[n], strict=False)] if n in SOURCE_GAPS else [])
         for v in HEADERS for n in SOURCES if n not in NOT_FROM_SOURCE for f in FORMATS]


@requires_keras
@pytest.mark.keras
@pytest.mark.parametrize(("version", "name", "fmt"), CASES)
def test_saved_model_reads_like_its_script(saved, version: str, name: str, fmt: str) -> None:
    path = _saved_file(saved, version, name, fmt)
    analyses, events = analyse_saved(path)
    source = SOURCES[name]
    if analyses[0].model.compile is None:  # tf-keras's to_json() keeps no compile options
        source = "\n".join(line for line in source.splitlines()
                           if not line.startswith("model.compile("))
    report = analyse_source(HEADERS[version] + source)
    assert len(analyses) == len(report.models) == 1
    ours, theirs = summary(analyses[0]), summary(report.models[0])
    # Keras saves its layers in its own order (by depth), a script runs in its order.
    ours["layers"].sort(key=str)
    theirs["layers"].sort(key=str)
    assert ours == theirs
    assert not [e for e in events if e.code in ("AL001", "AL002")]
    source_findings = sorted(((d.code, d.layer) for d in report.diagnostics), key=str)
    assert rule_findings(analyses, events) == source_findings


@requires_keras
@pytest.mark.keras
@pytest.mark.parametrize("version", list(HEADERS))
def test_parameters_equal_what_keras_counts(saved, version: str) -> None:
    for name in SOURCES:
        result = saved[version][name]
        for fmt in FORMATS:
            analyses, _ = analyse_saved(_saved_file(saved, version, name, fmt))
            ours = analyses[-1]
            if version == "3" and name == "seed":
                # keras-team/keras#23688: Keras 3 builds Bidirectional_2 on a declared width
                # of 48 instead of the 40 that comes out, and counts its weights that way.
                assert result["params"] != ours.total == 82_769
                continue
            assert ours.total == result["params"], (name, fmt)
            if name not in NOT_FROM_SOURCE:  # same layers, in Keras's order, same counts
                counted = {layer.name: next(c.params.total for c in layer.calls if c.params)
                           for layer in ours.model.layers}
                keras_layers = {k: v for k, v in result["layers"].items()
                                if ours.model.kind == "functional" or k in counted}
                assert list(counted.items()) == list(keras_layers.items()), (name, fmt)


@requires_keras
@pytest.mark.keras
@pytest.mark.parametrize("version", list(HEADERS))
def test_seed_model_from_both_formats(saved, version: str) -> None:
    expected = [("Conv1D", "(None, 11, 32)", 1952), ("MaxPooling1D", "(None, 5, 32)", 0),
                ("Bidirectional", "(None, 5, 40)", 7872),
                ("Bidirectional", "(None, 5, 48)", 10992), ("Flatten", "(None, 240)", 0),
                ("Dense", "(None, 256)", 61696), ("Dense", "(None, 1)", 257)]
    for fmt in FORMATS:
        analyses, _ = analyse_saved(_saved_file(saved, version, "seed", fmt))
        (analysis,) = analyses
        layers = summary(analysis)["layers"]
        assert [(c, s[0], p) for _, c, s, p in layers[1:]] == expected
        assert [n for n, *_ in layers[1:]] == ["conv1d", "max_pooling1d", "Bidirectional_1",
                                                "Bidirectional_2", "flatten",
                                                "Fully_Connected", "output"]
        assert layers[0][0] == ("input_layer" if version == "3" else "input_1")
        assert analysis.total == analysis.trainable == 82_769
        # tf-keras's model.to_json() keeps no compile options; the other files do.
        assert (analysis.model.compile is None) == (fmt == "json" and version == "2")


@requires_keras
@pytest.mark.keras
@pytest.mark.parametrize("version", list(HEADERS))
def test_nested_model_is_inlined_and_analysed_alone(saved, version: str) -> None:
    for fmt in FORMATS:
        analyses, events = analyse_saved(_saved_file(saved, version, "nested", fmt))
        inner, outer = (summary(a) for a in analyses)
        assert (inner["name"], inner["total"]) == ("inner", 36)
        assert outer["name"] == "outer" and outer["total"] == 36 + 18
        dense = next(layer for layer in outer["layers"] if layer[0] == "inner/inner_dense")
        assert dense == ("inner/inner_dense", "Dense", ["(None, 4)", "(None, 4)"], 36)
        assert ("z", "Dense", ["(None, 2)"], 18) in outer["layers"]
        assert not events


# --------------------------------------------------------------------------- without Keras


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def _zip(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for entry, text in files.items():
            archive.writestr(entry, text)
    return path


def _error(path: Path) -> str:
    with pytest.raises(SavedModelError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_corrupt_zip(tmp_path: Path) -> None:
    good = _zip(tmp_path, "good.keras", {"config.json": json.dumps(SEQUENTIAL_2_2)})
    data = bytearray(good.read_bytes())
    del data[len(data) // 2:]  # truncated: the central directory is gone
    assert "corrupt zip" in _error(_write(tmp_path, "model.keras", bytes(data)))


def test_zip_without_config(tmp_path: Path) -> None:
    path = _zip(tmp_path, "model.keras", {"model.weights.h5": "weights"})
    message = _error(path)
    assert "without config.json" in message and "model.weights.h5" in message


def test_json_that_is_not_a_model(tmp_path: Path) -> None:
    assert "not a Keras model config" in _error(_write(tmp_path, "a.json", '{"loss": 1.5}'))
    assert "not a Keras model config" in _error(_write(tmp_path, "b.json", "[1, 2]"))
    assert "not valid JSON" in _error(_write(tmp_path, "c.json", "{'class_name': 1"))
    assert "not UTF-8" in _error(_write(tmp_path, "d.json", b"\xff\xfe\x00garbage"))
    layer = {"class_name": "Dense", "config": {"units": 3}}
    with pytest.raises(SavedModelError, match="a Dense layer, not a model"):
        models_from_config(load_config(_write(tmp_path, "e.json", json.dumps(layer))))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert "is empty" in _error(_write(tmp_path, "empty.keras", b""))
    assert "is empty" in _error(_write(tmp_path, "blank.json", "  \n"))
    assert "cannot read" in _error(tmp_path / "missing.keras")
    assert "is a directory" in _error(tmp_path)


def test_other_formats_are_named(tmp_path: Path) -> None:
    h5 = _write(tmp_path, "model.h5", b"\x89HDF\r\n\x1a\n" + bytes(100))
    assert "legacy HDF5" in _error(h5)
    saved_model = tmp_path / "exported"
    saved_model.mkdir()
    (saved_model / "saved_model.pb").write_bytes(b"\x08\x01")
    assert "TensorFlow SavedModel" in _error(saved_model)
    old = _zip(tmp_path, "old.keras", {"config.json": json.dumps(SEQUENTIAL_2_2),
                                       "metadata.json": '{"keras_version": "1.2.2"}'})
    assert "saved by Keras 1.2.2" in _error(old)


def test_broken_graph_is_an_error(tmp_path: Path) -> None:
    config = {"class_name": "Functional", "config": {
        "name": "broken", "layers": [
            {"class_name": "InputLayer", "name": "in",
             "config": {"batch_input_shape": [None, 4], "name": "in"}, "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"units": 2, "name": "d"},
             "inbound_nodes": [[["nowhere", 0, 0, {}]]]}],
        "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}}
    with pytest.raises(SavedModelError, match="layer `nowhere`, which the model does not"):
        models_from_config(config)
    config["config"]["layers"][1]["inbound_nodes"] = [[["in", 3, 0, {}]]]
    with pytest.raises(SavedModelError, match="call 3 of layer `in`, which never happens"):
        models_from_config(config)


# A Keras 2.2 era Sequential: the config is the list of layers, the first one carries
# batch_input_shape; a Lambda and a custom layer archlint cannot analyse.
SEQUENTIAL_2_2 = {"class_name": "Sequential", "keras_version": "2.2.4", "config": [
    {"class_name": "Conv1D", "config": {"name": "conv", "filters": 4, "kernel_size": [3],
                                        "batch_input_shape": [None, None, 2],
                                        "dtype": "float32", "trainable": True}},
    {"class_name": "GlobalMaxPooling1D", "config": {"name": "pool"}},
    {"class_name": "Dense", "config": {"name": "dense", "units": 3,
                                       "kernel_initializer": {"class_name": "GlorotUniform",
                                                              "config": {"seed": None}}}},
]}


def test_old_sequential_list_config(tmp_path: Path) -> None:
    path = _write(tmp_path, "old.json", json.dumps(SEQUENTIAL_2_2))
    models, events = read_models(path)
    (analysis,) = [analyse_model(m, set()) for m in models]
    layers = summary(analysis)["layers"]
    assert layers == [("conv", "Conv1D", ["(None, T-2, 4)"], 28),
                      ("pool", "GlobalMaxPooling1D", ["(None, 4)"], 0),
                      ("dense", "Dense", ["(None, 3)"], 15)]
    assert summary(analysis)["inputs"] == ["conv_input"] and not events
    assert [(b.symbol, b.minimum) for b in analysis.bounds] == [("T", 3)]


def test_saved_model_report_gives_no_line_numbers(tmp_path: Path) -> None:
    """A saved model has no source lines: no Line column, no "line 0", layers by name."""
    path = _write(tmp_path, "old.json", json.dumps(SEQUENTIAL_2_2))

    def run(output_format: str) -> str:
        return subprocess.run([sys.executable, "-m", "archlint", "--format", output_format,
                               str(path)], capture_output=True, text=True, check=False,
                              env={**os.environ, "NO_COLOR": "1"}).stdout

    text, concise = run("text"), run("concise")
    assert 'Model "sequential" (sequential)\n' in text
    assert "Layer (type)               Output Shape    Param #     FLOPs\n" in text
    for report in (text, concise):
        assert "AL107" in report and "Conv1D 'conv' outputs T-2 steps" in report
        assert "line" not in report.replace("minimum-input-length", ""), report


def test_unsupported_and_custom_layers_are_events(tmp_path: Path) -> None:
    config = {"class_name": "Sequential", "config": {"name": "odd", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 6], "name": "in"}},
        {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "double"}},
        {"module": "my_project.layers", "class_name": "Dense", "registered_name": "Dense",
         "config": {"name": "fake_dense", "units": 2}},
        {"module": "keras.layers", "class_name": "Dense", "config": {"name": "head",
                                                                      "units": 1}},
    ]}}
    events: list[Event] = []
    (model,) = models_from_config(config, events)
    analysis = analyse_model(model, set())
    assert [(e.code, e.layer, e.model) for e in events] == [
        ("AL002", "double", "odd"), ("AL002", "fake_dense", "odd")]
    assert "`Lambda` is not supported" in events[0].message
    assert "custom layer class `Dense` (module my_project.layers)" in events[1].message
    assert all(e.span.line == 0 for e in events)
    assert analysis.total is None and analysis.unknown_params == ["double", "fake_dense",
                                                                  "head"]


def test_subclassed_model_is_an_event() -> None:
    events: list[Event] = []
    config = {"module": "my_project", "class_name": "MyNet", "config": {"units": 3},
              "registered_name": "Custom>MyNet"}
    assert models_from_config(config, events) == []
    assert [e.code for e in events] == ["AL002"]
    assert "MyNet" in events[0].message


def test_models_from_config_keeps_names() -> None:
    config = {"class_name": "Functional", "config": {
        "name": "tiny", "layers": [
            {"class_name": "InputLayer", "name": "in",
             "config": {"batch_shape": [None, None, 3], "name": "in"}, "inbound_nodes": []},
            {"class_name": "LSTM", "name": "rnn",
             "config": {"units": 2, "return_state": True, "name": "rnn",
                        "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                  "config": {"name": "float32"}}},
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                 "shape": [None, None, 3], "keras_history": ["in", 0, 0]}}], "kwargs": {}}]}],
        "input_layers": ["in", 0, 0], "output_layers": [["rnn", 0, 2]]}}
    (model,) = models_from_config(config)
    assert isinstance(model, Model) and model.name == "tiny"
    analysis = analyse_model(model, set())
    assert [(r.call.layer.name, r.index) for r in model.outputs] == [("rnn", 2)]
    assert _shapes(model.outputs[0].call.output) == ["(None, 2)"] * 3
    assert analysis.total == 4 * (2 * (3 + 2) + 2)


def _functional(*layers: dict[str, Any], output: str) -> dict[str, Any]:
    """A tf-keras style functional config: each layer called once on the previous one."""
    entries, previous = [], None
    for layer in layers:
        entry = {**layer, "name": layer["config"]["name"]}
        entry["inbound_nodes"] = [] if previous is None else [[[previous, 0, 0, {}]]]
        entries.append(entry)
        previous = entry["name"]
    first = entries[0]["name"]
    return {"class_name": "Functional", "keras_version": "2.21.0", "config": {
        "name": "quirks", "layers": entries, "input_layers": [[first, 0, 0]],
        "output_layers": [[output, 0, 0]]}}


def test_saved_option_quirks() -> None:
    """tf-keras's list axis and time_major=False, Keras 3's dtype policies and tuples."""
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
    config = _functional(
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape":
                                                [None, 6, 4], "dtype": "float32"}},
        {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [2],
                                                        "dtype": policy}},
        {"class_name": "Reshape", "config": {"name": "reshape", "target_shape": {
            "class_name": "__tuple__", "config": {"value": [3, 8]}}}},
        {"class_name": "LSTM", "config": {"name": "rnn", "units": 5, "time_major": False,
                                          "implementation": 2, "trainable": True}},
        output="rnn")
    events: list[Event] = []
    (model,) = models_from_config(config, events)
    layers = summary(analyse_model(model, set()))["layers"]
    assert layers[1:] == [("bn", "BatchNormalization", ["(None, 6, 4)"], 16),
                          ("reshape", "Reshape", ["(None, 3, 8)"], 0),
                          ("rnn", "LSTM", ["(None, 5)"], 4 * (5 * (8 + 5) + 5))]
    assert not events
    config["config"]["layers"][3]["config"]["time_major"] = True
    (model,) = models_from_config(config, events)
    assert [(e.code, e.layer) for e in events] == [("AL002", "rnn")]
    assert "time_major=True" in events[0].message


def test_unreadable_options_are_an_event(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise TypeError("'<' not supported between instances of 'dict' and 'int'")

    monkeypatch.setattr("archlint.frontend.saved_graph.instantiate", refuse)
    events: list[Event] = []
    config = _functional(
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [None, 3]}},
        {"class_name": "Dense", "config": {"name": "d", "units": {"odd": 1}}}, output="d")
    models_from_config(config, events)
    assert [(e.code, e.layer) for e in events] == [("AL002", "in"), ("AL002", "d")]
    assert "cannot read the saved options of Dense `d` (TypeError" in events[1].message


def test_input_shape_must_be_sizes() -> None:
    config = _functional(
        {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape":
                                                [None, 1.5]}},
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}, output="d")
    with pytest.raises(SavedModelError, match=r"input `in` has batch_input_shape=\[None, 1.5\]"):
        models_from_config(config)


@requires_keras
@pytest.mark.keras
@pytest.mark.parametrize("version", list(HEADERS))
def test_initial_states_from_another_branch_are_part_of_the_graph(saved, version: str
                                                                   ) -> None:
    """An encoder whose states only reach the decoder's initial_state= belongs to the model:
    its weights are counted, and nothing is reported unknown."""
    for fmt in FORMATS:
        (analysis,), events = analyse_saved(_saved_file(saved, version, "seq2seq", fmt))
        assert analysis.total == saved[version]["seq2seq"]["params"]
        assert "encoder" in [n for n, *_ in summary(analysis)["layers"]]
        assert not [e for e in events if e.code == "AL001"]
        decoder = next(layer for layer in analysis.model.layers if layer.name == "decoder")
        assert [ref.call.layer.name for ref in decoder.calls[0].side_inputs] == [
            "encoder", "encoder"]


@requires_keras
@pytest.mark.keras
@pytest.mark.parametrize("version", list(HEADERS))
def test_command_line_reports_saved_files_like_the_script(saved, version: str,
                                                          tmp_path: Path) -> None:
    """`archlint model.keras` and `archlint model.json` print the script's report."""
    script = tmp_path / "seed.py"
    script.write_text(HEADERS[version] + SOURCES["seed"])

    def report(path: str) -> dict[str, Any]:
        result = subprocess.run([sys.executable, "-m", "archlint", "--format", "json", path],
                                capture_output=True, text=True, check=False)
        assert "Traceback" not in result.stderr, result.stderr
        return json.loads(result.stdout)["files"][0]

    def layers(file: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(entry["name"], entry["class"], entry["output_shape"], entry["params"])
                for entry in file["models"][-1]["layers"]]

    expected = report(str(script))
    for fmt in FORMATS:
        saved_report = report(_saved_file(saved, version, "seed", fmt))
        assert layers(saved_report)[1:] == layers(expected)[1:]  # input names differ by version
        assert saved_report["models"][-1]["total_params"] == expected["models"][0]["total_params"]
        codes = sorted(d["code"] for d in saved_report["diagnostics"])
        assert "AL204" in codes and not any(d["severity"] == "error"
                                            for d in saved_report["diagnostics"])
