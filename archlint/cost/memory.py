"""Memory of a model: its weights in bytes by dtype, the activations one sample leaves, and
an estimate for training on a batch.

What is counted:

* **weights**: every weight ``model.summary()`` counts, each in its stored dtype: float
  weights in the policy's variable dtype (float32 under ``mixed_float16``), a quantized
  kernel's integers in one byte each (int4 packs two values in a byte), its scales in the
  float dtype. The sum of ``w.numpy().nbytes`` over ``model.weights``.
* **activations**: the output of every layer call for one sample (the batch axis left
  out), in the dtype the layer outputs: its compute dtype (float16 under
  ``mixed_float16``). The model's inputs are not counted. This is what the forward pass
  hands from layer to layer, a measure of what backpropagation keeps; a layer's internal
  temporaries (an LSTM's gates) are not in it.
* **training**: weights, one gradient per trainable weight (its dtype), the compiled
  optimizer's slots and scalars, and the activations times the batch size ``B``.

Every figure is a dimension (``archlint.dims``): an int, an expression over the input
lengths and named sizes (``T``, ``units``), or Unknown with the reason, never a guess.
"""

from __future__ import annotations

from typing import Any

from archlint.cost.dtypes import BYTES, FLOATS, compute_dtype, layer_policy, variable_dtype
from archlint.cost.optimizer import OptimizerState, optimizer_state
from archlint.dims import MAX_INT_BITS, Dim, Expr, NonLinear, Sym, dim_mul, format_dim
from archlint.engine import layer_params, weight_sharers
from archlint.graph import Call, Layer, Model
from archlint.layer_types import LayerInstance, Params
from archlint.layers.quantization import FLOAT8_STATE, Quantization
from archlint.records import record
from archlint.unknown import Unknown

# Classes whose outputs are integers or strings depending on their options.
_VARYING_OUTPUT = frozenset({
    "StringLookup", "IntegerLookup", "TextVectorization", "Hashing", "HashedCrossing",
    "Discretization", "CategoryCrossing",
})
# Classes that turn integer inputs into floats in their compute dtype.
_FLOAT_FROM_INTEGERS = frozenset({"Embedding", "ReversibleEmbedding"})
# Tensor operations whose result is not the dtype of their input.
_OTHER_DTYPE_OPS = ("arg", "cast", "equal", "greater", "less", "shape", "where", "logical",
                    "one_hot", "top_k", "round", "astype", "isnan", "isinf", "not")
BATCH = Sym("B")
# Non-trainable int64 weights of a layer, among its counted ones (Normalization's count).
_INT64_WEIGHTS = {"Normalization": 1}


@record(frozen=True)
class WeightBytes:
    trainable: Dim
    non_trainable: Dim
    # Trainable float8 scaling state, which Keras overwrites with its gradient: no
    # optimizer slots.
    unslotted: Dim = 0

    @property
    def total(self) -> Dim:
        return add(self.trainable, self.non_trainable)


@record
class MemoryEstimate:
    """A model's memory. ``batch_size`` None: training is symbolic in ``B``."""

    weights: WeightBytes | Unknown
    activations: Dim  # per sample
    optimizer: OptimizerState | Unknown
    batch_size: int | None = None

    @property
    def fixed(self) -> Dim:
        """What training holds whatever the batch: weights, gradients, optimizer state."""
        if isinstance(self.weights, Unknown):
            return self.weights
        if isinstance(self.optimizer, Unknown):
            return self.optimizer
        gradients = self.weights.trainable
        slots = dim_mul(self.optimizer.slots, add(gradients, _negative(self.weights.unslotted)))
        return add(self.weights.total, gradients, slots, self.optimizer.scalar_bytes)

    @property
    def training(self) -> Dim:
        """The training estimate; with no batch size, an expression in ``B`` where the
        activations are a number (see ``training_text`` for the others)."""
        fixed = self.fixed
        batch: int | Expr = self.batch_size if self.batch_size is not None else BATCH
        return add(fixed, dim_mul(batch, self.activations))

    def training_text(self) -> str:
        """The training estimate as printed: ``4,210,212 + B*1,920 B``, or its reason."""
        total = self.training
        if isinstance(total, Unknown):
            return f"unknown ({total.reason})"
        if self.batch_size is not None and total is not None:
            return bytes_text(total)
        fixed, per_sample = self.fixed, self.activations
        if isinstance(per_sample, Expr):
            return f"{_number(fixed)} + B*({per_sample}) B"
        return f"{_number(fixed)} + B*{_number(per_sample)} B"


def _number(count: Dim) -> str:
    return f"{count:,}" if isinstance(count, int) else f"({count})" if isinstance(
        count, Expr) else "?"


def _negative(count: Dim) -> Dim:
    return -count if isinstance(count, (int, Expr)) else count


