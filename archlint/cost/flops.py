"""FLOPs and MACs of one analysed call: the layer's formula for its family, from its
options and its input and output shapes.

Every formula matches TensorFlow's profiler on the graph Keras 3 builds with batch 1 (see
``archlint/cost/base.py`` for the convention, tests/test_cost_keras.py for the check). A
layer, or an option, whose cost has not been checked that way is unknown with the reason,
never guessed. tf-keras builds some layers from other operations (a fused batch norm, an
embedding lookup without index wrapping): for a script that runs under tf-keras only those
are unknown, unless ``TF_KERAS_FORMULAS`` follows tf-keras's graph.

>>> from archlint.layer_eval import instantiate
>>> dense = instantiate("Dense", {"units": 7}, "dense")
>>> layer_cost(dense, [(None, 10)], (None, 7))
CallCost(flops=147, macs=70)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archlint.cost.activations import PER_ELEMENT, activation_flops_per_element
from archlint.cost.attention import ATTENTION_FORMULAS, READS_CALL_OPTIONS, TF_KERAS_ATTENTION
from archlint.cost.base import ZERO, CallCost, NotCosted, elements, unknown_cost
from archlint.cost.conv import (
    conv_cost,
    depthwise_cost,
    global_pooling_cost,
    pooling_cost,
    separable_cost,
    tf_keras_transpose_cost,
    transpose_cost,
)
from archlint.cost.conv_recurrent import conv_lstm_cost, tf_keras_conv_lstm_cost
from archlint.cost.poly import cost_add, cost_mul
from archlint.cost.recurrent import bidirectional_cost, rnn_cost
from archlint.cost.resampling import RESAMPLING_FORMULAS, TF_KERAS_RESAMPLING
from archlint.layer_call import call_config
from archlint.layer_types import LayerInstance, OutputShape, Shape
from archlint.layers.base import ShapeError
from archlint.layers.normalization import resolve_axes
from archlint.rule_helpers import activation_name

Formula = Callable[[dict[str, Any], list[Shape], Shape], CallCost]


def _dense(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    if config.get("lora_rank") or config.get("quantized") is not None:
        raise NotCosted("the cost of a LoRA or quantized Dense is not checked against "
                        "TensorFlow's profiler")
    macs = cost_mul(elements(output), inputs[0][-1])
    per_element = int(bool(config["use_bias"])) + \
        activation_flops_per_element(config.get("activation"))
    return CallCost(cost_add(cost_mul(2, macs), cost_mul(per_element, elements(output))), macs)


def _activation(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    return CallCost(cost_mul(activation_flops_per_element(config.get("activation")),
                             elements(output)), 0)


def _softmax(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    return CallCost(cost_mul(PER_ELEMENT["softmax"], elements(output)), 0)


def _defaults_only(**expected: Any) -> Callable[[Formula], Formula]:
    """A formula checked only with these option values: any other makes the cost unknown."""
    def wrap(formula: Formula) -> Formula:
        def checked(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
            for option, value in expected.items():
                if config.get(option, value) != value:
                    raise NotCosted(f"the cost with {option}={config[option]!r} is not "
                                    "checked against TensorFlow's profiler")
            return formula(config, inputs, output)
        return checked
    return wrap


def _relu(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    """Relu, Relu6 and LeakyRelu have no entry in the profiler's table: 0. Another cap or a
    threshold adds ops (a Minimum, a comparison) not checked."""
    cap, slope = config.get("max_value"), config.get("negative_slope") or 0
    if config.get("threshold") or (cap is not None and (cap != 6 or slope)):
        raise NotCosted("the cost of a ReLU with a threshold, or a cap other than 6, is not "
                        "checked against TensorFlow's profiler")
    return ZERO


def _free(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    return ZERO  # a copy, a reshape or a no-op at inference: no arithmetic op in the graph


@_defaults_only(renorm=False)
def _batch_norm(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    """Inference: ``x * (gamma * rsqrt(var + eps)) + (beta - mean * ...)``; the
    profiler's Rsqrt counts 2 per element."""
    both, neither = config["scale"] and config["center"], not (config["scale"] or
                                                               config["center"])
    if not (both or neither):
        raise NotCosted("the cost of a BatchNormalization with only one of scale and "
                        "center is not checked against TensorFlow's profiler")
    axes = resolve_axes(config["axis"], inputs[0], "BatchNormalization")
    channels = cost_mul(*(inputs[0][a] for a in axes))
    return CallCost(cost_add(cost_mul(2, elements(output)),
                             cost_mul(6 if both else 5, channels)), 0)


