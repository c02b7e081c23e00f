"""FLOPs of UpSampling, EinsumDense, MultiHeadAttention and GroupQueryAttention against
TensorFlow's profiler on real builds (batch 1), one subprocess per Keras version; the
symbolic forms against the same formulas at numbers.

The expected FLOPs are never typed in: they are ``total_float_ops`` of the graph Keras builds.
Where archlint leaves a version's FLOPs unknown (tf-keras's Einsum ops), the profile shows
why: it counts less than the products' multiply-adds.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from archlint.analysis import analyse_source
from archlint.cost.flops import layer_cost
from archlint.cost.poly import Poly, evaluate_cost
from archlint.dims import Sym
from archlint.layer_call import infer_layer
from archlint.layer_eval import instantiate
from archlint.unknown import Unknown
from tests.cost_runner import profile_layers
from tests.oracle import needs_keras

# (id, class, config, input shapes without the batch axis, call options, Keras versions
# whose graph archlint costs; the others are profiled and must be unknown)
Case = tuple[str, str, dict[str, Any], list[tuple[int, ...]], dict[str, Any], str]


def _mha(**config: Any) -> dict[str, Any]:
    return {"num_heads": 2, "key_dim": 4, **config}


def _gqa(**config: Any) -> dict[str, Any]:
    return {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2, **config}


def _einsum(equation: str, output_shape: Any, **config: Any) -> dict[str, Any]:
    return {"equation": equation, "output_shape": output_shape, **config}


SCORES, CAUSAL = {"return_attention_scores": True}, {"use_causal_mask": True}
CROSS, SELF, WITH_KEY = [(5, 6), (7, 6)], [(5, 6), (5, 6)], [(5, 6), (7, 6), (7, 3)]

CASES: list[Case] = [
    ("up1d", "UpSampling1D", {}, [(5, 3)], {}, "32"),
    ("up1d_size3", "UpSampling1D", {"size": 3}, [(6, 2)], {}, "32"),
    ("up2d", "UpSampling2D", {"size": (2, 3)}, [(5, 4, 3)], {}, "32"),
    ("up2d_cf", "UpSampling2D", {"size": (2, 3), "data_format": "channels_first"},
     [(3, 5, 4)], {}, "32"),
    ("up2d_bilinear", "UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"},
     [(5, 4, 3)], {}, "32"),
    ("up2d_bilinear_cf", "UpSampling2D", {"interpolation": "bilinear",
                                          "data_format": "channels_first"},
     [(3, 5, 4)], {}, "32"),
    ("up2d_bicubic", "UpSampling2D", {"interpolation": "bicubic"}, [(5, 4, 3)], {}, "32"),
    ("up2d_area", "UpSampling2D", {"interpolation": "area"}, [(5, 4, 3)], {}, "32"),
    ("up2d_lanczos3", "UpSampling2D", {"interpolation": "lanczos3"}, [(5, 4, 3)], {}, "32"),
    ("up2d_lanczos5", "UpSampling2D", {"interpolation": "lanczos5"}, [(5, 4, 3)], {}, "32"),
    ("up3d", "UpSampling3D", {"size": (2, 1, 3)}, [(5, 4, 3, 2)], {}, "32"),
    ("up3d_cf", "UpSampling3D", {"data_format": "channels_first"}, [(2, 5, 4, 3)], {},
     "32"),
    # EinsumDense, each equation Keras 3 runs as a MatMul.
    ("einsum_2d", "EinsumDense", _einsum("ab,bc->ac", 8, bias_axes="c"), [(6,)], {}, "3"),
    ("einsum_2d_transposed", "EinsumDense", _einsum("ab,cb->ac", 8), [(6,)], {}, "3"),
    ("einsum_3d_gelu", "EinsumDense", _einsum("abc,cd->abd", (None, 8), bias_axes="d",
                                              activation="gelu"), [(5, 6)], {}, "3"),
    ("einsum_renamed", "EinsumDense", _einsum("btd,dk->btk", (None, 8), bias_axes="k"),
     [(5, 6)], {}, "3"),
    ("einsum_3d_transposed", "EinsumDense", _einsum("abc,dc->abd", (None, 8),
                                                    activation="swish"), [(5, 6)], {}, "3"),
    ("einsum_heads", "EinsumDense", _einsum("abc,cde->abde", (None, 2, 4), bias_axes="de"),
     [(5, 6)], {}, "3"),
    ("einsum_heads_bias_d", "EinsumDense", _einsum("abc,cde->abde", (None, 2, 4),
                                                   bias_axes="d"), [(5, 6)], {}, "3"),
    ("einsum_heads_dce", "EinsumDense", _einsum("abc,dce->abde", (None, 3, 4),
                                                bias_axes="e"), [(5, 6)], {}, "3"),
    ("einsum_heads_dec", "EinsumDense", _einsum("abc,dec->abde", (None, 3, 4)), [(5, 6)],
     {}, "3"),
    ("einsum_merge", "EinsumDense", _einsum("abcd,cde->abe", (None, 6), bias_axes="e"),
     [(5, 2, 4)], {}, "3"),
    ("einsum_merge_ced", "EinsumDense", _einsum("abcd,ced->abe", (None, 6)), [(5, 2, 4)],
     {}, "3"),
    ("einsum_merge_ecd", "EinsumDense", _einsum("abcd,ecd->abe", (None, 6), bias_axes="e",
                                                activation="relu"), [(5, 2, 4)], {}, "3"),
    # MultiHeadAttention: Keras 3's fused attention (its products are Einsum ops: FLOPs
    # unknown), then the path that keeps the scores.
    ("mha", "MultiHeadAttention", _mha(), CROSS, {}, ""),
    ("mha_self", "MultiHeadAttention", _mha(), SELF, {}, ""),
    ("mha_key", "MultiHeadAttention", _mha(), WITH_KEY, {}, ""),
    ("mha_no_bias", "MultiHeadAttention", _mha(use_bias=False), CROSS, {}, ""),
    ("mha_value_dim", "MultiHeadAttention", _mha(num_heads=3, value_dim=5), CROSS, {}, ""),
    ("mha_output_shape", "MultiHeadAttention", _mha(output_shape=9), CROSS, {}, ""),
    ("mha_output_shape_1", "MultiHeadAttention", _mha(output_shape=(9,)), CROSS, {}, ""),
    ("mha_attention_axes", "MultiHeadAttention", _mha(attention_axes=(1,)), CROSS, {}, ""),
    ("mha_causal", "MultiHeadAttention", _mha(), SELF, CAUSAL, ""),
    ("mha_causal_cross", "MultiHeadAttention", _mha(), CROSS, CAUSAL, ""),
    ("mha_scores", "MultiHeadAttention", _mha(), CROSS, SCORES, "3"),
    ("mha_scores_no_bias", "MultiHeadAttention", _mha(use_bias=False, value_dim=3), CROSS,
     SCORES, "3"),
    ("mha_causal_scores", "MultiHeadAttention", _mha(), SELF, {**CAUSAL, **SCORES}, "3"),
    ("mha_dropout", "MultiHeadAttention", _mha(dropout=0.1), CROSS, {}, "3"),
    ("mha_dropout_causal", "MultiHeadAttention", _mha(dropout=0.1), SELF, CAUSAL, "3"),
    # GroupQueryAttention: Keras 3 only (tf-keras has no such layer).
    ("gqa", "GroupQueryAttention", _gqa(), CROSS, {}, ""),
    ("gqa_self", "GroupQueryAttention", _gqa(), SELF, {}, ""),
    ("gqa_one_group", "GroupQueryAttention", _gqa(num_key_value_heads=1), CROSS, {}, ""),
    ("gqa_no_groups", "GroupQueryAttention", _gqa(num_query_heads=2), CROSS, {}, ""),
    ("gqa_no_bias", "GroupQueryAttention", _gqa(use_bias=False), CROSS, {}, ""),
    ("gqa_key", "GroupQueryAttention", _gqa(), WITH_KEY, {}, ""),
    ("gqa_causal", "GroupQueryAttention", _gqa(), SELF, CAUSAL, ""),
    ("gqa_scores", "GroupQueryAttention", _gqa(), CROSS, SCORES, "3"),
    ("gqa_causal_scores", "GroupQueryAttention", _gqa(), SELF, {**CAUSAL, **SCORES}, "3"),
    ("gqa_dropout", "GroupQueryAttention", _gqa(dropout=0.1), CROSS, {}, "3"),
]

# Layers tf-keras does not have: profiled with Keras 3 only.
KERAS3_CLASSES = frozenset({"GroupQueryAttention"})


def _profiled(keras: str) -> list[Case]:
    return [c for c in CASES if keras == "3" or c[1] not in KERAS3_CLASSES]


def _cases(keras: str) -> list[dict[str, Any]]:
    return [{"id": c[0], "class": c[1], "config": c[2], "inputs": c[3],
             "call_options": c[4], "separate": len(c[3]) > 1} for c in _profiled(keras)]


@pytest.fixture(scope="module")
@needs_keras
def profiles() -> dict[str, dict[str, Any]]:
    """Both Keras versions profile at once, one process each."""
    return profile_layers({keras: _cases(keras) for keras in ("3", "2")})


def _archlint(case: Case, keras: str, shapes: list[Any] | None = None) -> Any:
    name, class_name, config, inputs, options, _ = case
    instance = instantiate(class_name, json.loads(json.dumps(config)), name, keras=keras,
                           target=keras)
    shapes = shapes or [(None, *shape) for shape in inputs]
    output = infer_layer(instance, shapes, options).shape
    return layer_cost(instance, shapes, output, options)


@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_flops_match_the_profiler(case: Case, keras: str,
                                  profiles: dict[str, dict[str, Any]]) -> None:
    if case[0] not in profiles[keras]:
        pytest.skip(f"tf-keras has no {case[1]}")
    measured = profiles[keras][case[0]]
    assert "error" not in measured, measured
    cost = _archlint(case, keras)
    if keras in case[5]:
        assert cost.flops == measured["flops"], (cost, measured)
        return
    # Einsum ops (tf-keras's, Keras 3's fused attention): the profiler misses the
    # products, archlint says unknown.
    assert isinstance(cost.flops, Unknown) and "Einsum" in cost.flops.reason
    assert cost.macs == _archlint(case, "3").macs
    assert isinstance(cost.macs, int) and measured["flops"] < 2 * cost.macs


@pytest.mark.parametrize("class_name,config,inputs,option", [
    ("MultiHeadAttention", _mha(), [(3, 5, 6), (3, 7, 6)], "rank"),
    ("MultiHeadAttention", _mha(output_shape=(3, 2)), CROSS, "output_shape"),
    ("MultiHeadAttention", _mha(use_gate=True), CROSS, "use_gate"),
    ("GroupQueryAttention", _gqa(sliding_window=2), CROSS, "sliding_window"),
    ("EinsumDense", _einsum("...b,bc->...c", 8), [(5, 6)], "'...b,bc->...c'"),
    ("EinsumDense", _einsum("abc,cd->adb", (8, None)), [(5, 6)], "'abc,cd->adb'"),
])
def test_unchecked_options_are_unknown_and_named(class_name: str, config: dict[str, Any],
                                                 inputs: list[tuple[int, ...]],
                                                 option: str) -> None:
    """An equation Keras 3 runs as an Einsum op (the profiler counts it 0), attention on
    inputs of rank 4 (the same), a gate or a sliding window (not checked)."""
    cost = _archlint((class_name, class_name, config, inputs, {}, "3"), "3")
    assert isinstance(cost.flops, Unknown) and option in cost.flops.reason


def test_einsum_ops_keep_their_multiply_adds() -> None:
    """An EinsumDense the profiler cannot count still has its MACs (every letter's size
    and the elided axes)."""
    case: Case = ("e", "EinsumDense", _einsum("...b,bc->...c", 8), [(5, 6)], {}, "3")
    cost = _archlint(case, "3")
    assert isinstance(cost.flops, Unknown) and cost.macs == 5 * 6 * 8


@pytest.mark.parametrize("case", [c for c in CASES if len(c[3][0]) == 2],
                         ids=[c[0] for c in CASES if len(c[3][0]) == 2])
def test_symbolic_lengths_evaluate_to_the_numbers(case: Case) -> None:
    """A variable query length T (and a variable key length S) gives a polynomial, which
    at the case's lengths is the cost computed there: quadratic in T for self-attention."""
    T, S = Sym("T"), Sym("S")
    lengths = [T, S, S] if case[3] != SELF else [T, T]
    shapes = [(None, length, *shape[1:]) for length, shape in zip(lengths, case[3])]
    symbolic = _archlint(case, "3", shapes)
    concrete = _archlint(case, "3")
    env = {"T": case[3][0][0], "S": case[3][-1][0]}
    for figure in ("flops", "macs"):
        if isinstance(getattr(concrete, figure), Unknown):  # Keras 3's fused attention
            assert isinstance(getattr(symbolic, figure), Unknown)
            continue
        assert evaluate_cost(getattr(symbolic, figure), env) == getattr(concrete, figure)
    if case[1] != "EinsumDense" and case[3] == SELF and "3" in case[5]:
        assert isinstance(symbolic.flops, Poly) and symbolic.flops.degree() == 2
        assert "T^2" in str(symbolic.flops)