def add(*parts: Dim) -> Dim:
    """A sum of byte counts: unknown when one is (the first reason), None when one is."""
    total: Dim = 0
    for part in parts:
        if isinstance(part, Unknown):
            return part
        if part is None or total is None:
            total = None
            continue
        assert not isinstance(total, Unknown)
        try:
            total = bounded(total + part)
        except (ArithmeticError, NonLinear) as error:
            return Unknown(f"archlint cannot add these sizes: {error}")
    return total


def bounded(count: Dim) -> Dim:
    """A byte count, or unknown when it is past any real model's (too long to print)."""
    if isinstance(count, int) and count.bit_length() > MAX_INT_BITS:
        return Unknown(f"a size over {MAX_INT_BITS} bits, which no real model has")
    return count


def layer_weight_bytes(layer: Layer, model: Model) -> WeightBytes | Unknown:
    """The bytes of the layer's weights in this model (trainable or not as it counts
    them), in the dtypes Keras stores them."""
    params = layer_params(layer, model)
    if params is None:
        return Unknown(f"the weights of '{layer.name}' are unknown")
    call = next((c for c in layer.calls if c.inbound), None)
    shape = call.inbound[0].call.output_at(call.inbound[0].index) if call else None
    try:
        found = weight_bytes(layer.instance, params, shape, layer_policy(layer))
    except ArithmeticError as error:
        return Unknown(f"archlint cannot count the bytes of '{layer.name}': {error}")
    if isinstance(found, WeightBytes):
        for part in (found.trainable, found.non_trainable):
            checked = bounded(part)
            if isinstance(checked, Unknown):
                return checked
    return found


def weight_bytes(instance: LayerInstance | None, params: Params, input_shape: Any,
                 policy: Any) -> WeightBytes | Unknown:
    """The bytes of a layer's weights counted ``params``, under its dtype ``policy``
    (``input_shape``: of its first call, which a quantized Dense's kernel is made for)."""
    if params.total == 0:
        return WeightBytes(0, 0)
    dtype = variable_dtype(policy)
    if isinstance(dtype, Unknown):
        return dtype
    size = BYTES[dtype]
    quantized = instance.config.get("quantized") if instance is not None else None
    if not isinstance(quantized, Quantization):
        counters = _INT64_WEIGHTS.get(instance.class_name, 0) if instance is not None and \
            params.non_trainable else 0
        return WeightBytes(params.trainable * size,
                           params.non_trainable * size + counters * (BYTES["int64"] - size))
    assert instance is not None
    integers = _integer_values(instance, quantized, input_shape)
    if isinstance(integers, Unknown):
        return integers
    # Quantized integers are never trainable; the float scales, bias and LoRA factors are.
    total = integers + (params.total - integers) * size
    trainable = params.trainable * size
    scaling = FLOAT8_STATE * size if quantized.mode == "float8" and params.trainable else 0
    return WeightBytes(trainable, total - trainable, scaling)