@_defaults_only(rms_scaling=False)
def _layer_norm(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    """Moments (two Mean and a SquaredDifference), then the normalization."""
    both, neither = config["scale"] and config["center"], not (config["scale"] or
                                                               config["center"])
    axes = resolve_axes(config["axis"], inputs[0], "LayerNormalization")
    if axes != (len(inputs[0]) - 1,) or not (both or neither):
        raise NotCosted("the cost of a LayerNormalization over other axes than the last, "
                        "or with only one of scale and center, is not checked against "
                        "TensorFlow's profiler")
    rows = cost_mul(*inputs[0][1:-1])
    return CallCost(cost_add(cost_mul(9 if both else 6, elements(output)),
                             cost_mul(4 if both else 5, rows)), 0)


@_defaults_only(mask_zero=False)  # a mask adds a NotEqual, and changes the next layers' ops
def _embedding(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    if config.get("lora_rank") or config.get("quantized") is not None:
        raise NotCosted("the cost of a LoRA or quantized Embedding is not checked against "
                        "TensorFlow's profiler")
    # Keras 3 wraps negative indices (a Less and an AddV2 on each index) before the gather.
    return CallCost(cost_mul(2, elements(inputs[0])), 0)


def _elementwise_merge(per_input: int, extra: int) -> Formula:
    """Add, Subtract, Multiply, Maximum, Minimum (one op per input after the first) and
    Average (the same adds and one division)."""
    def formula(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
        return CallCost(cost_mul(per_input * (len(inputs) - 1) + extra, elements(output)), 0)
    return formula


@_defaults_only(normalize=False)
def _dot(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    axes = config["axes"]
    axis = axes[0] if isinstance(axes, (list, tuple)) else axes
    if len(inputs[0]) != 3 or len(inputs[1]) != 3 or not isinstance(axis, int):
        raise NotCosted("the cost of a Dot of other than two 3D inputs is not checked "
                        "against TensorFlow's profiler")
    macs = cost_mul(elements(output), inputs[0][axis])
    return CallCost(cost_mul(2, macs), 0)


@_defaults_only(use_scale=False, score_mode="dot")
def _attention(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    """Scores (a batched matrix product), their Softmax (5 per score), the weighted sum."""
    if len(inputs) != 2 or any(len(s) != 3 for s in inputs):
        raise NotCosted("the cost of an Attention with a separate key is not checked "
                        "against TensorFlow's profiler")
    query, value = inputs
    scores = cost_mul(query[1], value[1])
    macs = cost_mul(scores, cost_add(query[2], value[2]))
    return CallCost(cost_add(cost_mul(2, macs), cost_mul(5, scores)), macs)


@_defaults_only(offset=0.0)
def _rescaling(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    return CallCost(cost_mul(2, elements(output)), 0)  # x * scale + offset, even offset=0


def _time_distributed(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    inner: LayerInstance = config["layer"]
    if inner.spec.class_name != "Dense":
        raise NotCosted(f"the cost of TimeDistributed({inner.spec.class_name}) is not checked "
                        "against TensorFlow's profiler")
    step = (inputs[0][0], *inputs[0][2:])
    cost = layer_cost(inner, [step], (output[0], *output[2:]))
    steps = inputs[0][1]
    return CallCost(cost_mul(steps, cost.flops), cost_mul(steps, cost.macs))


def _repeat_vector(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    return CallCost(1, 0)  # Keras 3 multiplies two shape scalars (a Mul the profiler counts)


def _tensor_op(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    """An operation on tensors: ``x + y``, ``x - y``, ``x * y`` (one op per output element,
    broadcast or by a number) and ``x[...]`` (a StridedSlice, not in the profiler's table)."""
    per_element = {"operator.add": 1, "operator.sub": 1, "operator.mul": 1,
                   "operator.getitem": 0}.get(str(config.get("op")))
    if per_element is None:
        raise NotCosted(f"the cost of {config.get('op')} is not checked against "
                        "TensorFlow's profiler")
    return CallCost(cost_mul(per_element, elements(output)), 0)


def _conv(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    return conv_cost(config, inputs[0], output)


def _pooling(rank: int) -> Formula:
    return lambda config, inputs, output: pooling_cost(config, inputs[0], output, rank)


def _global(average: bool) -> Formula:
    return lambda config, inputs, output: global_pooling_cost(average, inputs[0])


FORMULAS: dict[str, Formula] = {
    "Dense": _dense, "Activation": _activation, "Softmax": _softmax,
    "ReLU": _relu,
    "LeakyReLU": _free,  # LeakyRelu has no entry in the profiler's table
    "InputLayer": _free, "Flatten": _free, "Reshape": _free, "Permute": _free,
    "Dropout": _free, "SpatialDropout1D": _free, "SpatialDropout2D": _free,
    "SpatialDropout3D": _free, "Identity": _free, "Cropping1D": _free, "Cropping2D": _free,
    "Cropping3D": _free, "ZeroPadding1D": _free, "ZeroPadding2D": _free,
    "ZeroPadding3D": _free, "Concatenate": _free,
    "BatchNormalization": _batch_norm, "LayerNormalization": _layer_norm,
    "Embedding": _embedding,
    "Add": _elementwise_merge(1, 0), "Subtract": _elementwise_merge(1, 0),
    "Multiply": _elementwise_merge(1, 0), "Maximum": _elementwise_merge(1, 0),
    "Minimum": _elementwise_merge(1, 0), "Average": _elementwise_merge(1, 1),
    "Dot": _dot, "Attention": _attention, "Rescaling": _rescaling,
    "TimeDistributed": _time_distributed, "RepeatVector": _repeat_vector,
    "TensorOp": _tensor_op,
    "Conv1D": _conv, "Conv2D": _conv, "Conv3D": _conv,
    "DepthwiseConv1D": lambda c, i, o: depthwise_cost(c, i[0], o),
    "DepthwiseConv2D": lambda c, i, o: depthwise_cost(c, i[0], o),
    "SeparableConv1D": lambda c, i, o: separable_cost(c, i[0], o),
    "SeparableConv2D": lambda c, i, o: separable_cost(c, i[0], o),
    "Conv1DTranspose": lambda c, i, o: transpose_cost(c, i[0], o),
    "Conv2DTranspose": lambda c, i, o: transpose_cost(c, i[0], o),
    "Conv3DTranspose": lambda c, i, o: transpose_cost(c, i[0], o),
    "ConvLSTM1D": conv_lstm_cost, "ConvLSTM2D": conv_lstm_cost, "ConvLSTM3D": conv_lstm_cost,
    "MaxPooling1D": _pooling(1), "MaxPooling2D": _pooling(2), "MaxPooling3D": _pooling(3),
    "AveragePooling1D": _pooling(1), "AveragePooling2D": _pooling(2),
    "AveragePooling3D": _pooling(3),
    "GlobalMaxPooling1D": _global(False), "GlobalMaxPooling2D": _global(False),
    "GlobalMaxPooling3D": _global(False), "GlobalAveragePooling1D": _global(True),
    "GlobalAveragePooling2D": _global(True), "GlobalAveragePooling3D": _global(True),
    "SimpleRNN": rnn_cost("SimpleRNN"), "LSTM": rnn_cost("LSTM"), "GRU": rnn_cost("GRU"),
    "Bidirectional": lambda c, i, o: bidirectional_cost(c, i, o, layer_cost),
}
FORMULAS.update({**ATTENTION_FORMULAS, **RESAMPLING_FORMULAS})
# tf-keras's own figures, for a script that runs under tf-keras only.
TF_KERAS_FORMULAS: dict[str, Formula] = {**TF_KERAS_ATTENTION, **TF_KERAS_RESAMPLING}

# Built from other operations by tf-keras (FusedBatchNormV3, a plain gather): checked on
# Keras 3's graph only.
KERAS3_GRAPH_ONLY = frozenset({"BatchNormalization", "LayerNormalization", "Embedding",
                               "RepeatVector"})
# Built from other operations by tf-keras, with a formula of tf-keras's graph.
TF_KERAS_FORMULAS.update({
    "ConvLSTM1D": tf_keras_conv_lstm_cost, "ConvLSTM2D": tf_keras_conv_lstm_cost,
    "ConvLSTM3D": tf_keras_conv_lstm_cost,
    "Conv1DTranspose": lambda c, i, o: tf_keras_transpose_cost(c, i[0], o),
    "Conv2DTranspose": lambda c, i, o: tf_keras_transpose_cost(c, i[0], o),
    "Conv3DTranspose": lambda c, i, o: tf_keras_transpose_cost(c, i[0], o)})
# Layers whose cost does not depend on their outputs: any number of them (return_state,
# return_attention_scores).
_SEVERAL_OUTPUTS = frozenset({"SimpleRNN", "LSTM", "GRU", "Bidirectional", "ConvLSTM1D",
                              "ConvLSTM2D", "ConvLSTM3D", *READS_CALL_OPTIONS})
# Activations tf-keras computes otherwise (or not at all), or not checked with it.
KERAS3_ACTIVATIONS = frozenset({"hard_sigmoid", "hard_swish", "hard_silu", "mish"})


def keras3_graph_only(instance: LayerInstance) -> str | None:
    """What of the layer tf-keras builds from other operations than Keras 3 (the layer's
    class, or its activation), or None: its FLOPs hold for Keras 3's graph only."""
    if instance.spec.class_name in KERAS3_GRAPH_ONLY:
        return instance.spec.class_name
    activation = activation_name(instance.config.get("activation"))
    return f"activation {activation!r}" if activation in KERAS3_ACTIVATIONS else None


def other_graph(instance: LayerInstance, keras: str) -> str | None:
    """What of the layer the given Keras ("3" or "2") builds otherwise than the graph the
    layer's FLOPs follow (its script's Keras), or None: a profile there is no check."""
    name = instance.spec.class_name
    if (keras == "2") == (instance.target == "2"):
        return None
    if name in TF_KERAS_FORMULAS:
        return name
    return keras3_graph_only(instance) if keras == "2" else None


def layer_cost(instance: LayerInstance, inputs: list[Shape], output: OutputShape,
               options: dict[str, Any] | None = None) -> CallCost:
    """FLOPs and MACs of one call of the layer, for one sample."""
    name = instance.spec.class_name
    if instance.unresolved is not None:
        return unknown_cost(instance.unresolved.reason, instance.unresolved.line)
    formula = FORMULAS.get(name)
    if instance.target == "2":
        formula = TF_KERAS_FORMULAS.get(name, formula)
    if formula is None:
        return unknown_cost(f"the cost of {name} is not modelled")
    differs = keras3_graph_only(instance)
    if instance.target == "2" and differs:  # its class, or an activation of its own
        return unknown_cost(f"tf-keras builds {differs} from other operations than Keras 3; "
                            "its cost is checked on Keras 3's graph only")
    config = instance.config
    if name in READS_CALL_OPTIONS:  # its formula reads the call's options
        config, options = call_config(instance, options), None
    if options and any(value not in (None, False) for value in options.values()):
        return unknown_cost(f"the cost of {name} called with "
                            f"{', '.join(sorted(options))} is not checked against "
                            "TensorFlow's profiler")
    if isinstance(output, list) and name in _SEVERAL_OUTPUTS and output:
        output = output[0]  # the sequence or last output; the states cost nothing more
    if not isinstance(output, tuple):
        return unknown_cost(f"the cost of {name} with several outputs is not modelled")
    try:
        return formula(config, inputs, output)
    except NotCosted as not_costed:
        return unknown_cost(not_costed.reason)
    except (ShapeError, ArithmeticError, TypeError, ValueError, KeyError, IndexError) as error:
        return unknown_cost(f"archlint cannot compute the cost of {name}: {error}")
