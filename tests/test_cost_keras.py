"""FLOPs per layer family against TensorFlow's profiler on real builds (batch 1), one
subprocess per Keras version for every case; MACs and the symbolic forms against the same
formulas evaluated at numbers.

The expected FLOPs are never typed in: they are ``total_float_ops`` of the graph Keras builds.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from archlint.analysis import analyse_source
from archlint.cost.flops import layer_cost
from archlint.cost.poly import evaluate_cost
from archlint.dims import Sym
from archlint.layer_call import infer_layer
from archlint.layer_eval import instantiate
from archlint.unknown import Unknown
from tests.cost_runner import profile_layers
from tests.oracle import needs_keras


def _rnn(kind: str, **config: Any) -> dict[str, Any]:
    return {"class_name": kind, "config": {"units": 4, "unroll": True, **config}}


# (id, class, config, input shapes without the batch axis, dtype, Keras versions)
CASES: list[tuple[str, str, dict[str, Any], list[tuple[int, ...]], str, str]] = [
    ("dense", "Dense", {"units": 7}, [(10,)], "float32", "32"),
    ("dense_3d_relu", "Dense", {"units": 7, "activation": "relu", "use_bias": False},
     [(5, 10)], "float32", "32"),
    ("dense_4d_softmax", "Dense", {"units": 7, "activation": "softmax"}, [(2, 3, 10)],
     "float32", "32"),
    ("dense_swish", "Dense", {"units": 6, "activation": "swish"}, [(4,)], "float32", "32"),
    ("dense_gelu", "Dense", {"units": 6, "activation": "gelu"}, [(4,)], "float32", "32"),
    ("conv1d", "Conv1D", {"filters": 4, "kernel_size": 3}, [(20, 2)], "float32", "32"),
    ("conv1d_same_s2", "Conv1D", {"filters": 4, "kernel_size": 3, "strides": 2,
                                  "padding": "same"}, [(21, 2)], "float32", "32"),
    ("conv1d_causal_dil", "Conv1D", {"filters": 4, "kernel_size": 3, "padding": "causal",
                                     "dilation_rate": 2}, [(21, 2)], "float32", "32"),
    ("conv1d_dil3", "Conv1D", {"filters": 4, "kernel_size": 3, "dilation_rate": 3},
     [(20, 2)], "float32", "32"),
    ("conv2d", "Conv2D", {"filters": 4, "kernel_size": 3, "use_bias": False}, [(8, 9, 2)],
     "float32", "32"),
    ("conv2d_dil_same", "Conv2D", {"filters": 3, "kernel_size": (3, 2), "dilation_rate": 2,
                                   "padding": "same", "activation": "relu"},
     [(9, 7, 2)], "float32", "32"),
    ("conv2d_dil_valid", "Conv2D", {"filters": 3, "kernel_size": 3, "dilation_rate": 2},
     [(8, 9, 2)], "float32", "32"),
    ("conv2d_cf_s2", "Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2,
                                "data_format": "channels_first"}, [(2, 9, 8)], "float32", "32"),
    ("conv3d", "Conv3D", {"filters": 4, "kernel_size": 3}, [(5, 6, 7, 2)], "float32", "32"),
    ("conv3d_dil", "Conv3D", {"filters": 2, "kernel_size": 2, "dilation_rate": 2},
     [(5, 6, 7, 2)], "float32", "32"),
    ("depthwise2d", "DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2,
                                        "strides": 2}, [(8, 9, 2)], "float32", "32"),
    ("depthwise1d", "DepthwiseConv1D", {"kernel_size": 3}, [(20, 3)], "float32", "32"),
    ("separable2d", "SeparableConv2D", {"filters": 4, "kernel_size": 3,
                                        "depth_multiplier": 2}, [(8, 9, 2)], "float32", "32"),
    ("separable1d", "SeparableConv1D", {"filters": 4, "kernel_size": 3, "strides": 2},
     [(20, 2)], "float32", "32"),
    ("conv2d_transpose", "Conv2DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2},
     [(8, 9, 2)], "float32", "32"),
    ("conv2d_transpose_s3", "Conv2DTranspose", {"filters": 4, "kernel_size": 2,
                                                "strides": 3, "padding": "same"},
     [(3, 4, 1)], "float32", "32"),
    ("conv1d_transpose", "Conv1DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2},
     [(20, 2)], "float32", "32"),
    ("maxpool1d", "MaxPooling1D", {"pool_size": 2}, [(21, 3)], "float32", "32"),
    ("avgpool2d_same", "AveragePooling2D", {"pool_size": 3, "strides": 1, "padding": "same"},
     [(8, 9, 2)], "float32", "32"),
    ("maxpool3d", "MaxPooling3D", {"pool_size": 2}, [(4, 6, 6, 2)], "float32", "32"),
    ("gap2d", "GlobalAveragePooling2D", {}, [(8, 9, 2)], "float32", "32"),
    ("gmp1d", "GlobalMaxPooling1D", {}, [(8, 2)], "float32", "32"),
    ("batchnorm", "BatchNormalization", {}, [(8, 9, 2)], "float32", "3"),
    ("batchnorm_axis1_plain", "BatchNormalization", {"axis": 1, "scale": False,
                                                     "center": False}, [(4, 3)],
     "float32", "3"),
    ("layernorm", "LayerNormalization", {}, [(5, 10)], "float32", "3"),
    ("layernorm_plain", "LayerNormalization", {"scale": False, "center": False},
     [(2, 4, 3)], "float32", "3"),
    ("activation_softmax", "Activation", {"activation": "softmax"}, [(4, 5)], "float32", "32"),
    ("activation_hard_sigmoid", "Activation", {"activation": "hard_sigmoid"}, [(10,)],
     "float32", "3"),
    ("relu", "ReLU", {}, [(10,)], "float32", "32"),
    ("relu6", "ReLU", {"max_value": 6.0}, [(10,)], "float32", "32"),
    ("leaky_relu", "ReLU", {"negative_slope": 0.1}, [(10,)], "float32", "32"),
    ("softmax", "Softmax", {}, [(5, 3)], "float32", "32"),
    ("embedding", "Embedding", {"input_dim": 100, "output_dim": 8}, [(5,)], "int32", "3"),
    ("flatten", "Flatten", {}, [(4, 5)], "float32", "32"),
    ("dropout", "Dropout", {"rate": 0.5}, [(10,)], "float32", "32"),
    ("zero_padding2d", "ZeroPadding2D", {}, [(3, 4, 2)], "float32", "32"),
    ("add3", "Add", {}, [(5, 3), (5, 3), (5, 3)], "float32", "32"),
    ("average", "Average", {}, [(5, 3), (5, 3)], "float32", "32"),
    ("maximum", "Maximum", {}, [(5, 3), (5, 3)], "float32", "32"),
    ("concatenate", "Concatenate", {}, [(5, 3), (5, 2)], "float32", "32"),
    ("dot", "Dot", {"axes": 2}, [(5, 3), (4, 3)], "float32", "32"),
    ("attention", "Attention", {}, [(5, 3), (4, 3)], "float32", "32"),
    ("rescaling", "Rescaling", {"scale": 0.5}, [(5, 3)], "float32", "32"),
    ("time_distributed", "TimeDistributed", {"layer": {"class_name": "Dense",
                                                       "config": {"units": 4}}},
     [(5, 3)], "float32", "32"),
    # Recurrent layers unrolled: the profiler then sees every step (one graph per step).
    ("simple_rnn", "SimpleRNN", {"units": 4, "unroll": True}, [(5, 3)], "float32", "32"),
    ("lstm", "LSTM", {"units": 5, "unroll": True, "return_sequences": True}, [(4, 3)],
     "float32", "32"),
    ("gru", "GRU", {"units": 4, "unroll": True}, [(5, 3)], "float32", "32"),
    ("gru_before", "GRU", {"units": 4, "unroll": True, "reset_after": False}, [(5, 3)],
     "float32", "32"),
    ("bidirectional", "Bidirectional", {"layer": _rnn("LSTM", return_sequences=True)},
     [(3, 2)], "float32", "32"),
    ("simple_rnn_no_bias", "SimpleRNN", {"units": 4, "unroll": True, "use_bias": False},
     [(5, 3)], "float32", "32"),
    ("lstm_no_bias_states", "LSTM", {"units": 4, "unroll": True, "use_bias": False,
                                     "return_state": True}, [(5, 3)], "float32", "32"),
    ("gru_no_bias", "GRU", {"units": 4, "unroll": True, "use_bias": False}, [(5, 3)],
     "float32", "32"),
    ("gru_before_no_bias", "GRU", {"units": 4, "unroll": True, "use_bias": False,
                                   "reset_after": False}, [(5, 3)], "float32", "32"),
    ("bidirectional_sum", "Bidirectional", {"layer": _rnn("SimpleRNN"), "merge_mode": "sum"},
     [(5, 3)], "float32", "32"),
    ("bidirectional_mul", "Bidirectional", {"layer": _rnn("GRU"), "merge_mode": "mul"},
     [(4, 3)], "float32", "32"),
    ("bidirectional_ave_seq", "Bidirectional", {
        "layer": _rnn("SimpleRNN", return_sequences=True), "merge_mode": "ave"},
     [(5, 3)], "float32", "32"),
    ("bidirectional_states", "Bidirectional", {"layer": _rnn("LSTM", return_state=True)},
     [(3, 2)], "float32", "32"),
    ("repeat_vector", "RepeatVector", {"n": 3}, [(5,)], "float32", "3"),
    # Dilated depthwise passes count the padded blocks, as a dilated Conv does.
    ("depthwise1d_dil_same", "DepthwiseConv1D", {"kernel_size": 3, "dilation_rate": 2,
                                                 "padding": "same", "depth_multiplier": 2},
     [(9, 3)], "float32", "32"),
    ("depthwise2d_dil", "DepthwiseConv2D", {"kernel_size": (3, 2), "dilation_rate": (2, 3),
                                            "activation": "swish"}, [(9, 10, 2)],
     "float32", "32"),
    ("depthwise2d_dil_cf", "DepthwiseConv2D", {"kernel_size": 3, "dilation_rate": 2,
                                               "data_format": "channels_first"},
     [(2, 9, 8)], "float32", "32"),
    ("separable2d_dil", "SeparableConv2D", {"filters": 4, "kernel_size": 3,
                                            "dilation_rate": 2}, [(9, 8, 2)], "float32", "32"),
    ("separable1d_dil_same", "SeparableConv1D", {"filters": 4, "kernel_size": 3,
                                                 "dilation_rate": 3, "padding": "same",
                                                 "depth_multiplier": 2, "use_bias": False},
     [(13, 2)], "float32", "32"),
    ("conv2d_transpose_dil", "Conv2DTranspose", {"filters": 4, "kernel_size": 3,
                                                 "dilation_rate": 2}, [(5, 4, 2)],
     "float32", "32"),
    ("conv1d_transpose_dil_same", "Conv1DTranspose", {"filters": 4, "kernel_size": 3,
                                                      "dilation_rate": 2, "padding": "same"},
     [(7, 2)], "float32", "32"),
    # tf-keras transposes channels_first to channels_last for a Conv2DTranspose.
    ("tf_keras_conv2d_transpose_cf_s2", "Conv2DTranspose", {
        "filters": 4, "kernel_size": 3, "strides": 2, "data_format": "channels_first"},
     [(2, 5, 4)], "float32", "2"),
    ("tf_keras_conv2d_transpose_dil_same_cf", "Conv2DTranspose", {
        "filters": 4, "kernel_size": 3, "dilation_rate": 2, "padding": "same",
        "data_format": "channels_first"}, [(2, 5, 4)], "float32", "2"),
    # tf-keras's atrous_conv2d_transpose convolves the padded output's rate**2 blocks.
    ("conv2d_transpose_dil3_same", "Conv2DTranspose", {"filters": 4, "kernel_size": 2,
                                                       "dilation_rate": 3, "padding": "same"},
     [(5, 7, 2)], "float32", "32"),
    # tf-keras builds hard_sigmoid otherwise, also in a layer with a tf-keras formula.
    ("conv1d_transpose_hard_sigmoid", "Conv1DTranspose", {"filters": 2, "kernel_size": 3,
                                                          "activation": "hard_sigmoid"},
     [(6, 2)], "float32", "3"),
    ("conv1d_transpose_out_pad", "Conv1DTranspose", {"filters": 4, "kernel_size": 3,
                                                     "strides": 2, "output_padding": 1},
     [(20, 2)], "float32", "32"),
    # ConvLSTM unrolled: every step in the graph.
    ("conv_lstm2d", "ConvLSTM2D", {"filters": 3, "kernel_size": 3, "unroll": True},
     [(3, 6, 7, 2)], "float32", "3"),
    ("conv_lstm1d_seq_same", "ConvLSTM1D", {"filters": 4, "kernel_size": 3, "padding": "same",
                                            "return_sequences": True, "unroll": True},
     [(4, 10, 3)], "float32", "3"),
    ("conv_lstm3d_no_bias", "ConvLSTM3D", {"filters": 2, "kernel_size": 2, "use_bias": False,
                                           "unroll": True}, [(2, 4, 5, 3, 2)], "float32", "3"),
    ("conv_lstm2d_dil_same", "ConvLSTM2D", {"filters": 2, "kernel_size": 3, "padding": "same",
                                            "dilation_rate": 2, "unroll": True},
     [(2, 7, 6, 2)], "float32", "3"),
    ("conv_lstm2d_dil_cf", "ConvLSTM2D", {"filters": 3, "kernel_size": 3, "dilation_rate": 2,
                                          "data_format": "channels_first", "unroll": True},
     [(2, 2, 6, 7)], "float32", "3"),
    ("conv_lstm2d_strides_states", "ConvLSTM2D", {"filters": 3, "kernel_size": 3,
                                                  "strides": 2, "return_state": True,
                                                  "unroll": True}, [(3, 9, 8, 2)],
     "float32", "3"),
]

# tf-keras refuses unroll=True for ConvLSTM: the worker adds the steps its loop runs unseen,
# each profiled as one step of the cell ("cell" in the worker).
TF_KERAS_CELL_CASES = [
    ("tf_keras_conv_lstm2d", "ConvLSTM2D", {"filters": 3, "kernel_size": 3},
     [(3, 6, 7, 2)], "float32", "2"),
    ("tf_keras_conv_lstm1d_sigmoid_seq", "ConvLSTM1D", {
        "filters": 4, "kernel_size": 3, "padding": "same", "recurrent_activation": "sigmoid",
        "return_sequences": True}, [(4, 10, 3)], "float32", "2"),
    ("tf_keras_conv_lstm3d_no_bias", "ConvLSTM3D", {"filters": 2, "kernel_size": 2,
                                                    "use_bias": False},
     [(2, 4, 5, 3, 2)], "float32", "2"),
    ("tf_keras_conv_lstm2d_dil_states", "ConvLSTM2D", {
        "filters": 2, "kernel_size": 3, "padding": "same", "dilation_rate": 2,
        "return_state": True}, [(2, 7, 6, 2)], "float32", "2"),
    ("tf_keras_conv_lstm2d_dil_cf", "ConvLSTM2D", {
        "filters": 3, "kernel_size": 3, "dilation_rate": 2, "data_format": "channels_first"},
     [(2, 2, 6, 7)], "float32", "2"),
    ("tf_keras_conv_lstm2d_strides", "ConvLSTM2D", {"filters": 3, "kernel_size": 3,
                                                    "strides": 2}, [(3, 9, 8, 2)],
     "float32", "2"),
]
CASES += TF_KERAS_CELL_CASES

# Grouped convolutions: Keras runs the convolution in a nested compiled function. The
# profiler's total counts the rest (the bias, the activation); profiled alone, that
# function counts 2 FLOPs per multiply-add.
# Transposed convolutions the profiler counts 0 (Conv3DBackpropInputV2 has no entry in its
# table; Conv2DBackpropInput is counted for channels_last only): FLOPs unknown, MACs known.
# (case, the Keras versions whose graph leaves it uncounted)
UNCOUNTED = [
    (("conv3d_transpose", "Conv3DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2},
      [(3, 4, 5, 2)], "float32", "32"), "32"),
    (("conv3d_transpose_same_swish", "Conv3DTranspose", {
        "filters": 3, "kernel_size": 2, "strides": (1, 2, 2), "padding": "same",
        "activation": "swish"}, [(3, 4, 5, 2)], "float32", "32"), "32"),
    (("conv2d_transpose_cf_s2", "Conv2DTranspose", {
        "filters": 4, "kernel_size": 3, "strides": 2, "data_format": "channels_first"},
      [(2, 5, 4)], "float32", "3"), "3"),
    (("conv1d_transpose_cf", "Conv1DTranspose", {"filters": 4, "kernel_size": 3,
                                                 "data_format": "channels_first"},
      [(2, 5)], "float32", "32"), "32"),
]

GROUPED = [
    ("grouped_conv2d", "Conv2D", {"filters": 4, "kernel_size": 3, "groups": 2}, [(8, 9, 2)]),
    ("grouped_conv1d_swish", "Conv1D", {"filters": 6, "kernel_size": 3, "groups": 3,
                                        "activation": "swish"}, [(10, 6)]),
]


# Whole models: archlint's total against the profiler on the model Keras builds.
APPLICATIONS = [("MobileNetV2", {"input_shape": [96, 96, 3]})]


def _cases(keras: str) -> list[dict[str, Any]]:
    cell = {c[0] for c in TF_KERAS_CELL_CASES}
    cases = [{"id": c[0], "class": c[1], "config": c[2], "inputs": c[3], "dtype": c[4],
              "cell": c[0] in cell} for c in CASES if keras in c[5]]
    cases += [{"id": c[0], "class": c[1], "config": c[2], "inputs": c[3], "nested": True}
              for c in GROUPED]
    cases += [{"id": c[0], "class": c[1], "config": c[2], "inputs": c[3], "dtype": c[4]}
              for c, versions in UNCOUNTED if keras in versions]
    if keras == "3":
        cases += [{"id": name, "class": name, "config": config, "application": True,
                   "inputs": [config["input_shape"]]} for name, config in APPLICATIONS]
    return cases


@pytest.fixture(scope="module")
@needs_keras
def profiles() -> dict[str, dict[str, Any]]:
    """Both Keras versions profile at once, one process each."""
    start = time.monotonic()
    found = profile_layers({keras: _cases(keras) for keras in ("3", "2")})
    print(f"profiled {sum(map(len, found.values()))} layer builds in "
          f"{time.monotonic() - start:.1f} s")
    return found


def _archlint(case: tuple[Any, ...], keras: str) -> Any:
    name, class_name, config, inputs, _, _ = case
    instance = instantiate(class_name, json.loads(json.dumps(config)), name, keras=keras,
                           target=keras)
    shapes = [(None, *shape) for shape in inputs]
    output = infer_layer(instance, shapes).shape
    return layer_cost(instance, shapes, output)


@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_flops_match_the_profiler(case: tuple[Any, ...], keras: str,
                                  profiles: dict[str, dict[str, Any]]) -> None:
    if keras not in case[5]:
        pytest.skip(f"checked with Keras {case[5]} only")
    measured = profiles[keras][case[0]]
    assert "error" not in measured, measured
    cost = _archlint(case, keras)
    assert cost.flops == measured["flops"], (cost, measured)


@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("case,versions", UNCOUNTED, ids=[c[0][0] for c in UNCOUNTED])
def test_a_transposed_convolution_the_profiler_counts_0_is_unknown(
        case: tuple[Any, ...], versions: str, keras: str,
        profiles: dict[str, dict[str, Any]]) -> None:
    if keras not in versions:
        pytest.skip(f"counted with Keras {keras}")
    measured = profiles[keras][case[0]]
    assert "error" not in measured, measured
    cost = _archlint(case, keras)
    assert isinstance(cost.flops, Unknown) and "counts this transposed" in cost.flops.reason
    assert isinstance(cost.macs, int) and measured["flops"] < cost.macs  # the op left out


# Checked on Keras 3 only (ConvLSTM is checked on tf-keras's graph by cases of its own).
KERAS3_ONLY = [c for c in CASES if "2" not in c[5] and not c[1].startswith("ConvLSTM")]


@pytest.mark.parametrize("case", KERAS3_ONLY, ids=[c[0] for c in KERAS3_ONLY])
def test_what_tf_keras_builds_otherwise_is_unknown_for_it(case: tuple[Any, ...]) -> None:
    """tf-keras builds these from other ops than Keras 3 (a fused batch norm, a plain
    gather): the profiler gives other figures, so a tf-keras script's cost is unknown."""
    assert isinstance(_archlint(case, "2").flops, Unknown)


