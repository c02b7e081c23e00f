"""The crosscheck oracle runs nothing it was not meant to, and survives a crashing TensorFlow.

* Only archlint's layer classes and plain option values reach Keras: a ``TFSMLayer`` named
  in an option (a script, a ``.json`` or a ``.keras`` model) is refused before TensorFlow is
  imported, and a request crafted by hand is refused again inside the oracle process. The
  SavedModel the tests build writes a file when its graph runs: it must never be written.
* Neither ``python -m archlint`` nor the oracle process imports from the user's working
  directory (a ``json.py``, ``keras.py``, ``numpy.py``... there writes a file when imported).
* A call that kills the process is reported for its graph; every other graph keeps its
  result. A stand-in kills its own process (the real crash depends on the CPU); the real
  one, a pooling window longer than its input (tensorflow/tensorflow#125509), is run too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import analyse_file, analyse_source
from archlint.crosscheck import SKIPPED, UNEXPECTED_REFUSAL, crosscheck
from archlint.layers import all_specs
from archlint.layers.base import ShapeError
from archlint.layers.shape_utils import pooling_output_length
from archlint.oracle import launch
from archlint.oracle.allowed import (
    KINDS,
    RequestRefused,
    check_graph,
    check_layer,
    kind_of,
    nested_layer_class,
)
from archlint.oracle.export import UnsafeOption, model_request
from tests.oracle import needs_keras

ROOT = Path(__file__).resolve().parent.parent
ISSUE = "tensorflow/tensorflow#125509"
KILL_AT = "ARCHLINT_TEST_KILL_AT"


def hostile_option(saved_model: Path) -> dict[str, Any]:
    return {"class_name": "TFSMLayer",
            "config": {"filepath": str(saved_model), "call_endpoint": "serving_default"}}


def dense_graph(graph_id: str, **config: Any) -> dict[str, Any]:
    return {"id": graph_id, "inputs": [{"name": "x", "shape": [4], "dtype": "float32"}],
            "layers": {"dense": {"class_name": "Dense", "config": {"units": 3, **config}}},
            "calls": [{"id": "dense", "layer": "dense", "inbound": [["x", 0]]}],
            "forward": [[[4]]]}


def pooling_graph(graph_id: str, steps: int | None, lengths: list[int]) -> dict[str, Any]:
    """MaxPooling1D(pool_size=3, strides=1) after a Dense, on ``steps`` time steps."""
    return {"id": graph_id, "inputs": [{"name": "x", "shape": [steps, 4], "dtype": "float32"}],
            "layers": {"dense": {"class_name": "Dense", "config": {"units": 4}},
                       "pool": {"class_name": "MaxPooling1D",
                                "config": {"pool_size": 3, "strides": 1}}},
            "calls": [{"id": "dense", "layer": "dense", "inbound": [["x", 0]]},
                      {"id": "pool", "layer": "pool", "inbound": [["dense", 0]]}],
            "forward": [[[length, 4]] for length in lengths]}


# ----------------------------------------------------------------- the allow-list
def test_options_that_build_are_allowed() -> None:
    check_layer("Dense", {"units": 3, "activation": "relu", "kernel_initializer":
                          {"class_name": "HeNormal", "config": {"seed": 1}},
                          "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.1}},
                          "bias_constraint": "non_neg", "name": "d"})
    check_layer("Bidirectional", {"layer": {"class_name": "LSTM", "config": {
        "units": 4, "recurrent_activation": "sigmoid"}}, "merge_mode": None})
    check_layer("Dense", {"units": 3, "activation": {"class_name": "ReLU", "config": {}}})
    check_layer("RNN", {"cell": [{"class_name": "LSTMCell", "config": {"units": 2}},
                                 {"class_name": "GRUCell", "config": {"units": 3}}]})
    assert kind_of("recurrent_initializer") == "initializer"
    assert kind_of("activity_regularizer") == "regularizer"
    assert kind_of("units") is None


@pytest.mark.parametrize(("class_name", "config", "option"), [
    ("TFSMLayer", {"filepath": "/x"}, ""),
    ("Lambda", {"function": "print"}, ""),
    ("Dense", {"activation": {"class_name": "TFSMLayer", "config": {}}}, "activation"),
    ("Dense", {"activation": {"class_name": "GlorotUniform", "config": {}}}, "activation"),
    ("Dense", {"kernel_initializer": {"module": "keras.layers", "class_name": "TFSMLayer",
                                      "config": {}, "registered_name": None}},
     "kernel_initializer"),
    ("Dense", {"dtype": {"module": "keras", "class_name": "DTypePolicy",
                         "config": {"name": "float32"}}}, "dtype"),
    ("Dense", {"units": [1, {"class_name": "Dense", "config": {}}]}, "units"),
    ("RNN", {"cell": [{"class_name": "LSTMCell", "config": {}},
                      {"class_name": "TFSMLayer", "config": {}}]}, "cell"),
    ("Pipeline", {"layers": [{"class_name": "Dense", "config": {
        "activation": {"class_name": "TFSMLayer", "config": {}}}}]}, "layers.activation"),
    ("Dense", {"units": {"__lambda__": "code"}}, "units"),
    ("Dense", {"kernel_initializer": {"class_name": "HeNormal", "config": {
        "seed": {"class_name": "TFSMLayer", "config": {}}}}}, "kernel_initializer.config"),
    ("Bidirectional", {"layer": {"class_name": "LSTM", "config": {
        "activation": {"class_name": "TFSMLayer", "config": {}}}}}, "layer.activation"),
    ("Dense", {"units": object()}, "units"),
])
def test_anything_else_is_refused(class_name: str, config: dict[str, Any], option: str) -> None:
    with pytest.raises(RequestRefused) as refused:
        check_layer(class_name, config)
    assert refused.value.option == option


def test_a_crafted_request_is_refused_whole() -> None:
    for graph in ({**dense_graph("g"), "inputs": [{"name": "x", "shape": [4],
                                                  "dtype": {"class_name": "TFSMLayer"}}]},
                  {**dense_graph("g"), "calls": [{"id": "dense", "layer": "dense",
                                                  "inbound": [["x", 0]], "call_kwargs": {
                                                      "training": {"class_name": "X"}}}]},
                  {**dense_graph("g"), "layers": {"t": {"class_name": "TFSMLayer",
                                                        "config": {}}}}):
        with pytest.raises(RequestRefused):
            check_graph(graph)
    check_graph(dense_graph("g", activation="tanh"))


@pytest.mark.parametrize("config", [
    {"op": "os.system", "args": ["echo owned"], "kwargs": {}},
    {"op": "builtins.eval", "args": ["1"], "kwargs": {}},
    {"op": "operator.add", "args": [{"__slot__": 0}, {"__import__": "os"}], "kwargs": {}},
    {"op": "operator.add", "args": [{"__slot__": "0"}, 1], "kwargs": {}},
    {"op": "tf.concat", "args": [[{"__constant__": [1, "9" * 40]}]], "kwargs": {}},
    {"op": "operator.add", "args": [{"__slot__": 0}, 1], "kwargs": {}, "code": "x"},
    {"op": ["tf.concat"], "args": [], "kwargs": {}},
])
def test_an_operation_outside_archlint_s_table_or_with_odd_arguments_is_refused(
        config: dict[str, Any]) -> None:
    with pytest.raises(RequestRefused):
        check_layer("TensorOp", config)


def test_a_user_defined_layer_is_only_weights_of_integer_shapes() -> None:
    check_layer("UserLayer", {"weights": [[[4, 3], True], [[], False]], "several": False})
    for weights in ([[["4"], True]], [[[4], "yes"]], [[[2 ** 40], True]], "x"):
        with pytest.raises(RequestRefused):
            check_layer("UserLayer", {"weights": weights})
    with pytest.raises(RequestRefused):
        check_layer("UserLayer", {"weights": [], "call": "os.system"})


def test_a_name_of_a_layer_and_a_registered_object_is_read_by_the_option() -> None:
    """A ``{"class_name", "config"}`` option is a layer when its class is in the catalog, a
    registered object otherwise; Keras names both a layer and an initializer Identity, so
    an option of a registered kind takes the registered object."""
    layers = {name for spec in all_specs() for name in (spec.class_name, *spec.aliases)}
    shared = {name for names in KINDS.values() for name in layers & names}
    assert shared == {"Identity"}
    identity = {"class_name": "Identity", "config": {}}
    assert nested_layer_class("kernel_initializer", identity) is None
    assert nested_layer_class("layer", identity) == "Identity"
    check_layer("Dense", {"units": 2, "kernel_initializer": identity})
    check_layer("TimeDistributed", {"layer": identity})


def test_export_refuses_with_the_option_and_line() -> None:
    source = ("import keras\n"
              "inputs = keras.Input(shape=(4,))\n"
              "x = keras.layers.Dense(3)(inputs)\n"
              "x = keras.layers.Dense(\n"
              "    4, activation={'class_name': 'TFSMLayer', 'config': {'filepath': '/m'}})(x)\n"
              "model = keras.Model(inputs, x)\n")
    report = analyse_source(source, "model.py")
    with pytest.raises(UnsafeOption) as refused:
        model_request(report.models[0].model, "m", (1, 2))
    message = str(refused.value)
    assert "option `activation` of `dense_1` (Dense, line 4)" in message
    assert "TFSMLayer" in message


def test_pooling_window_message_names_the_crash() -> None:
    with pytest.raises(ShapeError) as error:
        pooling_output_length(2, 3, "valid", 1)
    assert ISSUE in error.value.message and "crashes the process" in error.value.message


def test_known_issue_is_named_for_a_pooling_window_longer_than_its_input() -> None:
    pool = {"class_name": "MaxPooling1D", "config": {"pool_size": 3, "strides": 1}}
    assert ISSUE in launch.known_issue(pool, [[2, 2, 4]])
    assert launch.known_issue(pool, [[2, 3, 4]]) == ""
    first = {"class_name": "AveragePooling2D",
             "config": {"pool_size": [2, 5], "data_format": "channels_first"}}
    assert ISSUE in launch.known_issue(first, [[2, 3, 9, 4]])
    same = {"class_name": "MaxPool1D", "config": {"pool_size": 3, "padding": "same"}}
    assert launch.known_issue(same, [[2, 2, 4]]) == ""
    assert launch.known_issue(dense_graph("g")["layers"]["dense"], [[2, 4]]) == ""


def test_the_working_directory_is_never_on_the_oracle_path(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # as `python -m archlint` has it
    command = launch.isolated_command(launch.ENTRY)
    assert command[1] == "-I"
    paths = json.loads(command[4])
    assert str(tmp_path) not in paths and paths[0] == launch.PACKAGE_PARENT


# ----------------------------------------------------------------- with real Keras
HOSTILE_BUILDER = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import tensorflow as tf
import keras

out = sys.argv[1]


def writes_when_run(path, marker):
    class Writes(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
        def serve(self, x):
            tf.io.write_file(marker, "ran")
            return x
    module = Writes()
    tf.saved_model.save(module, path, signatures={"serving_default": module.serve})


# The same graph, run once here: it really writes its file when run.
writes_when_run(f"{out}/probe_model", f"{out}/probe_marker")
tf.saved_model.load(f"{out}/probe_model").signatures["serving_default"](tf.zeros([1, 4]))
writes_when_run(f"{out}/hostile_model", f"{out}/MARKER")
inputs = keras.Input(shape=(4,))
model = keras.Model(inputs, keras.layers.Dense(4, activation="relu", name="dense")(inputs))
model.save(f"{out}/clean.keras")
with open(f"{out}/clean.json", "w") as stream:
    stream.write(model.to_json())
"""


