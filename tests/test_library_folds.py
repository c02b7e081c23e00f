"""Sizes computed with the standard library's math on values the script knows are folded,
checked against real Keras building the same scripts. NumPy's reductions of known ints are
NumPy integers (archlint/numpy_ints.py), which Keras 3 refuses as a Dense's units and
tf-keras takes (the first script shows both); other NumPy functions on known values are
said to be not computed, on data to be unknown."""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from tests.keras_scripts import ours, run_scripts

HEAD = "import math\nimport numpy as np\nimport keras\nfrom keras import layers\n"
NUMPY = {
    "numpy reductions": (
        "hidden = (28 // 4, 28 // 4)\n"
        "inp = keras.Input(shape=(int(np.sum([3, 5])),))\n"
        "x = layers.Dense(units=16 * np.prod(hidden), use_bias=False)(inp)\n"
        "x = layers.Reshape((hidden[0], hidden[1], 16))(x)\n"
        "model = keras.Model(inp, layers.Dense(int(np.max([2, 4])))(x), name='numpy_sizes')\n"),
}
SCRIPTS = {
    "math functions": (
        "inp = keras.Input(shape=(math.ceil(10 / 3),))\n"
        "h = layers.Dense(math.isqrt(50) + int(math.log2(8)))(inp)\n"
        "model = keras.Model(inp, layers.Dense(math.gcd(12, 18))(h), name='math_sizes')\n"),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in {**SCRIPTS, **NUMPY}.items()}
    return {version: run_scripts(sources, version) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_folded_sizes_match_keras(keras_figures: dict[str, Any], keras: str,
                                  name: str) -> None:
    report = analyse_source(HEAD + SCRIPTS[name])
    assert not [d for d in report.diagnostics if d.code == "AL001"]
    found = {a.model.name: ours(a) for a in report.models}
    for model, figures in keras_figures[keras][name].items():
        assert found[model] == figures, model


def test_numpy_on_data_stays_unknown() -> None:
    report = analyse_source(HEAD + "x_train = np.load('x.npy')\n"
                            "inp = keras.Input(shape=(int(np.prod(x_train.shape[1:])),))\n"
                            "model = keras.Model(inp, layers.Dense(2)(inp))\n")
    [info] = [d for d in report.diagnostics if d.code == "AL001"]
    assert "does not compute" not in info.message


@pytest.mark.keras
def test_numpy_integers_as_each_keras_takes_them(keras_figures: dict[str, Any]) -> None:
    assert "expected a positive integer" in keras_figures["3"]["numpy reductions"]["refused"]
    keras3 = analyse_source(HEAD + NUMPY["numpy reductions"],
                            settings=Settings(default_settings().rules, keras="3"))
    [error] = [d for d in keras3.diagnostics if d.severity.value == "error"]
    assert error.code == "AL108" and "NumPy integer" in error.message
    keras2 = analyse_source(HEAD + NUMPY["numpy reductions"],
                            settings=Settings(default_settings().rules, keras="2"))
    assert not [d for d in keras2.diagnostics if d.severity.value == "error"]
    found = {a.model.name: ours(a) for a in keras2.models}
    assert found == keras_figures["2"]["numpy reductions"]


def test_a_numpy_array_written_out_is_read_as_a_layer_option_only() -> None:
    # As an option Keras reads np.array([...]) as the list (Keras's own Normalization and
    # Rescaling cases check the figures); computed on, it stays a value archlint does not
    # compute.
    report = analyse_source(
        "import numpy as np\nimport keras\nfrom keras import layers\n"
        "mean = np.array([0.5, 0.2, -0.1])\n"
        "inp = keras.Input(shape=(3,))\n"
        "x = layers.Normalization(mean=mean, variance=np.array([0.1, 0.2, 0.3]))(inp)\n"
        "x = layers.Rescaling(scale=np.array(1 / 255))(x)\n"
        "model = keras.Model(inp, layers.Dense(int(np.array([2, 3]).sum()))(x))\n")
    [analysis] = report.models
    normalization, rescaling, dense = analysis.model.calls[1:]
    assert normalization.params is not None and normalization.params.total == 0
    assert rescaling.output == (None, 3)
    assert "np.array([2, 3]).sum()" in str(dense.output)  # a named size, never a number