@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("case", GROUPED, ids=[c[0] for c in GROUPED])
def test_the_profiler_does_not_count_a_grouped_convolution(
        case: tuple[Any, ...], keras: str, profiles: dict[str, dict[str, Any]]) -> None:
    """The profiler's total leaves the grouped convolution out (only the nested function's
    own profile has it): archlint's FLOPs stay unknown, its MACs are the nested count's."""
    measured = profiles[keras][case[0]]
    assert "error" not in measured, measured
    cost = _archlint((*case, "float32", keras), keras)
    assert isinstance(cost.flops, Unknown) and "grouped" in cost.flops.reason
    assert measured["nested"] == 2 * cost.macs
    without_groups = (case[0], case[1], {**case[2], "groups": 1}, case[3], "float32", keras)
    conv = 2 * cost.macs * case[2]["groups"]  # the ungrouped convolution's 2 * MACs
    assert measured["flops"] == _archlint(without_groups, keras).flops - conv


@pytest.mark.parametrize("class_name,config,inputs", [
    ("Conv2D", {"filters": 4, "kernel_size": 3, "groups": 2}, [(8, 9, 2)]),
    ("Conv3DTranspose", {"filters": 4, "kernel_size": 3}, [(4, 5, 6, 2)]),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "use_gate": True}, [(5, 6), (5, 6)]),
    ("LSTM", {"units": 4, "activation": "relu"}, [(5, 3)]),
    ("ConvLSTM2D", {"filters": 3, "kernel_size": 3, "recurrent_activation": "hard_sigmoid"},
     [(3, 6, 7, 2)]),
])
def test_unchecked_costs_are_unknown(class_name: str, config: dict[str, Any],
                                     inputs: list[tuple[int, ...]]) -> None:
    instance = instantiate(class_name, config, "x")
    shapes = [(None, *shape) for shape in inputs]
    flops = layer_cost(instance, shapes, infer_layer(instance, shapes).shape).flops
    assert isinstance(flops, Unknown)
    assert "profiler" in flops.reason or "modelled" in flops.reason