def _with_hostile_activation(config: Any, hostile: dict[str, Any]) -> Any:
    if isinstance(config, dict):
        if config.get("name") == "dense" and "activation" in config:
            return {**config, "activation": hostile}
        return {k: _with_hostile_activation(v, hostile) for k, v in config.items()}
    if isinstance(config, list):
        return [_with_hostile_activation(v, hostile) for v in config]
    return config


@pytest.fixture(scope="module")
@needs_keras
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SavedModel that writes ``MARKER`` when its graph runs, and a script, a ``.json``
    and a ``.keras`` model naming it as a Dense's activation."""
    work = tmp_path_factory.mktemp("hostile")
    proc = subprocess.run([sys.executable, "-c", HOSTILE_BUILDER, str(work)], cwd=work,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / "probe_marker").exists(), "the SavedModel's graph does not write its file"
    option = hostile_option(work / "hostile_model")
    (work / "model.py").write_text(
        "import keras\n"
        "inputs = keras.Input(shape=(4,))\n"
        f"x = keras.layers.Dense(4, activation={option!r})(inputs)\n"
        "model = keras.Model(inputs, x)\n", encoding="utf-8")
    config = json.loads((work / "clean.json").read_text(encoding="utf-8"))
    (work / "model.json").write_text(json.dumps(_with_hostile_activation(config, option)),
                                     encoding="utf-8")
    with zipfile.ZipFile(work / "clean.keras") as clean, \
            zipfile.ZipFile(work / "model.keras", "w") as edited:
        for info in clean.infolist():
            data = clean.read(info)
            if info.filename == "config.json":
                data = json.dumps(_with_hostile_activation(json.loads(data), option)).encode()
            edited.writestr(info, data)
    return work