def _integer_values(instance: LayerInstance, quantized: Quantization,
                    shape: Any) -> int | Expr | Unknown:
    """How many one-byte values a quantized kernel stores: the int8 kernel, or the packed
    int4 one with its zero points (per block of ``block_size``)."""
    if quantized.mode == "float8":
        return 0  # float8 keeps the float kernel and float scaling state
    config = instance.config
    if instance.class_name == "Dense":
        if not isinstance(shape, tuple) or not isinstance(shape[-1], int):
            return Unknown(f"the input width of '{instance.name}' is unknown")
        kept, reduced, pack_kept = config["units"], shape[-1], True
    elif instance.class_name == "Embedding":
        kept, reduced, pack_kept = config["input_dim"], config["output_dim"], False
    else:
        return Unknown(f"the quantized weights of {instance.class_name} are not modelled")
    if not isinstance(kept, int) or not isinstance(reduced, int):
        return Unknown(f"the quantized kernel of '{instance.name}' has a named size")
    if quantized.mode == "int8":
        return kept * reduced
    packed = reduced * ((kept + 1) // 2) if pack_kept else kept * ((reduced + 1) // 2)
    if quantized.block_size is None:
        return packed
    return packed + kept * -(-reduced // quantized.block_size)  # and a zero point per group


def model_weight_bytes(model: Model) -> WeightBytes | Unknown:
    trainable: Dim = 0
    non_trainable: Dim = 0
    unslotted: Dim = 0
    shared = weight_sharers(model.layers)
    for layer in model.layers:
        if id(layer) in shared:
            continue  # an RNN's cell counted with the RNN it shares it with
        found = layer_weight_bytes(layer, model)
        if isinstance(found, Unknown):
            return found
        trainable = add(trainable, found.trainable)
        non_trainable = add(non_trainable, found.non_trainable)
        unslotted = add(unslotted, found.unslotted)
    return WeightBytes(trainable, non_trainable, unslotted)


def output_dtypes(model: Model) -> dict[int, str | Unknown]:
    """The dtype of each call's outputs (by call id), inputs first."""
    found: dict[int, str | Unknown] = {}
    for call in model.calls:
        found[id(call)] = _output_dtype(call, [found.get(id(r.call), _unknown_source(r.call))
                                               for r in call.inbound])
    return found


def _unknown_source(call: Call) -> Unknown:
    return Unknown(f"the dtype of '{call.layer.name}' is unknown")


def _output_dtype(call: Call, inputs: list[str | Unknown]) -> str | Unknown:
    layer = call.layer
    if layer.class_name == "InputLayer":
        given = layer.instance.config.get("dtype") if layer.instance is not None else None
        name = "float32" if given is None else given
        return name if name in BYTES else Unknown(f"an input of dtype {name!r}")
    for dtype in inputs:
        if isinstance(dtype, Unknown):
            return dtype
    names = [dtype for dtype in inputs if isinstance(dtype, str)]
    if layer.class_name == "TensorOp":
        if len(set(names)) != 1 or any(word in layer.name for word in _OTHER_DTYPE_OPS):
            return Unknown(f"the dtype of the operation `{layer.name}` is not modelled")
        return names[0]
    if layer.class_name in _VARYING_OUTPUT or layer.instance is None:
        return Unknown(f"the output dtype of {layer.class_name} '{layer.name}' is not "
                       "modelled")
    if layer.class_name not in _FLOAT_FROM_INTEGERS and any(
            dtype not in FLOATS for dtype in names):
        return Unknown(f"the output dtype of {layer.class_name} '{layer.name}' on "
                       f"{', '.join(sorted(set(names)))} inputs is not modelled")
    return compute_dtype(layer_policy(layer))


def call_activation_bytes(call: Call, dtype: str | Unknown) -> Dim:
    """The bytes of one call's outputs for one sample."""
    if isinstance(dtype, Unknown):
        return dtype
    try:
        return _output_bytes(call, dtype)
    except ArithmeticError as error:
        return Unknown(f"archlint cannot count the outputs of '{call.layer.name}': {error}")


def _output_bytes(call: Call, dtype: str) -> Dim:
    shapes = call.output if isinstance(call.output, list) else [call.output]
    total: Dim = 0
    for shape in shapes:
        if not isinstance(shape, tuple):
            return shape if isinstance(shape, Unknown) else Unknown(
                f"the output of '{call.layer.name}' is unknown")
        size: Dim = BYTES[dtype]
        for dim in shape[1:]:
            size = bounded(dim_mul(size, dim))
        if size is None:
            return Unknown(f"the output {format_dim_shape(shape)} of '{call.layer.name}' has "
                           "a size Keras leaves undefined, or a product of two lengths")
        total = add(total, size)
    return total


def format_dim_shape(shape: tuple[Dim, ...]) -> str:
    return "(" + ", ".join(format_dim(d) for d in shape) + ")"


def activation_bytes(model: Model) -> dict[int, Dim]:
    """Each call's activation bytes per sample (by call id); inputs are not counted."""
    dtypes = output_dtypes(model)
    return {id(call): call_activation_bytes(call, dtypes[id(call)]) for call in model.calls
            if call.layer.class_name != "InputLayer"}


def model_memory(model: Model, batch_size: int | None = None,
                 keras: str = "3") -> MemoryEstimate:
    """The memory estimate of an analysed model (``keras``: the version the script runs
    under, "3", "2" or "both", which decides the optimizer's variables)."""
    if model.unresolved:  # layers the graph does not hold would count too: no sum is right
        missing = Unknown(f"the model's graph is incomplete: {model.unresolved[0].reason}",
                          model.unresolved[0].line)
        return MemoryEstimate(missing, missing, optimizer_state(model.compile, keras, set()),
                              batch_size)
    per_call = activation_bytes(model)
    activations = add(*per_call.values())
    weights = model_weight_bytes(model)
    policies = {str(layer_policy(layer)) for layer in model.layers}
    return MemoryEstimate(weights, activations,
                          optimizer_state(model.compile, keras, policies), batch_size)


def bytes_text(count: Dim) -> str:
    """A byte count as reports print it: ``1,234,567 B (1.2 MiB)``, or its expression.

    >>> bytes_text(512), bytes_text(3 * 2**20), bytes_text(Sym("T") * 96)
    ('512 B', '3,145,728 B (3.0 MiB)', '96*T B')
    """
    if isinstance(count, Unknown):
        return f"unknown ({count.reason})"
    if count is None:
        return "undefined"
    if isinstance(count, Expr):
        return f"{count} B"
    if count.bit_length() > 1000:  # past what a float holds: no unit
        return f"{count:,} B"
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count:,} B ({count / scale:.1f} {unit})"
    return f"{count:,} B"