def test_symbolic_costs_evaluate_to_the_numbers() -> None:
    """A cost over a variable length or a named size is the same formula: bound to a
    number, it gives the cost computed at that number."""
    T, units = Sym("T"), Sym("units", named=True)
    checked = 0
    for case in CASES:
        if len(case[3]) != 1 or len(case[3][0]) < 2 or "data_format" in case[2] or \
                case[2].get("axis") == 1:
            continue  # the first axis after the batch must be a length
        name, class_name, config, inputs, _, _ = case
        # Keras unrolls only a fixed number of steps; the cost is the same rolled.
        rolled = json.loads(json.dumps(config).replace('"unroll": true', '"unroll": false'))
        keras = "3" if "3" in case[5] else "2"
        instance = instantiate(class_name, rolled, name, keras=keras, target=keras)
        shape = (None, T, *inputs[0][1:])
        output = infer_layer(instance, [shape]).shape
        symbolic = layer_cost(instance, [shape], output).flops
        concrete = _archlint(case, keras).flops
        if isinstance(symbolic, Unknown):
            continue
        assert evaluate_cost(symbolic, {"T": inputs[0][0]}) == concrete, name
        checked += 1
    assert checked >= 25
    dense = instantiate("Dense", {"units": units}, "d")
    cost = layer_cost(dense, [(None, T, 16)], (None, T, units))
    assert str(cost.flops) == "33*T*units" and str(cost.macs) == "16*T*units"


@pytest.mark.parametrize("name,config", APPLICATIONS, ids=[a[0] for a in APPLICATIONS])
def test_application_totals_match_the_profiler(name: str, config: dict[str, Any],
                                               profiles: dict[str, dict[str, Any]]) -> None:
    options = ", ".join(f"{k}={tuple(v) if isinstance(v, list) else v!r}"
                        for k, v in config.items())
    source = f"import keras\nmodel = keras.applications.{name}(weights=None, {options})\n"
    analysis = analyse_source(source).models[-1]
    measured = profiles["3"][name]
    assert "error" not in measured, measured
    assert analysis.cost.flops == measured["flops"]
