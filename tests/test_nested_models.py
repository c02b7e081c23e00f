"""Models called as layers: a Sequential block called on a tensor (built by that call when
it has no input shape), a function returning a Sequential, a functional model inside
another; and models rewired from a built one (``get_layer``, ``.layers[i]``). Each script
is run by real Keras 3 and tf-keras in a subprocess; every model's parameter counts and
output shapes must equal archlint's.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import analyse_source
from tests.keras_scripts import keras_summary, ours, run_scripts, summary_of

HEAD = "import keras\nfrom keras import layers\n"
SCRIPTS = {
    "rewired from a built model": (
        "inp = keras.Input(shape=(16,))\n"
        "h = layers.Dense(8, name='hidden')(inp)\n"
        "model = keras.Model(inp, layers.Dense(2, name='head')(h), name='full')\n"
        "features = keras.Model(model.input, model.get_layer('hidden').output,\n"
        "                       name='features')\n"
        "probe = keras.Model(model.inputs, model.layers[1].output, name='probe')\n"
        "by_index = keras.Model(model.input, model.get_layer(index=2).output, name='idx')\n"
        "stacked = keras.Model(model.input, layers.Dense(3)(model.output), name='stacked')\n"),

    "encoder called on an input": (
        "encoder = keras.Sequential([layers.Dense(32, activation='relu'), layers.Dense(8)],\n"
        "                           name='encoder')\n"
        "inp = keras.Input(shape=(20,))\n"
        "model = keras.Model(inp, layers.Dense(1)(encoder(inp)), name='outer')\n"),
    "blocks from a function": (
        "def block(filters, name):\n"
        "    return keras.Sequential([layers.Conv2D(filters, 3, padding='same'),\n"
        "                             layers.ReLU()], name=name)\n"
        "img = keras.Input(shape=(16, 12, 3))\n"
        "x = block(8, 'b1')(img)\n"
        "x = block(4, 'b2')(x)\n"
        "x = layers.GlobalAveragePooling2D()(x)\n"
        "cnn = keras.Model(img, layers.Dense(10)(x), name='cnn')\n"),
    "functional inside functional": (
        "a = keras.Input(shape=(5,))\n"
        "sub = keras.Model(a, layers.Dense(3)(a), name='sub')\n"
        "b = keras.Input(shape=(5,))\n"
        "c = keras.Input(shape=(5,))\n"
        "both = layers.Concatenate()([sub(b), sub(c)])\n"
        "outer = keras.Model([b, c], layers.Dense(2)(both), name='outer')\n"),
    "built Sequential on a time axis": (
        "head = keras.Sequential([keras.Input((None, 6)), layers.Conv1D(4, 3),\n"
        "                         layers.GlobalMaxPooling1D()], name='head')\n"
        "seq = keras.Input(shape=(30, 6))\n"
        "model = keras.Model(seq, layers.Dense(2)(head(seq)), name='outer')\n"),
    "multi-output sub-model": (
        "a = keras.Input(shape=(7,))\n"
        "h = layers.Dense(4)(a)\n"
        "two = keras.Model(a, [h, layers.Dense(2)(h)], name='two')\n"
        "x = keras.Input(shape=(7,))\n"
        "p, q = two(x)\n"
        "model = keras.Model(x, layers.Concatenate()([p, q]), name='outer')\n"),
}

# Every layer and input is named, so that rows compare by name in both Keras versions.
SUMMARY_SCRIPTS = {
    "summary: encoder called twice, shared head": (
        "encoder = keras.Sequential([layers.Dense(32, activation='relu', name='e1'),\n"
        "                            layers.Dense(8, name='e2')], name='encoder')\n"
        "inp = keras.Input(shape=(20,), name='inp')\n"
        "head = layers.Dense(8, name='head')\n"
        "mixed = layers.Add(name='add')([layers.Dense(8, name='side')(encoder(inp)),\n"
        "                                encoder(inp)])\n"
        "model = keras.Model(inp, head(mixed), name='outer')\n"),
    "summary: functional in functional in functional": (
        "a = keras.Input(shape=(7,), name='a')\n"
        "h = layers.Dense(4, name='h')(a)\n"
        "two = keras.Model(a, [h, layers.Dense(2, name='g')(h)], name='two')\n"
        "x = keras.Input(shape=(7,), name='x')\n"
        "p, q = two(x)\n"
        "mid = keras.Model(x, layers.Concatenate(name='cat')([p, q]), name='mid')\n"
        "y = keras.Input(shape=(7,), name='y')\n"
        "top = keras.Model(y, layers.Dense(1, name='out')(mid(y)), name='top')\n"),
    "summary: a layer shared inside and outside the block": (
        "shared = layers.Dense(6, name='shared')\n"
        "block = keras.Sequential([keras.Input((6,), name='bin'), shared,\n"
        "                          layers.Dense(6, name='inner')], name='block')\n"
        "x = keras.Input(shape=(6,), name='x')\n"
        "model = keras.Model(x, shared(block(x)), name='outer')\n"),
    "summary: frozen convolutional block": (
        "block = keras.Sequential([layers.Conv2D(4, 3, name='c1'),\n"
        "                          layers.BatchNormalization(name='bn')], name='block')\n"
        "block.trainable = False\n"
        "img = keras.Input(shape=(12, 12, 3), name='img')\n"
        "x = layers.GlobalAveragePooling2D(name='gap')(block(img))\n"
        "model = keras.Model(img, layers.Dense(3, name='out')(x), name='outer')\n"),
    "summary: a Sequential holding models": (
        "encoder = keras.Sequential([layers.Dense(32, name='e1'), layers.Dense(8, name='e2')],\n"
        "                           name='encoder')\n"
        "inp = keras.Input(shape=(20,), name='inp')\n"
        "d = layers.Dense(8, name='d')\n"
        "model = keras.Model(inp, d(encoder(inp)), name='outer')\n"
        "s2 = keras.Sequential([keras.Input((20,), name='i2'), encoder,\n"
        "                       layers.Dense(4, name='d4')], name='s2')\n"
        "s3 = keras.Sequential([model, layers.Dense(3, name='d3')], name='s3')\n"
        "enc2 = keras.Model(model.input, model.layers[1](model.input), name='enc2')\n"
        "enc3 = keras.Model(model.input, model.get_layer('encoder')(model.input),\n"
        "                   name='enc3')\n"),
    "summary: a backbone in a Sequential": (
        "img = keras.Input(shape=(16, 16, 3), name='img')\n"
        "x = layers.Conv2D(8, 3, strides=2, name='c1')(img)\n"
        "x = layers.BatchNormalization(name='bn')(x)\n"
        "base = keras.Model(img, layers.Conv2D(16, 3, name='c2')(x), name='base')\n"
        "base.trainable = False\n"
        "clf = keras.Sequential([base, layers.GlobalAveragePooling2D(name='gap'),\n"
        "                        layers.Dense(5, name='out')], name='clf')\n"),
    "rewired from a built Sequential": (
        "seq = keras.Sequential([keras.Input((10,), name='si'), layers.Dense(5, name='x'),\n"
        "                        layers.Dense(2, name='y')], name='seq')\n"
        "feat = keras.Model(seq.inputs, seq.get_layer('x').output, name='feat')\n"
        "feat2 = keras.Model(seq.inputs, seq.layers[0].output, name='feat2')\n"
        "head = keras.Model(seq.inputs, layers.Dense(3, name='z')(seq.outputs[0]),\n"
        "                   name='head')\n"
        "old = keras.Sequential([keras.Input((6,), name='oi'), layers.Dense(4, name='a'),\n"
        "                        layers.Dense(3, name='b')], name='old')\n"
        "cut = keras.Model(old.inputs, old.get_layer(index=0).output, name='cut')\n"),
}
ALL_SCRIPTS = {**SCRIPTS, **SUMMARY_SCRIPTS}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in ALL_SCRIPTS.items()}
    return {version: run_scripts(sources, version, rows=True) for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(ALL_SCRIPTS))
def test_nested_models_match_keras(keras_figures: dict[str, Any], keras: str,
                                   name: str) -> None:
    report = analyse_source(HEAD + ALL_SCRIPTS[name])
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []
    found = {a.model.name: ours(a) for a in report.models}
    truth = keras_figures[keras][name]
    assert set(truth) <= set(found), (sorted(truth), sorted(found))
    for model, figures in truth.items():
        assert found[model] == {k: v for k, v in figures.items() if k != "rows"}, model


def test_the_first_call_builds_a_sequential_with_no_input_shape() -> None:
    report = analyse_source(HEAD + SCRIPTS["encoder called on an input"])
    encoder = next(a for a in report.models if a.model.name == "encoder")
    assert isinstance(encoder.total, int)  # a number, checked against Keras above
    assert not [d for d in report.diagnostics if d.code in ("AL001", "AL002")]


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SUMMARY_SCRIPTS))
def test_a_nested_model_is_one_row_of_the_summary(keras_figures: dict[str, Any], keras: str,
                                                  name: str) -> None:
    """Each model's rows (name, class, output shape, parameters) are Keras's: a model
    called as a layer is one row with its total, and a layer counts once in the totals."""
    report = analyse_source(HEAD + SUMMARY_SCRIPTS[name])
    found = {a.model.name: summary_of(a) for a in report.models}
    for model, figures in keras_figures[keras][name].items():
        truth = sorted(keras_summary(figures["rows"]))
        mine = sorted(found[model])
        assert [row[0] for row in mine] == [row[0] for row in truth], model
        for ours_row, keras_row in zip(mine, truth):
            if keras_row[2] is None:  # Keras gives no single shape to a shared layer
                ours_row, keras_row = ours_row[:2] + ours_row[3:], keras_row[:2] + keras_row[3:]
            assert ours_row == keras_row, model


def test_expand_nested_lists_the_inner_layers_under_the_row() -> None:
    from archlint.render.json_format import model_to_json
    from archlint.render.text import model_lines

    report = analyse_source(HEAD + SUMMARY_SCRIPTS["summary: functional in functional in "
                                                   "functional"])
    top = next(a for a in report.models if a.model.name == "top")

    def text(expand: bool) -> list[str]:
        return ["".join(part for part, _ in line) for line in model_lines(top, expand)]
    assert not any("  h (Dense)" in line for line in text(False))
    expanded = text(True)
    rows = expanded[3:expanded.index(expanded[2], 3)]  # the table, between its rules
    names = [line.split(" (")[0] for line in rows if "(" in line]
    assert names == ["y", "mid", "  x", "  two", "    a", "    h", "    g", "  cat", "out"]
    entry = model_to_json(top)
    mid = next(row for row in entry["layers"] if row["name"] == "mid")
    assert mid["class"] == "Functional"
    assert [row["name"] for row in mid["layers"]] == ["x", "two", "cat"]
    assert [row["name"] for row in mid["layers"][1]["layers"]] == ["a", "h", "g"]
    # Keras's "Connected to": the nested model, not the layers inside it.
    assert mid["inbound"] == ["y"]
    assert next(row for row in entry["layers"] if row["name"] == "out")["inbound"] == ["mid"]
    assert [row["inbound"] for row in mid["layers"] if row["name"] == "cat"] == [["two", "two"]]


def test_expand_nested_option_of_the_command(tmp_path: Any) -> None:
    import subprocess
    import sys

    script = tmp_path / "nested.py"
    script.write_text(HEAD + SUMMARY_SCRIPTS["summary: encoder called twice, shared head"])
    def run(*options: str) -> str:
        return subprocess.run([sys.executable, "-m", "archlint", str(script), *options],
                              capture_output=True, text=True, check=True).stdout
    assert "  e1 (Dense)" not in run()
    assert "encoder (Sequential)" in run()
    assert "  e1 (Dense)" in run("--expand-nested")


@pytest.mark.keras
def test_the_input_of_a_sequential_is_keras_3s_refusal_and_tf_keras_graph(
        keras_figures: dict[str, Any]) -> None:
    """Keras 3 raises on ``seq.input`` of a Sequential never called (checked: "has never
    been called and thus has no defined input"); tf-keras gives the model's input."""
    body = ("seq = keras.Sequential([keras.Input((10,)), layers.Dense(5, name='x')])\n"
            "feat = keras.Model(seq.input, seq.get_layer('x').output, name='feat')\n")
    report = analyse_source(HEAD + body)
    assert "feat" not in [a.model.name for a in report.models if not a.model.unresolved]
    assert any("Keras 3 gives a Sequential's input only once it is called" in d.message
               for d in report.diagnostics)
    legacy = analyse_source("import tf_keras as keras\nfrom tf_keras import layers\n" + body)
    feat = next(a for a in legacy.models if a.model.name == "feat")
    # The same model as `feat` of the script run by tf-keras (built there from seq.inputs).
    assert feat.total == keras_figures["2"]["rewired from a built Sequential"]["feat"]["total"]