def test_named_sizes_carry_into_attention_costs() -> None:
    heads, width = Sym("args.heads", named=True), Sym("args.width", named=True)
    instance = instantiate("MultiHeadAttention", {"num_heads": heads, "key_dim": 4}, "m")
    shapes = [(None, Sym("T"), width)] * 2
    # The scores returned: the path whose products the profiler counts.
    cost = layer_cost(instance, shapes, infer_layer(instance, shapes).shape,
                      {"return_attention_scores": True})
    env = {"T": 5, "args.heads": 2, "args.width": 6}
    assert evaluate_cost(cost.flops, env) == _archlint(
        ("m", "MultiHeadAttention", _mha(), SELF, SCORES, "3"), "3").flops
    assert "args.heads" in str(cost.flops) and "args.width" in str(cost.flops)


SCRIPT = """
import keras
from keras import layers

inp = keras.Input(shape=(None, 6))
mha = layers.MultiHeadAttention(2, 4)
out, scores = mha(inp, inp, use_causal_mask=True, return_attention_scores=True)
model = keras.Model(inp, [out, scores])
"""


def test_a_scripts_call_options_reach_the_formula(profiles: dict[str, dict[str, Any]]) -> None:
    """The call's use_causal_mask and return_attention_scores, read from the source, give
    the profiled figure at the length of the profile."""
    analysis = analyse_source(SCRIPT).models[0]
    call = next(c for c in analysis.model.calls if c.layer.class_name == "MultiHeadAttention")
    cost = analysis.cost.calls[call]
    assert "T^2" in str(cost.flops)
    measured = profiles["3"]["mha_causal_scores"]["flops"]
    assert evaluate_cost(cost.flops, {"T": SELF[0][0]}) == measured
