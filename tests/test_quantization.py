"""LoRA, quantized dtype policies, ``model.quantize(mode)``, mixed precision and empty axes,
in scripts run by real Keras 3 and tf-keras: every model's parameter counts (trainable and
not) and output shapes must equal archlint's; what tf-keras refuses, archlint refuses (or
reports unknown) for a tf-keras script.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import FileReport, Settings, analyse_source, default_settings
from tests.keras_scripts import ours, run_scripts

HEAD = "import keras\nfrom keras import layers\n"
# Keras 3 only: LoRA, quantized policies and model.quantize (tf-keras has none of them).
KERAS3_SCRIPTS = {
    "lora": (
        "x = keras.Input(shape=(4,))\n"
        "d = layers.Dense(5, lora_rank=2, name='d')(x)\n"
        "e = layers.Embedding(30, 6, lora_rank=3)(keras.Input(shape=(7,), dtype='int32'))\n"
        "c = layers.Conv1D(3, 2, lora_rank=2)(layers.Reshape((4, 1))(x))\n"
        "model = keras.Model(x, [d, c], name='lora')\n"),
    "dtype policies": (
        "x = keras.Input(shape=(4,))\n"
        "outs = [layers.Dense(5, dtype=p)(x) for p in ('int8_from_float32',\n"
        "        'int8_from_mixed_bfloat16', 'int4_from_float32', 'int4/2_from_float32',\n"
        "        'float8_from_float32')]\n"
        "model = keras.Model(x, outs, name='policies')\n"),
    "quantize int8": (
        "m = keras.Sequential([keras.Input((4,)), layers.Dense(5), layers.Dense(7,\n"
        "    use_bias=False), layers.Embedding(10, 3), layers.Conv1D(2, 1),\n"
        "    layers.LayerNormalization()], name='q8')\n"
        "m.quantize('int8')\n"),
    "quantize int4": (
        "m = keras.Sequential([keras.Input((300,)), layers.Dense(5), layers.Dense(7,\n"
        "    use_bias=False), layers.Embedding(10, 3), layers.Conv1D(2, 1),\n"
        "    layers.LayerNormalization()], name='q4')\n"
        "m.quantize('int4')\n"),
    "quantize float8": (
        "m = keras.Sequential([keras.Input((4,)), layers.Dense(5), layers.Dense(7,\n"
        "    use_bias=False), layers.Embedding(10, 3), layers.Conv1D(2, 1),\n"
        "    layers.LayerNormalization()], name='q_f8')\n"
        "m.quantize('float8')\n"),
    "quantize LoRA": (
        "x = keras.Input((9,))\n"
        "f = keras.Model(x, layers.Dense(5, lora_rank=2)(x), name='f')\n"
        "f.quantize('int4')\n"
        "g_in = keras.Input((9,))\n"
        "g = keras.Model(g_in, layers.Dense(5, lora_rank=2)(g_in), name='g')\n"
        "g.quantize('float8')\n"),
    "policy objects": (
        "x = keras.Input((6,))\n"
        "h = layers.Dense(4, dtype=keras.DTypePolicy('mixed_bfloat16'))(x)\n"
        "h = layers.Dense(5, dtype=keras.dtype_policies.QuantizedDTypePolicy('int8',\n"
        "                                                               'float32'))(h)\n"
        "model = keras.Model(x, h, name='policy_objects')\n"),
    "global quantized policy": (
        "keras.mixed_precision.set_global_policy('int4_from_float32')\n"
        "x = keras.Input((4,))\n"
        "y = layers.Dense(5)(x)\n"
        "e = layers.Embedding(8, 3)(keras.Input((2,), dtype='int32'))\n"
        "keras.config.set_dtype_policy('float32')\n"
        "model = keras.Model(x, layers.Dense(3)(y), name='global_policy')\n"),
    "einsum LoRA": (
        "x = keras.Input((3, 4))\n"
        "outs = [layers.EinsumDense(e, s, bias_axes=b, lora_rank=2, lora_alpha=a)(x)\n"
        "        for e, s, b, a in (('abc,cd->abd', (3, 5), 'd', None),\n"
        "                           ('abc,cde->abde', (3, 2, 5), 'de', 4),\n"
        "                           ('...c,cd->...d', 6, None, None),\n"
        "                           ('ab...,bd->ad...', 5, 'd', None),\n"
        "                           ('abc,bcd->ad', 7, 'd', None),\n"
        "                           ('abc,dbc->ad', 7, None, None))]\n"
        "model = keras.Model(x, outs, name='einsum_lora')\n"),
    **{f"einsum {p}": (
        "x = keras.Input((3, 4))\n"
        "outs = [layers.EinsumDense(e, s, bias_axes=b, dtype='" + p + "')(x)\n"
        "        for e, s, b in (('abc,cd->abd', (3, 5), 'd'), ('abc,cde->abde', (3, 2, 5),\n"
        "                        'de'), ('abc,bcd->ad', 7, 'd'), ('abc,dbc->ad', 7, None),\n"
        "                        ('abc,cbd->adb', (9, 3), 'b')" + ellipses + ")]\n"
        "model = keras.Model(x, outs, name='einsum_policy')\n")
       for p, ellipses in (("int8_from_float32", ""), ("int4_from_float32", ""),
                           ("int4/2_from_float32", ""), ("float8_from_float32",
                           ", ('...c,cd->...d', 6, None), ('ab...,bd->ad...', 5, 'd')"))},
    "einsum float8 LoRA": (
        "x = keras.Input((3, 4))\n"
        "y = layers.EinsumDense('abc,cd->abd', (3, 5), lora_rank=2,\n"
        "                       dtype='float8_from_float32')(x)\n"
        "model = keras.Model(x, y, name='einsum_float8_lora')\n"),
    "einsum LoRA with quantized policies": (
        "x = keras.Input((3, 4))\n"
        "outs = [layers.EinsumDense('abc,cde->abde', (3, 2, 5), bias_axes='e', lora_rank=3,\n"
        "                           dtype=p)(x)\n"
        "        for p in ('int8_from_float32', 'int4_from_float32', 'int4/3_from_float32')]\n"
        "model = keras.Model(x, outs, name='einsum_lora_policies')\n"),
    **{f"einsum quantize {mode}": (
        "x, wide = keras.Input((3, 4)), keras.Input((20, 13))\n"
        "h = layers.EinsumDense('abc,cde->abde', (3, 2, 5), bias_axes='de')(x)\n"
        "h = layers.EinsumDense('abde,def->abf', (3, 7), lora_rank=2)(h)\n"
        "w = layers.EinsumDense('abc,bcd->ad', 30, bias_axes='d')(wide)\n"
        "m = keras.Model([x, wide], [h, w], name='einsum_q')\n"
        "m.quantize('" + mode + "')\n")
       for mode in ("int8", "int4", "float8")},
    "reversible embedding policies": (
        "ids = keras.Input((5,), dtype='int32')\n"
        "outs = [layers.ReversibleEmbedding(30, 7, tie_weights=t, dtype=p)(ids)\n"
        "        for t in (True, False) for p in ('int8_from_float32', 'int4_from_float32',\n"
        "                                         'int4/3_from_float32')]\n"
        "outs += [layers.ReversibleEmbedding(30, 7, lora_rank=2)(ids)]\n"
        "outs += [layers.ReversibleEmbedding(30, 7, tie_weights=False, lora_rank=2,\n"
        "                                    dtype=p)(ids) for p in ('int8_from_float32',\n"
        "                                                            'int4/4_from_float32')]\n"
        "model = keras.Model(ids, outs, name='reversible_policies')\n"),
    **{f"reversible embedding quantize {mode}": (
        "ids = keras.Input((5,), dtype='int32')\n"
        "outs = [layers.ReversibleEmbedding(300, 7, tie_weights=t)(ids) for t in (True,\n"
        "                                                                    False)]\n"
        "outs.append(layers.ReversibleEmbedding(300, 7, lora_rank=2)(ids))\n"
        "m = keras.Model(ids, outs, name='reversible_q')\n"
        "m.quantize('" + mode + "')\n")
       for mode in ("int8", "int4", "float8")},
    "quantize a nested model": (
        "inner = keras.Sequential([keras.Input((6,)), layers.Dense(4)], name='inner')\n"
        "x = keras.Input((6,))\n"
        "outer = keras.Model(x, layers.Dense(2)(inner(x)), name='outer')\n"
        "outer.quantize('int8')\n"),
}
# Keras 3 refuses these quantize calls; the text archlint's message must hold.
REFUSED_SCRIPTS = {
    "quantized again": ("m = keras.Sequential([keras.Input((4,)),\n"
                        "    layers.Dense(5, dtype='int8_from_float32')])\n"
                        "m.quantize('int8')\n", "already quantized"),
    "einsum with an ellipsis": ("x = keras.Input((3, 4))\n"
                                "m = keras.Model(x, layers.EinsumDense('...c,cd->...d', 5)(x))\n"
                                "m.quantize('int4')\n", "ellipsis"),
    "unbuilt": ("m = keras.Sequential([layers.Dense(5)])\nm.quantize('int8')\n", "not built"),
}
# Keras 3 fails to build these layers; the text archlint's error must hold.
REFUSED_LAYERS = {
    "reversible untied LoRA": ("ids = keras.Input((5,), dtype='int32')\n"
                               "y = layers.ReversibleEmbedding(30, 7, tie_weights=False,\n"
                               "                               lora_rank=2)(ids)\n"
                               "model = keras.Model(ids, y)\n", "tie_weights=False"),
    "einsum int8 quantize squeezing a kept axis": (
        "x = keras.Input((3, 4))\n"
        "m = keras.Model(x, layers.EinsumDense('abc,dbc->ad', 7)(x))\n"
        "m.quantize('int8')\n", "squeezes an axis"),
    **{f"einsum {p} with an ellipsis": (
        "x = keras.Input((3, 4))\n"
        "y = layers.EinsumDense('...c,cd->...d', 5, dtype='" + p + "')(x)\n"
        "model = keras.Model(x, y)\n", "ellipsis") for p in ("int8_from_float32",
                                                              "int4_from_float32")},
}
# Both versions: mixed precision changes no count; empty axes Keras builds.
BOTH_SCRIPTS = {
    "mixed precision": (
        "keras.mixed_precision.set_global_policy('mixed_float16')\n"
        "x = keras.Input(shape=(6, 4))\n"
        "h = layers.Dense(5, dtype='mixed_bfloat16')(x)\n"
        "h = layers.LayerNormalization()(layers.Conv1D(3, 2)(h))\n"
        "h = layers.Dense(4, dtype=keras.mixed_precision.Policy('mixed_float16'))(h)\n"
        "import tensorflow as tf\n"
        "h = layers.Dense(3, dtype=tf.float32)(h)\n"
        "model = keras.Model(x, h, name='mixed')\n"
        "keras.mixed_precision.set_global_policy('float32')\n"),
    "layer normalization over an empty axis": (
        "x = keras.Input(shape=(3, 0))\n"
        "y = keras.Input(shape=(0, 4))\n"
        "a = layers.LayerNormalization()(x)\n"
        "b = layers.LayerNormalization(axis=1)(y)\n"
        "c = layers.LayerNormalization(axis=[1, 2])(y)\n"
        "model = keras.Model([x, y], [a, b, c], name='empty')\n"),
}


def analyse(source: str, keras: str) -> FileReport:
    settings = default_settings()
    return analyse_source(HEAD + source, settings=Settings(settings.rules, keras=keras))


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    sources = {name: HEAD + body for name, body in {**KERAS3_SCRIPTS, **BOTH_SCRIPTS}.items()}
    sources.update({name: HEAD + source for name, (source, _) in
                    {**REFUSED_SCRIPTS, **REFUSED_LAYERS}.items()})
    return {version: run_scripts(sources, version) for version in ("3", "2")}


def _matches(report: FileReport, truth: dict[str, Any]) -> None:
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []
    assert not [d for d in report.diagnostics if d.code in ("AL001", "AL002")]
    found = {a.model.name: ours(a) for a in report.models}
    assert set(truth) <= set(found), (sorted(truth), sorted(found))
    for model, figures in truth.items():
        assert found[model] == figures, model


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(KERAS3_SCRIPTS))
def test_keras3_weights_match(keras_figures: dict[str, Any], name: str) -> None:
    _matches(analyse(KERAS3_SCRIPTS[name], "3"), keras_figures["3"][name])


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(KERAS3_SCRIPTS))
def test_tf_keras_refuses_what_archlint_refuses(keras_figures: dict[str, Any],
                                                name: str) -> None:
    assert "refused" in keras_figures["2"][name]
    report = analyse(KERAS3_SCRIPTS[name], "2")
    codes = {d.code for d in report.diagnostics}
    assert codes & {"AL108", "AL002"}, codes
    assert not any(isinstance(a.total, int) and a.total > 0 and a.model.name in (
        "lora", "policies") for a in report.models)


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(BOTH_SCRIPTS))
def test_both_versions_match(keras_figures: dict[str, Any], keras: str, name: str) -> None:
    _matches(analyse(BOTH_SCRIPTS[name], keras), keras_figures[keras][name])


def test_unmodelled_quantize_calls_are_reported() -> None:
    for call in ("m.quantize('gptq')", "m.quantize('int8', filters='dense')",
                 "m.quantize(mode)"):
        report = analyse("import sys\nmode = sys.argv[1]\n"
                         "m = keras.Sequential([keras.Input((4,)), layers.Dense(5)])\n"
                         + call + "\n", "3")
        assert [d.code for d in report.diagnostics if d.code == "AL002"], call
        assert not isinstance(report.models[0].total, int), call


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(REFUSED_SCRIPTS))
def test_keras_refusals_of_quantize_are_errors(keras_figures: dict[str, Any],
                                               name: str) -> None:
    source, message = REFUSED_SCRIPTS[name]
    assert "refused" in keras_figures["3"][name]
    report = analyse(source, "3")
    found = [d for d in report.diagnostics if d.code == "AL108"]
    assert found and message in found[0].message


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(REFUSED_LAYERS))
def test_layers_keras_fails_to_build_are_errors(keras_figures: dict[str, Any],
                                                name: str) -> None:
    source, message = REFUSED_LAYERS[name]
    assert "refused" in keras_figures["3"][name]
    report = analyse(source, "3")
    errors = [d for d in report.diagnostics if d.severity.value == "error"]
    assert errors and message in errors[0].message, report.diagnostics


_SAVE = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras
import numpy as np
from keras import layers
x = keras.Input(shape=(6,))
ids = keras.Input(shape=(3,), dtype="int32")
h = layers.Dense(5, lora_rank=2)(x)
h = layers.Dense(4, dtype="int8_from_float32")(h)
h = layers.Dense(3, dtype="int4/2_from_float32")(h)
e = layers.Flatten()(layers.Embedding(12, 4, dtype="int4_from_float32")(ids))
model = keras.Model([x, ids], [h, e], name="saved")
with open(sys.argv[1], "w") as f:
    f.write(model.to_json())
trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
print(json.dumps({"total": int(model.count_params()), "trainable": trainable}))
"""


@pytest.mark.keras
def test_a_saved_model_keeps_its_lora_and_quantized_policies(tmp_path: Any) -> None:
    import json
    import subprocess
    import sys

    from archlint.analysis import analyse_saved

    path = tmp_path / "model.json"
    result = subprocess.run([sys.executable, "-c", _SAVE, str(path)], capture_output=True,
                            text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    truth = json.loads(result.stdout.strip().splitlines()[-1])
    report = analyse_saved(path)
    assert not [d for d in report.diagnostics if d.code in ("AL001", "AL002")]
    analysis = report.models[-1]
    assert (analysis.total, analysis.trainable) == (truth["total"], truth["trainable"])


def test_crosscheck_builds_a_quantized_layer_with_its_policy() -> None:
    from archlint.oracle.export import instance_config

    report = analyse("m = keras.Sequential([keras.Input((4,)), layers.Dense(5)])\n"
                     "m.quantize('int4')\n", "3")
    dense = report.models[0].model.layers[-1]
    assert dense.instance is not None
    assert instance_config(dense.instance)["config"]["dtype"] == "int4/128_from_float32"
