"""NumPy integers as layer options (archlint/numpy_ints.py): each option of the table is
given an ``np.int64`` in a script that real Keras 3 and tf-keras build in a subprocess
and call on data. Keras must refuse it exactly where the table says; archlint must report
AL108 there, and Keras's figures elsewhere.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from archlint.numpy_ints import REFUSED_BY, NumpyInt, numpy_integer
from tests.keras_scripts import ours, run_scripts

# (class, option): (the input's shape, the layer's call on `x`, with `n` a NumPy integer)
SCRIPTS: dict[tuple[str, str], tuple[str, str]] = {
    ("InputLayer", "shape"): ("(n, 3)", "layers.Dense(2)(x)"),
    ("InputLayer", "batch_shape"): ("batch", "layers.Dense(2)(x)"),
    ("Dense", "units"): ("(12,)", "layers.Dense(n)(x)"),
    ("Embedding", "input_dim"): ("(5,)", "layers.Embedding(n, 4)(x)"),
    ("Embedding", "output_dim"): ("(5,)", "layers.Embedding(10, n)(x)"),
    ("LSTM", "units"): ("(5, 3)", "layers.LSTM(n)(x)"),
    ("GRU", "units"): ("(5, 3)", "layers.GRU(n)(x)"),
    ("SimpleRNN", "units"): ("(5, 3)", "layers.SimpleRNN(n)(x)"),
    ("Conv1D", "filters"): ("(8, 3)", "layers.Conv1D(n, 3)(x)"),
    ("Conv2D", "filters"): ("(8, 8, 3)", "layers.Conv2D(n, 3)(x)"),
    ("Conv3D", "filters"): ("(4, 4, 4, 2)", "layers.Conv3D(n, 2)(x)"),
    ("Conv1DTranspose", "filters"): ("(8, 3)", "layers.Conv1DTranspose(n, 3)(x)"),
    ("Conv2DTranspose", "filters"): ("(8, 8, 3)", "layers.Conv2DTranspose(n, 3)(x)"),
    ("Conv3DTranspose", "filters"): ("(4, 4, 4, 2)", "layers.Conv3DTranspose(n, 2)(x)"),
    ("Conv1D", "kernel_size"): ("(8, 3)", "layers.Conv1D(4, n)(x)"),
    ("Conv1D", "strides"): ("(8, 3)", "layers.Conv1D(4, 3, strides=n)(x)"),
    ("Conv2D", "kernel_size"): ("(8, 8, 3)", "layers.Conv2D(4, n)(x)"),
    ("Conv2D", "strides"): ("(8, 8, 3)", "layers.Conv2D(4, 3, strides=n)(x)"),
    ("MaxPooling1D", "pool_size"): ("(8, 3)", "layers.MaxPooling1D(n)(x)"),
    ("MaxPooling2D", "pool_size"): ("(8, 8, 3)", "layers.MaxPooling2D(n)(x)"),
    ("AveragePooling1D", "pool_size"): ("(8, 3)", "layers.AveragePooling1D(n)(x)"),
    ("AveragePooling2D", "pool_size"): ("(8, 8, 3)", "layers.AveragePooling2D(n)(x)"),
    ("Reshape", "target_shape"): ("(12,)", "layers.Reshape((n, 12 // n))(x)"),
    ("RepeatVector", "n"): ("(4,)", "layers.RepeatVector(n)(x)"),
    ("MultiHeadAttention", "num_heads"): ("(5, 8)", "layers.MultiHeadAttention(n, 4)(x, x)"),
    ("UpSampling1D", "size"): ("(4, 3)", "layers.UpSampling1D(n)(x)"),
    ("ZeroPadding1D", "padding"): ("(4, 3)", "layers.ZeroPadding1D(n)(x)"),
    ("Cropping1D", "cropping"): ("(8, 3)", "layers.Cropping1D(n)(x)"),
    ("BatchNormalization", "axis"): ("(4, 3)", "layers.BatchNormalization(axis=n - 3)(x)"),
    ("Concatenate", "axis"): ("(5, 3)", "layers.Concatenate(axis=n - 3)([x, x])"),
}


def script(entry: tuple[str, str], version: str) -> str:
    shape, call = SCRIPTS[entry]
    module = "keras" if version == "3" else "tf_keras"
    made = "keras.Input(batch_shape=(None, n, 3))" if shape == "batch" else \
        f"keras.Input(shape={shape})"
    return (f"import numpy as np\nimport {module} as keras\nfrom {module} import layers\n"
            "n = np.prod((2,))\n"  # a NumPy integer: 2
            f"x = {made}\n"
            f"model = keras.Model(x, {call}, name='m')\n")


@pytest.fixture(scope="module")
def keras_runs() -> dict[str, dict[str, Any]]:
    return {v: run_scripts({"/".join(e): script(e, v) for e in SCRIPTS}, v, forward=True)
            for v in ("3", "2")}


def test_every_table_entry_is_built_here() -> None:
    assert set(REFUSED_BY) <= set(SCRIPTS)


def test_numpy_reductions_of_known_ints() -> None:
    assert numpy_integer("prod", [(7, 7)], {}) == 49
    assert isinstance(numpy_integer("sum", [[1, 2]], {}), NumpyInt)
    assert numpy_integer("prod", [()], {}) is None  # NumPy gives the float 1.0
    assert numpy_integer("prod", [(7, 7)], {"axis": 0}) is None


@pytest.mark.keras
@pytest.mark.parametrize("version", ["3", "2"])
@pytest.mark.parametrize("entry", list(SCRIPTS), ids=["/".join(e) for e in SCRIPTS])
def test_a_numpy_integer_option_as_keras_takes_it(entry: tuple[str, str], version: str,
                                                  keras_runs: dict[str, Any]) -> None:
    truth = keras_runs[version]["/".join(entry)]
    refused = "refused" in truth or isinstance(truth["m"].get("forward"), dict)
    assert refused == (version in REFUSED_BY[entry]), truth
    report = analyse_source(script(entry, version),
                            settings=Settings(default_settings().rules, keras=version))
    errors = [d for d in report.diagnostics if d.severity.value == "error"]
    if refused:
        assert [d.code for d in errors] == ["AL108"], report.diagnostics
        assert "NumPy integer" in errors[0].message
        return
    assert errors == []
    figures = truth["m"]
    figures.pop("forward")
    assert ours(report.models[0]) == figures


def test_an_option_not_in_the_table_stays_unknown() -> None:
    report = analyse_source("import numpy as np\nimport keras\nfrom keras import layers\n"
                            "x = keras.Input(shape=(4, 3))\n"
                            "model = keras.Model(x, layers.Permute((np.int64(2), 1))(x))\n")
    assert report.models[0].total is None
    assert any("NumPy integer" in d.message and d.severity.value != "error"
               for d in report.diagnostics)


def test_int_of_a_numpy_integer_is_a_plain_int() -> None:
    report = analyse_source("import numpy as np\nimport keras\nfrom keras import layers\n"
                            "x = keras.Input(shape=(int(np.prod([4, 2])),))\n"
                            "model = keras.Model(x, layers.Dense(int(np.prod((2, 3))))(x))\n")
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []
    plain = analyse_source("import keras\nfrom keras import layers\n"
                           "x = keras.Input(shape=(8,))\n"
                           "model = keras.Model(x, layers.Dense(6)(x))\n")
    assert ours(report.models[0]) == ours(plain.models[0])
    assert report.models[0].total is not None