def run_archlint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m archlint``, which Python starts with ``cwd`` first on ``sys.path``."""
    return subprocess.run([sys.executable, "-m", "archlint", *args], cwd=cwd,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.mark.keras
@pytest.mark.parametrize(("name", "line"), [("model.py", ", line 3"), ("model.json", ""),
                                            ("model.keras", "")])
def test_crosscheck_refuses_a_savedmodel_named_in_an_option(hostile: Path, name: str,
                                                            line: str) -> None:
    result = run_archlint("crosscheck", "--keras", "both", "--format", "json", name,
                          cwd=hostile)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    (model,) = json.loads(result.stdout)["models"]
    assert model["verdict"] == SKIPPED
    assert f"option `activation` of `dense` (Dense{line})" in model["note"]
    assert "TFSMLayer" in model["note"]
    assert not (hostile / "MARKER").exists()


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
def test_the_oracle_refuses_a_crafted_request(hostile: Path, keras: str) -> None:
    option = hostile_option(hostile / "hostile_model")
    graphs = [
        {**dense_graph("layer class"), "layers": {"dense": option}},
        dense_graph("activation", activation=option),
        dense_graph("dtype", dtype={"module": "keras.layers", **option}),
        dense_graph("clean", activation="relu"),
    ]
    # A string is plain data: Keras resolves it among its registered names only (tf-keras
    # keeps an unknown regularizer name as it is), and nothing runs.
    strings = [dense_graph(f"{option}={name}", **{option: name})
               for option in ("activation", "kernel_initializer", "bias_regularizer")
               for name in ("TFSMLayer", "keras.layers>TFSMLayer")]
    results = {r["id"]: r for r in launch.run_oracle(graphs + strings, keras)["results"]}
    for graph in graphs[:3]:
        assert results[graph["id"]]["oracle_error"].startswith("refused: "), graph["id"]
    for graph in strings:
        assert "oracle_error" not in results[graph["id"]], graph["id"]
    assert results["clean"]["forward"][0]["calls"]["dense"]["shape"] == [2, 3]
    assert not (hostile / "MARKER").exists()


HOSTILE_MODULE = "open({marker!r}, 'a').write(__name__ + '\\n')\n"


@pytest.mark.keras
def test_modules_in_the_working_directory_are_never_imported(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    # The oracle's imports, and the command's own (json, click, rich).
    for module in ("json", "keras", "numpy", "tf_keras", "tensorflow", "click", "rich"):
        (tmp_path / f"{module}.py").write_text(HOSTILE_MODULE.format(marker=str(marker)),
                                               encoding="utf-8")
    (tmp_path / "model.py").write_text(
        "import keras\n"
        "inputs = keras.Input(shape=(6,))\n"
        "model = keras.Model(inputs, keras.layers.Dense(3)(inputs))\n", encoding="utf-8")
    result = run_archlint("crosscheck", "--keras", "both", "--format", "json", "model.py",
                          cwd=tmp_path)
    assert not marker.exists(), marker.read_text()
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = [m["verdict"] for m in json.loads(result.stdout)["models"]]
    assert verdicts == ["agree", "agree"]


def killing_oracle_main(argv: list[str]) -> int:
    """The oracle, killed by SIGFPE when it starts the forward pass of ``graph id/call id``
    named by ``ARCHLINT_TEST_KILL_AT``: a stand-in for a TensorFlow kernel crashing."""
    from archlint.oracle import build

    target = os.environ[KILL_AT]
    write = build.Stream.write
    current = {}

    def spy(self: build.Stream, **record: Any) -> None:
        write(self, **record)
        if "start" in record:
            current["id"] = record["start"]
        running = record.get("running")
        if running and running["phase"] == "forward" and \
                f"{current.get('id')}/{running['call']}" == target:
            os.kill(os.getpid(), signal.SIGFPE)

    build.Stream.write = spy  # type: ignore[method-assign]
    return build.main(argv)


KILLER = "tests.test_oracle_safety:killing_oracle_main"


def _without_crash(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "crashed"}


@pytest.mark.keras
def test_a_killed_graph_leaves_every_other_result_intact() -> None:
    graphs = [dense_graph("first"), pooling_graph("killed", None, [3, 9]),
              dense_graph("third", activation="tanh"), pooling_graph("fourth", 5, [])]
    graphs[3]["forward"] = [[[5, 4]]]
    clean = launch.run_oracle(graphs, "3")
    killed = launch.run_oracle(graphs, "3", entry=KILLER, paths=[str(ROOT)],
                               env={KILL_AT: "killed/pool"})
    assert killed["meta"]["restarts"] == 1
    before, after = clean["results"], killed["results"]
    assert [r["id"] for r in after] == [g["id"] for g in graphs]
    for index in (0, 2, 3):
        assert after[index] == before[index]
    crashed = after[1]["crashed"]
    assert crashed["signal"] == signal.SIGFPE and crashed["call"] == "pool"
    assert crashed["phase"] == "forward" and crashed["known_issue"] is None
    assert crashed["message"] == ("TensorFlow crashed (signal 8) running this layer (SIGFPE): "
                                  "`pool` (MaxPooling1D) on input (2, 3, 4)")
    # What the graph had done before the crash is kept; the crash is its forward refusal.
    assert after[1]["calls"] == before[1]["calls"]
    assert after[1]["forward"][0]["error"] == {"call": "pool", "error": crashed["message"]}


@pytest.mark.keras
@pytest.mark.parametrize("onednn", ["0", "1"])
def test_a_refused_layer_is_never_run_forward(onednn: str) -> None:
    """Keras refuses MaxPooling1D(3, strides=1) on 2 steps at build; its forward pass on
    TensorFlow's CPU would divide by zero (SIGFPE with oneDNN on some CPUs) or return an
    empty tensor."""
    graphs = [pooling_graph("fixed", 2, [2]), dense_graph("after")]
    for keras in ("3", "2"):
        payload = launch.run_oracle(graphs, keras, env={"TF_ENABLE_ONEDNN_OPTS": onednn})
        fixed, after = payload["results"]
        assert payload["meta"]["restarts"] == 0 and "crashed" not in fixed
        assert fixed["build_error"]["call"] == "pool"
        (run,) = fixed["forward"]
        assert run["stopped_at"] == "pool" and "pool" not in run["calls"]
        assert "error" not in run and run["calls"]["dense"]["shape"] == [2, 2, 4]
        assert after["forward"][0]["calls"]["dense"]["shape"] == [2, 3]


@pytest.mark.keras
@pytest.mark.parametrize("onednn", ["0", "1"])
def test_the_real_pooling_crash_is_isolated_and_named(onednn: str) -> None:
    """A variable-length pooling builds symbolically; its forward pass on 2 steps is the real
    crash where TensorFlow's CPU pooling divides by zero, an empty tensor elsewhere."""
    graphs = [dense_graph("before"), pooling_graph("short", None, [9, 2]),
              dense_graph("after", activation="relu")]
    results = launch.run_oracle(graphs, "3", env={"TF_ENABLE_ONEDNN_OPTS": onednn})["results"]
    before, short, after = results
    assert before["forward"][0]["calls"]["dense"]["shape"] == [2, 3]
    assert after["forward"][0]["calls"]["dense"]["shape"] == [2, 3]
    assert short["forward"][0]["calls"]["pool"]["shape"] == [2, 7, 4]
    if "crashed" in short:
        assert short["crashed"]["known_issue"] == ISSUE
        assert ISSUE in short["forward"][1]["error"]["error"]
    else:
        assert short["forward"][1]["calls"]["pool"]["shape"] == [2, 0, 4]


