"""``keras.applications`` in a script: the backbone Keras builds for the call's options, a
frozen backbone inside a classifier, and a backbone built on an ``input_tensor``. Each
script is run by real Keras 3 and tf-keras (``weights=None``: nothing is downloaded); every
model's parameter counts and output shapes must equal archlint's. The backbones themselves
are checked layer by layer in tests/test_applications.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import analyse_source
from tests.keras_scripts import ours, run_scripts

HEAD = "import keras\nfrom keras import layers\n"
SCRIPTS = {
    "frozen backbone in a classifier": (
        "base = keras.applications.MobileNetV2(include_top=False, weights=None,\n"
        "                                      input_shape=(96, 96, 3))\n"
        "base.trainable = False\n"
        "inp = keras.Input(shape=(96, 96, 3))\n"
        "x = layers.GlobalAveragePooling2D()(base(inp, training=False))\n"
        "model = keras.Model(inp, layers.Dense(5)(x), name='clf')\n"),
    "backbone on an input tensor": (
        "inp = keras.Input(shape=(128, 128, 3))\n"
        "res = keras.applications.ResNet50(include_top=False, weights=None,\n"
        "                                  input_tensor=inp, pooling='avg')\n"
        "head = keras.Model(inp, layers.Dense(2)(res.output), name='res_head')\n"),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in SCRIPTS.items()}
    return {version: run_scripts(sources, version) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_application_calls_match_keras(keras_figures: dict[str, Any], keras: str,
                                       name: str) -> None:
    report = analyse_source(HEAD + SCRIPTS[name])
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []
    found = {a.model.name: ours(a) for a in report.models}
    truth = keras_figures[keras][name]
    assert set(truth) <= set(found), (sorted(truth), sorted(found))
    for model, figures in truth.items():
        assert found[model] == figures, model


def test_keras_refusal_of_an_application_is_an_error() -> None:
    # Keras refuses imagenet weights with 10 classes and the top; the message is Keras's.
    report = analyse_source(HEAD + "m = keras.applications.ResNet50(weights='imagenet',\n"
                            "                                classes=10)\n")
    assert [d.code for d in report.diagnostics if d.severity.value == "error"] == ["AL108"]


def test_a_model_wrapped_in_a_layer_is_unknown_not_a_crash() -> None:
    report = analyse_source(HEAD + "net = keras.applications.MobileNetV2(include_top=False)\n"
                            "model = keras.Sequential([keras.Input((4, 96, 96, 3)),\n"
                            "                          layers.TimeDistributed(net)])\n")
    assert any("given as the layer of a TimeDistributed is not followed" in d.message
               for d in report.diagnostics)


def test_findings_inside_a_backbone_point_at_its_call() -> None:
    # ResNet50's first 7x7 convolution does not tile a 128x128 input (AL103, info).
    report = analyse_source(HEAD + SCRIPTS["backbone on an input tensor"])
    lines = {d.span.line for d in report.diagnostics}
    assert lines == {4}, [(d.code, d.span.line) for d in report.diagnostics]
