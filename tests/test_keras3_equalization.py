"""Keras 3's Equalization bug in a model's graph (archlint/keras3_equalization.py): each
script is built by real Keras 3 in a subprocess. Where Keras refuses the model, archlint
reports AL104; where Keras builds it without the Equalization layer, AL210; where
Keras builds it with the layer (a Sequential model that starts with it), nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import FileReport, Settings, analyse_source, default_settings
from tests.keras_scripts import run_scripts

HEAD = "import keras\nfrom keras import layers\nx = keras.Input(shape=(8, 8, 3))\n"
SCRIPTS = {
    # name: (model, what archlint reports)
    "output": ("model = keras.Model(x, layers.Equalization()(x))", "AL104"),
    "after_a_layer": ("y = layers.Equalization()(layers.Conv2D(3, 1)(x))\n"
                      "model = keras.Model(x, layers.Conv2D(2, 3)(y))", "AL104"),
    "on_the_input": ("model = keras.Model(x, layers.Conv2D(2, 3)(layers.Equalization()(x)))",
                     "AL210"),
    "sequential_first": ("model = keras.Sequential([x, layers.Equalization(), "
                         "layers.Conv2D(2, 3)])", None),
    "sequential_last": ("model = keras.Sequential([x, layers.Conv2D(3, 1), "
                        "layers.Equalization()])", "AL104"),
}


def analyse(name: str) -> FileReport:
    settings = Settings(default_settings().rules, keras="3")
    return analyse_source(HEAD + SCRIPTS[name][0] + "\n", settings=settings)


@pytest.fixture(scope="module")
def keras3() -> dict[str, Any]:
    return run_scripts({n: HEAD + s + "\n" for n, (s, _) in SCRIPTS.items()}, "3", rows=True)


@pytest.mark.keras
@pytest.mark.parametrize("name", list(SCRIPTS))
def test_equalization_in_a_graph_as_keras_3_builds_it(name: str, keras3: dict[str, Any]
                                                      ) -> None:
    expected = SCRIPTS[name][1]
    codes = {d.code for d in analyse(name).diagnostics}
    built = keras3[name]
    if expected == "AL104":
        assert "refused" in built and "cycle" in built["refused"], built
        assert "AL104" in codes
        return
    (model,) = built.values()
    classes = [row[1] for row in model["rows"]]
    if expected == "AL210":
        assert "Equalization" not in classes, classes
        assert "AL210" in codes and "AL104" not in codes
    else:
        assert "Equalization" in classes, classes
        assert not codes & {"AL104", "AL210"}
