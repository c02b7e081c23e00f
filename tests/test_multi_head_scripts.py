"""Scripts with multi-head attention, run by real Keras 3 and tf-keras: transformer blocks
written functionally, self- and cross-attention called with positional and keyword
tensors, attention scores unpacked, a mask given as a model input, GroupQueryAttention and
EinsumDense. Every model's parameters and output shapes must equal archlint's; where Keras
refuses the script, archlint reports an error. The formulas are checked option by option
in tests/layer_cases/multi_head.py and einsum_dense.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint.analysis import Settings, analyse_source, default_settings
from tests.keras_scripts import ours_forward, run_scripts

HEAD = "import keras\nfrom keras import layers\n"
BOTH = ("3", "2")
# The length of every variable axis in the forward passes.
LENGTH = 7
# name: (script, the Keras versions that run it)
SCRIPTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "transformer encoder block": (
        "def encoder_block(x, heads, dim, ff):\n"
        "    attn = layers.MultiHeadAttention(num_heads=heads, key_dim=dim // heads,\n"
        "                                     dropout=0.1)(x, x)\n"
        "    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attn]))\n"
        "    h = layers.Dense(ff, activation='relu')(x)\n"
        "    h = layers.Dense(attn.shape[-1])(layers.Dropout(0.1)(h))\n"
        "    return layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, h]))\n"
        "inp = keras.Input(shape=(20, 32))\n"
        "x = inp\n"
        "for _ in range(2):\n"
        "    x = encoder_block(x, 4, 32, 64)\n"
        "out = layers.Dense(5, activation='softmax')(layers.GlobalAveragePooling1D()(x))\n"
        "model = keras.Model(inp, out, name='m')\n", BOTH),
    "token and position embedding, variable length": (
        "tokens = keras.Input(shape=(None,), dtype='int32')\n"
        "x = layers.Embedding(1000, 16)(tokens)\n"
        "attn = layers.MultiHeadAttention(2, 8, output_shape=16)(x, x, use_causal_mask=True)\n"
        "x = layers.LayerNormalization()(layers.Add()([x, attn]))\n"
        "model = keras.Model(tokens, layers.Dense(1000)(x), name='m')\n", BOTH),
    "cross-attention with keywords and scores": (
        "q_in = keras.Input(shape=(6, 12))\n"
        "kv_in = keras.Input(shape=(6, 20))\n"
        "k_in = keras.Input(shape=(6, 9))\n"
        "mha = layers.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=5, use_bias=False)\n"
        "out, scores = mha(query=q_in, value=kv_in, key=k_in, return_attention_scores=True)\n"
        "again = mha(q_in, kv_in, k_in)\n"
        "model = keras.Model([q_in, kv_in, k_in], [out, scores, again], name='m')\n", BOTH),
    "value by keyword, mask as an input": (
        "x = keras.Input(shape=(8, 10))\n"
        "mask = keras.Input(shape=(8, 8), dtype='bool')\n"
        "y = layers.MultiHeadAttention(2, 6, output_shape=(2, 3))(x, value=x,\n"
        "                                                         attention_mask=mask)\n"
        "model = keras.Model([x, mask], layers.Flatten()(y), name='m')\n", BOTH),
    "attention over two axes": (
        "x = keras.Input(shape=(4, 5, 6))\n"
        "y, s = layers.MultiHeadAttention(2, 3, attention_axes=(2,))(\n"
        "    x, x, return_attention_scores=True)\n"
        "model = keras.Model(x, [y, s], name='m')\n", BOTH),
    "einsum projections": (
        "x = keras.Input(shape=(7, 16))\n"
        "heads = layers.EinsumDense('abc,cde->abde', output_shape=(None, 4, 8),\n"
        "                           bias_axes='de')(x)\n"
        "flat = layers.EinsumDense('...de,def->...f', output_shape=10)(heads)\n"
        "model = keras.Model(x, flat, name='m')\n", BOTH),
    "grouped-query attention": (
        "x = keras.Input(shape=(10, 16))\n"
        "gqa = layers.GroupQueryAttention(head_dim=8, num_query_heads=4,\n"
        "                                 num_key_value_heads=2)\n"
        "y = gqa(x, x, use_causal_mask=True)\n"
        "model = keras.Model(x, layers.Dense(3)(y), name='m')\n", ("3",)),
    "a call outside the model sizes a layer": (
        "x = keras.Input(shape=(5, 8))\n"
        "y = layers.MultiHeadAttention(2, 4, output_shape=6)(x, x)\n"
        "model = keras.Model(x, layers.Dense(y.shape[-1])(x), name='m')\n", BOTH),
    "key and value of different lengths": (
        "q = keras.Input(shape=(4, 8))\n"
        "v = keras.Input(shape=(5, 8))\n"
        "k = keras.Input(shape=(6, 8))\n"
        "model = keras.Model([q, v, k], layers.MultiHeadAttention(2, 4)(q, v, k), name='m')\n",
        BOTH),
}


@pytest.fixture(scope="module")
def keras_figures() -> dict[str, Any]:
    return {version: run_scripts({name: HEAD + body for name, (body, versions)
                                  in SCRIPTS.items() if version in versions}, version,
                                 forward_length=LENGTH)
            for version in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_multi_head_scripts_match_keras(keras_figures: dict[str, Any], keras: str,
                                        name: str) -> None:
    body, versions = SCRIPTS[name]
    if keras not in versions:
        pytest.skip(f"the script runs under Keras {'/'.join(versions)} only")
    settings = Settings(default_settings().rules, keras=keras)
    report = analyse_source(HEAD + body, settings=settings)
    errors = [d.code for d in report.diagnostics if d.severity.value == "error"]
    truth = keras_figures[keras][name]
    if "refused" in truth:
        assert errors, truth["refused"]
        return
    assert errors == [], [d.message for d in report.diagnostics]
    [analysis] = report.models
    # The forward pass is the truth: Keras 3 declares some of these shapes wrong.
    figures = dict(truth["m"])
    del figures["outputs"]
    assert ours_forward(analysis, LENGTH) == figures


def test_grouped_query_attention_is_refused_for_tf_keras() -> None:
    body, _ = SCRIPTS["grouped-query attention"]
    report = analyse_source(HEAD + body, settings=Settings(default_settings().rules,
                                                           keras="2"))
    assert any(d.code == "AL108" and "tf-keras has no GroupQueryAttention" in d.message
               for d in report.diagnostics)



def test_a_list_of_tensors_is_refused_where_they_are_separate_arguments() -> None:
    report = analyse_source(HEAD + "x = keras.Input(shape=(5, 8))\n"
                            "y = layers.MultiHeadAttention(2, 4)([x, x])\n"
                            "model = keras.Model(x, y)\n")
    [error] = [d for d in report.diagnostics if d.code == "AL105"]
    assert error.span.line == 4
    assert "separate arguments (query, value, key), not a list" in error.message


def test_scores_flag_known_only_at_run_time_leaves_the_outputs_unknown() -> None:
    report = analyse_source(HEAD + "import sys\nflag = len(sys.argv) > 1\n"
                            "x = keras.Input(shape=(5, 8))\n"
                            "y = layers.MultiHeadAttention(2, 4)(x, x,\n"
                            "                                    return_attention_scores=flag)\n"
                            "model = keras.Model(x, y)\n")
    assert not [d for d in report.diagnostics if d.severity.value == "error"]
    [analysis] = report.models
    assert analysis.total is None
