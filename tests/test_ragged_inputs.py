"""Ragged inputs (``keras.Input(..., ragged=True)``): every layer archlint lets keep its
figures on a ragged tensor, and every layer it says Keras cannot call on one, is built by
real Keras 3 and tf-keras in a subprocess and called on ragged data (rows of two lengths).
Where archlint gives figures, they equal the forward pass's (a ragged axis is None there);
where it reports AL112, Keras builds the model and the call fails; a layer in neither table
gets no figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import FileReport, Settings, analyse_source, default_settings
from archlint.dims import Sym
from archlint.layers.ragged import FAILS_ON_RAGGED, ROW_BY_ROW
from tests.keras_scripts import ours, run_scripts

# Each class's call, on ``e`` (ragged tokens embedded: (None, T, 4)) or ``x`` (the ragged
# tokens themselves).
CALLS: dict[str, str] = {
    "Embedding": "layers.Embedding(5, 4)(x)",
    "Dropout": "layers.Dropout(0.2)(e)",
    "SpatialDropout1D": "layers.SpatialDropout1D(0.2)(e)",
    "GaussianNoise": "layers.GaussianNoise(0.1)(e)",
    "GaussianDropout": "layers.GaussianDropout(0.1)(e)",
    "Activation": "layers.Activation('tanh')(e)",
    "ReLU": "layers.ReLU()(e)",
    "LeakyReLU": "layers.LeakyReLU()(e)",
    "ELU": "layers.ELU()(e)",
    "PReLU": "layers.PReLU(shared_axes=[1])(e)",
    "Softmax": "layers.Softmax()(e)",
    "Rescaling": "layers.Rescaling(2.0)(e)",
    "Identity": "layers.Identity()(e)",
    "LayerNormalization": "layers.LayerNormalization()(e)",
    "Add": "layers.Add()([e, e])",
    "Subtract": "layers.Subtract()([e, e])",
    "Multiply": "layers.Multiply()([e, e])",
    "Average": "layers.Average()([e, e])",
    "Maximum": "layers.Maximum()([e, e])",
    "Minimum": "layers.Minimum()([e, e])",
    "Concatenate": "layers.Concatenate()([e, e])",
    "GlobalAveragePooling1D": "layers.GlobalAveragePooling1D()(e)",
    "GlobalMaxPooling1D": "layers.GlobalMaxPooling1D()(e)",
    "IntegerLookup": "layers.IntegerLookup(vocabulary=[1, 2, 3])(x)",
    "Hashing": "layers.Hashing(4)(x)",
    "CategoryEncoding": "layers.CategoryEncoding(5, output_mode='multi_hot')(x)",
    "BatchNormalization": "layers.BatchNormalization()(e)",
    "UnitNormalization": "layers.UnitNormalization()(e)",
    "RMSNormalization": "layers.RMSNormalization()(e)",
    "Dense": "layers.Dense(3)(e)",
    "LSTM": "layers.LSTM(3)(e)",
    "GRU": "layers.GRU(3, return_sequences=True)(e)",
    "SimpleRNN": "layers.SimpleRNN(3)(e)",
    "Bidirectional": "layers.Bidirectional(layers.LSTM(3))(e)",
    "TimeDistributed": "layers.TimeDistributed(layers.Dense(3))(e)",
    "Masking": "layers.Masking()(e)",
    "ActivityRegularization": "layers.ActivityRegularization(0.1)(e)",
    "Conv1D": "layers.Conv1D(2, 1)(e)",
    # In neither table: what Flatten gives depends on the rows' lengths.
    "Flatten": "layers.Flatten()(e)",
}
# Classes one Keras version does not have.
_ONLY = {"RMSNormalization": "3", "Identity": "3"}


def script(class_name: str, version: str, shape: str = "(None,)") -> str:
    module = "keras" if version == "3" else "tf_keras"
    return (f"import {module} as keras\nfrom {module} import layers\n"
            f"x = keras.Input(shape={shape}, ragged=True, dtype='int32')\n"
            "e = layers.Embedding(5, 4)(x)\n"
            f"out = {CALLS[class_name]}\n"
            "model = keras.Model(x, out, name='m')\n")


def unbatched(shapes: list[list[int | None]]) -> list[list[int | None]]:
    """The shapes of a forward pass with the batch axis None, as a model declares it."""
    return [[None, *shape[1:]] for shape in shapes]


def analyse(source: str, version: str) -> FileReport:
    return analyse_source(source, settings=Settings(default_settings().rules, keras=version))


def cases(version: str) -> list[str]:
    return [c for c in CALLS if _ONLY.get(c, version) == version]


@pytest.fixture(scope="module")
def keras_runs() -> dict[str, dict[str, Any]]:
    return {version: run_scripts({c: script(c, version) for c in cases(version)}, version,
                                 forward=True) for version in ("3", "2")}


def test_every_table_entry_is_called_here() -> None:
    assert set(ROW_BY_ROW) | set(FAILS_ON_RAGGED) <= set(CALLS)


@pytest.mark.keras
@pytest.mark.parametrize("version", ["3", "2"])
@pytest.mark.parametrize("class_name", list(CALLS))
def test_ragged_call_agrees_with_keras(class_name: str, version: str,
                                       keras_runs: dict[str, dict[str, Any]]) -> None:
    if class_name not in cases(version):
        pytest.skip(f"Keras {version} has no {class_name}")
    keras = keras_runs[version][class_name]
    report = analyse(script(class_name, version), version)
    codes = [d.code for d in report.diagnostics]
    failing = FAILS_ON_RAGGED.get(class_name)
    if failing is not None and version in failing[0]:
        assert "AL112" in codes, report.diagnostics
        if version in failing[1]:  # builds the model, fails when called
            assert isinstance(keras["m"]["forward"], dict), f"Keras's call succeeds: {keras}"
        else:
            assert "refused" in keras, f"Keras builds it: {keras}"
        return
    keras = keras["m"]
    figures = ours(report.models[0])
    if version in ROW_BY_ROW.get(class_name, ()):
        assert "AL112" not in codes
        expected = {"outputs": unbatched(keras["forward"]), "total": keras["total"],
                    "trainable": keras["trainable"]}
        assert {k: figures[k] for k in expected} == expected
        return
    assert figures["total"] is None or not isinstance(figures["outputs"][0], list)
    assert "AL002" in codes, report.diagnostics


def test_a_ragged_input_marks_its_first_axis_even_with_a_declared_size() -> None:
    # Both Keras versions declare (None, 3); rows of other lengths go through.
    report = analyse(script("Embedding", "3", shape="(3,)"), "3")
    output = report.models[0].model.outputs[0]
    shape = output.call.output_at(output.index)
    assert isinstance(shape[1], Sym) and shape[1].ragged and shape[2] == 4


@pytest.mark.keras
def test_a_declared_size_on_a_ragged_axis_is_not_what_comes_out() -> None:
    figures = run_scripts({"s": script("Embedding", "3", shape="(3,)")}, "3",
                          forward=True)["s"]["m"]
    assert figures["outputs"] == [[None, 3, 4]]  # declared
    report = analyse(script("Embedding", "3", shape="(3,)"), "3")
    assert figures["forward"] == [[2, None, 4]]
    assert ours(report.models[0])["outputs"] == unbatched(figures["forward"])


def test_a_size_computed_from_a_ragged_axis_is_unknown() -> None:
    source = ("import keras\nfrom keras import layers\n"
              "x = keras.Input(shape=(None,), ragged=True, dtype='int32')\n"
              "e = layers.Embedding(5, 4)(x)\n"
              "out = layers.Concatenate(axis=1)([e, e])\n"
              "model = keras.Model(x, out)\n")
    report = analyse(source, "3")
    assert ours(report.models[0])["total"] is None
    assert any("ragged axis" in d.message for d in report.diagnostics if d.code == "AL002")


def test_under_both_versions_the_refusal_names_keras_3() -> None:
    source = script("LSTM", "3").replace("import keras as keras", "import keras")
    report = analyse_source(source)
    found = [d for d in report.diagnostics if d.code == "AL112"]
    assert found and "Keras 3 only" in found[0].message


RAGGED_MODELS = """import keras
from keras import layers
x = keras.Input(shape=(None,), ragged=True, dtype='int32')
e = layers.Embedding(50, 8)(x)
pooled = keras.Model(x, layers.Dense(2)(layers.GlobalAveragePooling1D()(e)), name='pooled')
recurrent = keras.Model(x, layers.LSTM(4)(e), name='recurrent')
"""


@pytest.mark.keras
def test_crosscheck_builds_ragged_inputs_and_feeds_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "ragged.py"
    path.write_text(RAGGED_MODELS)
    result = subprocess.run([sys.executable, "-m", "archlint", "crosscheck", "--keras", "both",
                             "--format", "json", str(path)], capture_output=True, text=True,
                            check=False, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    models = {(m["model"], m["keras"]): m for m in json.loads(result.stdout)["models"]}
    for keras in ("3", "2"):
        pooled = models["pooled", keras]
        assert pooled["verdict"] == "agree", pooled
        embedding = next(la for la in pooled["layers"] if la["name"] == "embedding")
        # The rows have two lengths: the ragged axis is None in the forward pass.
        assert embedding["forward"]["output_shapes"] == [[None, None, 8]] * 2
    assert models["recurrent", "3"]["verdict"] == "refused, as archlint said"
    assert "ragged" in models["recurrent", "3"]["note"]
    lstm = next(la for la in models["recurrent", "2"]["layers"] if la["name"] == "lstm")
    assert models["recurrent", "2"]["verdict"] == "agree" and lstm["verdict"] == "skipped"


def test_json_names_the_ragged_axes() -> None:
    from archlint.render.json_format import report_to_json

    report = analyse_source(RAGGED_MODELS)
    layers = {la["name"]: la for la in report_to_json([report])["files"][0]["models"][0]
              ["layers"]}
    assert layers["input_layer"]["ragged_axes"] == [1]
    assert layers["embedding"]["ragged_axes"] == [1]
    assert "ragged_axes" not in layers["dense"]  # pooled: a dense tensor again


@pytest.mark.keras
def test_a_ragged_input_with_no_axis_but_the_batch_is_accepted_as_keras_accepts_it() -> None:
    source = ("import keras\nfrom keras import layers\n"
              "x = keras.Input(shape=(), ragged=True)\n"
              "model = keras.Model(x, layers.Activation('relu')(x), name='m')\n")
    figures = {v: run_scripts({"s": source.replace("import keras\nfrom keras", "import "
                                                   f"{m} as keras\nfrom {m}")}, v)["s"]["m"]
               for v, m in (("3", "keras"), ("2", "tf_keras"))}
    for version, truth in figures.items():
        report = analyse(source, version)
        assert not [d for d in report.diagnostics if d.severity.value == "error"]
        assert ours(report.models[0]) == truth
