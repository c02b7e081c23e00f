"""FLOPs and MACs of EinsumDense, MultiHeadAttention and GroupQueryAttention, as
TensorFlow's profiler counts the ops Keras 3 builds for them (checked by
tests/test_cost_keras_attention.py).

Keras 3's ``ops.einsum`` runs a few equations as a MatMul or BatchMatMul (the profiler
counts ``2`` per multiply-add), every other one as an Einsum op, which the profiler has no
entry for (it counts 0). Which equations, after their letters are renamed in order of
appearance (``btd,dk->btk`` is ``abc,cd->abd``) and with every axis known (as the profile
is traced, batch 1 and fixed lengths), is ``MATMUL_EQUATIONS``:

* EinsumDense: ``2 * MACs`` for those, plus one FLOP per output element for the bias
  (whatever ``bias_axes``: it is broadcast to the output) and the activation. Its other
  equations (an ellipsis, an output in another order) leave the kernel's product uncounted:
  their FLOPs are unknown here, their MACs known, as for a grouped convolution.
* MultiHeadAttention, on ``(batch, T, features)`` inputs: the four projections are
  EinsumDense with MatMul equations (a bias each), and the scores are softmaxed (5 per
  score). Without ``return_attention_scores`` and without dropout, Keras 3 computes the
  attention in ``ops.dot_product_attention``: its two products (scores, weighted sum) are
  Einsum ops, which the profiler counts 0: a FLOPs figure there would leave out the
  attention's products or be one the profiler cannot check, so it is unknown (the MACs
  count them). With
  ``return_attention_scores=True`` or a dropout, Keras 3 scales the query instead (one Mul
  per projected element) and runs both products as BatchMatMul, counted; a causal mask then
  adds a GreaterEqual per (query step, key step). A Keras mask from an earlier layer
  (``mask_zero``) adds no op the profiler counts.
* GroupQueryAttention: the same, with ``num_key_value_heads`` heads for the key and value,
  and two Mul of shape scalars (the ``ops.repeat`` of the key and value heads).

tf-keras runs every projection and product as an Einsum op: the profiler would count the
biases, the scaling and the softmax only. Its FLOPs are unknown here; the MACs are the same.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from archlint.cost.activations import activation_flops_per_element
from archlint.cost.base import CallCost, NotCosted, elements
from archlint.cost.poly import Cost, cost_add, cost_mul
from archlint.dims import Dim
from archlint.layer_types import Shape
from archlint.layers.einsum_dense import parse_equation, plan
from archlint.unknown import Unknown

Formula = Callable[[dict[str, Any], list[Shape], Shape], CallCost]

# The equations Keras 3's TensorFlow backend runs as a MatMul (an input and a kernel
# without a batch axis), letters renamed in order of appearance.
MATMUL_EQUATIONS = frozenset({
    "ab,bc->ac", "ab,cb->ac", "abc,cd->abd", "abc,dc->abd", "abc,cde->abde",
    "abc,dce->abde", "abc,dec->abde", "abcd,cde->abe", "abcd,ced->abe", "abcd,ecd->abe",
})

_EINSUM_OP = ("runs its kernel's product as an Einsum op, which TensorFlow's profiler has "
              "no entry for (it would count 0)")
_TF_KERAS = ("tf-keras runs its projections and products as Einsum ops, which TensorFlow's "
             "profiler has no entry for (it would count only the biases and the softmax)")


def renamed_equation(equation: str) -> str:
    """The equation as Keras 3's backend compares it: letters renamed in order of
    appearance.

    >>> renamed_equation("btd,dnh->btnh")
    'abc,cde->abde'
    """
    mapping: dict[str, str] = {}
    for char in equation:
        if char in string.ascii_letters and char not in mapping:
            mapping[char] = string.ascii_letters[len(mapping)]
    return "".join(mapping.get(char, char) for char in equation)


def einsum_macs(config: dict[str, Any], source: Shape) -> Cost:
    """The multiply-adds of an EinsumDense: the product of the sizes of every letter of
    its equation and every elided axis, the batch axis left out.

    >>> einsum_macs({"equation": "abc,cde->abde", "output_shape": (None, 2, 4),
    ...              "bias_axes": None}, (None, 5, 6))
    240
    """
    equation = parse_equation(config["equation"])
    shapes = plan(config, source)
    sizes: dict[str, Dim] = {}
    elided = len(source) - len(equation.inputs)
    offset = elided if equation.ellipsis == "left" else 0
    for index, letter in enumerate(equation.inputs):
        sizes[letter] = source[index + offset]
    for letter, dim in zip(equation.kernel, shapes.kernel):
        sizes.setdefault(letter, dim)
    if equation.ellipsis == "left":
        batch, rest = source[0], [*source[1:elided], *sizes.values()]
    else:
        batch = sizes.pop(equation.inputs[0])
        rest = [*sizes.values(), *source[len(source) - elided:]]
    del batch  # one sample: the batch axis does not count
    return cost_mul(*rest)


def _epilogue(config: dict[str, Any], output: Shape, bias: bool) -> Cost:
    per_element = int(bias) + activation_flops_per_element(config.get("activation"))
    return cost_mul(per_element, elements(output))


def einsum_dense_cost(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
    """EinsumDense on Keras 3's graph.

    >>> einsum_dense_cost({"equation": "btd,dk->btk", "output_shape": (None, 8),
    ...                    "bias_axes": "k", "activation": None}, [(None, 5, 6)], (None, 5, 8))
    CallCost(flops=520, macs=240)
    """
    if config.get("lora_rank") or config.get("quantized") is not None:
        raise NotCosted("the cost of a LoRA or quantized EinsumDense is not checked against "
                        "TensorFlow's profiler")
    macs = einsum_macs(config, inputs[0])
    if renamed_equation(config["equation"]) not in MATMUL_EQUATIONS:
        reason = f"EinsumDense equation={config['equation']!r} {_EINSUM_OP}"
        return CallCost(Unknown(reason), macs)
    epilogue = _epilogue(config, output, config.get("bias_axes") is not None)
    return CallCost(cost_add(cost_mul(2, macs), epilogue), macs)


def _tf_keras_einsum_dense(config: dict[str, Any], inputs: list[Shape], output: Shape
                           ) -> CallCost:
    return CallCost(Unknown(_TF_KERAS), einsum_macs(config, inputs[0]))


def _unchecked(config: dict[str, Any], name: str) -> None:
    """Options whose graphs are not checked: a gate, a sliding window, flash attention."""
    for option in ("use_gate", "sliding_window", "flash_attention"):
        if config.get(option):
            raise NotCosted(f"the cost of a {name} with {option}={config[option]!r} is not "
                            "checked against TensorFlow's profiler")


def _attention(config: dict[str, Any], inputs: list[Shape], output: Shape, name: str,
               heads: tuple[Dim, Dim], sizes: tuple[Dim, Dim]) -> tuple[Cost, Cost]:
    """FLOPs and MACs of one attention call on rank-3 inputs, with ``heads`` (query,
    key and value) and ``sizes`` (key, value) per head."""
    _unchecked(config, name)
    if any(len(shape) != 3 for shape in inputs):
        raise NotCosted(f"the cost of a {name} on inputs of another rank than 3 is not "
                        "checked against TensorFlow's profiler (Keras 3 runs its "
                        "projections as Einsum ops, which the profiler counts 0)")
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) > 2 else value
    (q_heads, kv_heads), (key_size, value_size) = heads, sizes
    steps, kv_steps, features = query[1], value[1], output[-1]
    projections = cost_add(cost_mul(steps, query[-1], q_heads, key_size),
                           cost_mul(kv_steps, key[-1], kv_heads, key_size),
                           cost_mul(kv_steps, value[-1], kv_heads, value_size),
                           cost_mul(steps, q_heads, value_size, features))
    scores = cost_mul(q_heads, steps, kv_steps)
    products = cost_mul(scores, cost_add(key_size, value_size))
    flops = cost_add(cost_mul(2, projections), cost_mul(5, scores))  # the softmax
    if config.get("use_bias", True):
        flops = cost_add(flops, cost_mul(steps, q_heads, key_size),
                         cost_mul(kv_steps, kv_heads, key_size),
                         cost_mul(kv_steps, kv_heads, value_size), cost_mul(steps, features))
    if config.get("return_attention_scores") or config.get("dropout", 0.0) > 0:
        # Scores kept: the query scaled, both products as BatchMatMul.
        flops = cost_add(flops, cost_mul(steps, q_heads, key_size), cost_mul(2, products))
        if config.get("use_causal_mask"):
            flops = cost_add(flops, cost_mul(steps, kv_steps))
    else:  # ops.dot_product_attention: the products are Einsum ops, counted 0
        flops = Unknown(f"Keras 3 runs a {name}'s two attention products (scores, weighted "
                        "sum) as Einsum ops in ops.dot_product_attention, used unless the "
                        "scores are returned or a dropout is set; TensorFlow's profiler "
                        "counts them 0, so their FLOPs cannot be checked (the MACs count "
                        "them)")
    return flops, cost_add(projections, products)


def multi_head_attention_cost(config: dict[str, Any], inputs: list[Shape], output: Shape
                              ) -> CallCost:
    """MultiHeadAttention on Keras 3's graph (the call's options in ``config``).

    >>> config = {"num_heads": 2, "key_dim": 4, "value_dim": 4, "output_shape": None,
    ...           "return_attention_scores": True}
    >>> multi_head_attention_cost(config, [(None, 5, 6), (None, 7, 6)], (None, 5, 6))
    CallCost(flops=3996, macs=1712)
    """
    shape = config.get("output_shape")
    if isinstance(shape, (list, tuple)) and len(shape) > 1:
        raise NotCosted(f"a MultiHeadAttention with output_shape={shape!r} runs its output "
                        "projection as an Einsum op, which TensorFlow's profiler has no "
                        "entry for (it would count 0)")
    flops, macs = _attention(config, inputs, output, "MultiHeadAttention",
                             (config["num_heads"], config["num_heads"]),
                             (config["key_dim"], config["value_dim"]))
    return CallCost(flops, macs)


def group_query_attention_cost(config: dict[str, Any], inputs: list[Shape], output: Shape
                               ) -> CallCost:
    """GroupQueryAttention (Keras 3 only): the repeat of the key and value heads adds two
    Mul of shape scalars."""
    size = config["head_dim"]
    flops, macs = _attention(config, inputs, output, "GroupQueryAttention",
                             (config["num_query_heads"], config["num_key_value_heads"]),
                             (size, size))
    return CallCost(cost_add(flops, 2), macs)


def _tf_keras_attention(config: dict[str, Any], inputs: list[Shape], output: Shape
                        ) -> CallCost:
    cost = multi_head_attention_cost(config, inputs, output)
    return CallCost(Unknown(_TF_KERAS), cost.macs)


# Keras 3's graphs.
ATTENTION_FORMULAS: dict[str, Formula] = {
    "EinsumDense": einsum_dense_cost, "MultiHeadAttention": multi_head_attention_cost,
    "GroupQueryAttention": group_query_attention_cost,
}

# tf-keras's graphs (it has no GroupQueryAttention).
TF_KERAS_ATTENTION: dict[str, Formula] = {
    "EinsumDense": _tf_keras_einsum_dense, "MultiHeadAttention": _tf_keras_attention,
}

# The call's options (return_attention_scores, use_causal_mask) change these graphs: the
# formulas read them from the config.
READS_CALL_OPTIONS = frozenset({"MultiHeadAttention", "GroupQueryAttention"})