@pytest.mark.keras
def test_crosscheck_gives_a_verdict_for_a_model_that_crashes_tensorflow(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = {
        "crashes.py": "import keras\ninputs = keras.Input(shape=(None, 4))\n"
                      "x = keras.layers.MaxPooling1D(3, strides=1)(inputs)\n"
                      "model = keras.Model(inputs, x)\n",
        "fine.py": "import keras\ninputs = keras.Input(shape=(6,))\n"
                   "model = keras.Model(inputs, keras.layers.Dense(3)(inputs))\n",
    }
    reports = []
    for name, source in sources.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
        reports.append(analyse_file(str(tmp_path / name)))
    graph_id = f"{tmp_path / 'crashes.py'}::0::functional"
    monkeypatch.setattr(launch, "ENTRY", KILLER)
    monkeypatch.setenv(KILL_AT, f"{graph_id}/max_pooling1d")
    crashed, fine = crosscheck(reports, ["3"])
    assert fine.verdict == "agree" and fine.path.endswith("fine.py")
    assert crashed.verdict == UNEXPECTED_REFUSAL
    assert "TensorFlow crashed (signal 8) running this layer" in crashed.note
    (layer,) = crashed.layers
    assert layer.verdict == SKIPPED and layer.note.startswith("TensorFlow crashed (signal 8)")


def registered_names_main(argv: list[str]) -> int:
    """Prints, per kind, the names of ``archlint.oracle.allowed`` that Keras ``argv[0]``
    does not resolve."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if argv[0] == "2":
        import tf_keras as keras
    else:
        import keras
    getters = {"activation": keras.activations.get, "initializer": keras.initializers.get,
               "regularizer": keras.regularizers.get, "constraint": keras.constraints.get}
    unknown = {}
    for kind, names in KINDS.items():
        unknown[kind] = []
        for name in sorted(names):
            try:
                getters[kind](name)
            except Exception:
                try:
                    getters[kind]({"class_name": name, "config": {}})
                except Exception:
                    unknown[kind].append(name)
    print(json.dumps(unknown))
    return 0


@pytest.mark.keras
def test_every_registered_name_is_resolved_by_keras() -> None:
    unresolved = {}
    for keras in ("3", "2"):
        proc = launch.run_isolated("tests.test_oracle_safety:registered_names_main", [keras],
                                   "", paths=[str(ROOT)])
        assert proc.returncode == 0, proc.stderr[-3000:]
        unresolved[keras] = json.loads(proc.stdout.strip().splitlines()[-1])
    for kind in KINDS:
        by_neither = set(unresolved["3"][kind]) & set(unresolved["2"][kind])
        assert not by_neither, f"{kind}s no Keras version resolves: {sorted(by_neither)}"
