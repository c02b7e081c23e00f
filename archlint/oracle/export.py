"""archlint's graph of a model as an oracle request (see ``archlint.oracle.build``).

The graph is rebuilt in Keras from archlint's own reading of the script, never by running
the script, so a comparison measures the engine. Only archlint's layer classes and plain
option values are exported (``archlint.oracle.allowed``): a model with any other option
value is refused here, before TensorFlow is imported, naming the option and its line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from archlint.dims import Expr, evaluate
from archlint.graph import Model
from archlint.layers.base import LayerInstance
from archlint.oracle.allowed import RequestRefused, check_graph, check_layer

# Options that exist only inside archlint.
_INTERNAL = frozenset({"symbols", "named_sizes", "quantized"})


class UnsafeOption(ValueError):
    """An option value the oracle will not pass to Keras; the message names it and its line."""


def _plain(value: Any, values: Mapping[str, int]) -> Any:
    """A JSON value for Keras's constructor, or ``...`` when there is none; a named size
    is bound to its value in ``values``."""
    if isinstance(value, LayerInstance):
        return instance_config(value, values)
    if isinstance(value, Expr):
        return _bind(value, values)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [_plain(v, values) for v in value]
        return ... if any(i is ... for i in items) else items
    if isinstance(value, dict):
        entries = {str(k): _plain(v, values) for k, v in value.items()}
        return ... if any(i is ... for i in entries.values()) else entries
    return ...


def instance_config(instance: LayerInstance,
                    values: Mapping[str, int] | None = None) -> dict[str, Any]:
    config = {}
    for key in sorted(instance.explicit):
        if key in _INTERNAL or key not in instance.config:
            continue
        value = _plain(instance.config[key], values or {})
        if value is not ...:
            config[key] = value
    quantized = instance.config.get("quantized")
    if quantized is not None and "dtype" not in config:
        # model.quantize(mode) in the script: the policy Keras gives the layer.
        block = f"/{quantized.block_size}" if quantized.block_size else ""
        config["dtype"] = f"{quantized.mode}{block}_from_float32"
    return {"class_name": instance.class_name, "config": config}


def pseudo_layer(instance: LayerInstance, values: Mapping[str, int] | None
                 ) -> dict[str, Any] | None:
    """A tensor operation or a user-defined layer's node as the oracle rebuilds them: the
    operation by its name in archlint's table, with its arguments (tensors and weights as
    markers); the layer as its weights' shapes, passing its inputs on. None for a layer."""
    bound = values or {}
    if instance.class_name == "TensorOp":
        config = instance.config
        return {"class_name": "TensorOp", "config": {
            "op": config["op"], "args": encode_argument(config["args"], bound),
            "kwargs": encode_argument(config["kwargs"], bound)}}
    if instance.class_name == "UserLayer":
        weights = [[[_bind(d, bound) for d in w.shape], bool(w.trainable)]
                   for w in instance.config.get("weights", ())]
        return {"class_name": "UserLayer", "config": {
            "weights": weights, "several": bool(instance.config.get("several"))}}
    return None


def encode_argument(value: Any, values: Mapping[str, int]) -> Any:
    """An operation's argument as JSON: tensors, weights, slices, Ellipsis and tuples as
    one-key markers (``{"__slot__": 0}``); refused when it is anything else."""
    kind = type(value).__name__
    if kind == "_Slot":
        return {"__slot__": value.index}
    if kind == "_Constant":
        return {"__constant__": [_bind(d, values) for d in value.shape]}
    if kind == "_Number":
        return value.value
    if isinstance(value, slice):
        return {"__slice__": [encode_argument(v, values)
                              for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, Expr):
        return _bind(value, values)
    if isinstance(value, tuple):
        return {"__tuple__": [encode_argument(v, values) for v in value]}
    if isinstance(value, list):
        return [encode_argument(v, values) for v in value]
    if isinstance(value, dict):
        return {str(k): encode_argument(v, values) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"an operation's argument {value!r} cannot be rebuilt")


def model_request(model: Model, graph_id: str, lengths: tuple[int, ...] = (),
                  values: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The oracle request for a model whose calls the engine has already ordered.

    ``lengths`` are values bound to every variable axis in turn for forward passes; a model
    without variable axes gets one forward pass at its declared shape. ``values`` binds
    the named sizes (``args.window``), which Keras must see as numbers.
    """
    input_ids = {id(ref.call) for ref in model.inputs}
    inputs: list[dict[str, Any]] = []
    layers: dict[str, Any] = {}
    calls: list[dict[str, Any]] = []
    keys = layer_keys(model)
    for call in model.calls:
        layer = call.layer
        instance = layer.instance
        if instance is None:
            raise ValueError(f"layer {layer.name} ({layer.class_name}) is not supported")
        key = keys[id(layer)]
        if id(call) in input_ids:
            shape = [_bind(d, values or {}) for d in instance.config["shape"]]
            inputs.append({"name": key, "shape": shape,
                           "dtype": instance.config.get("dtype") or "float32",
                           "batch_size": instance.config.get("batch_size")})
            if instance.config.get("ragged"):
                inputs[-1]["ragged"] = True
            _check(instance, layer.name, check_graph, {"inputs": inputs[-1:]})
            continue
        if key not in layers:
            entry = pseudo_layer(instance, values) or instance_config(instance, values)
            entry["config"].setdefault("name", layer.name)
            _check(instance, layer.name, check_layer, entry["class_name"], entry["config"])
            layers[key] = entry
        entry = {"id": call_key(call, input_ids, keys), "layer": key,
                 "inbound": [[call_key(ref.call, input_ids, keys), ref.index]
                             for ref in call.inbound]}
        options = {k: _plain(v, values or {}) for k, v in call.options.items()}
        if options:
            if any(v is ... for v in options.values()):
                raise UnsafeOption(f"not built: a call argument of `{layer.name}` is not a "
                                   "plain value")
            entry["call_kwargs"] = options
        calls.append(entry)
    variable = any(d is None for i in inputs for d in i["shape"])
    forward = []
    for length in (lengths if variable else (0,)):
        forward.append([[length if d is None else d for d in i["shape"]] for i in inputs])
    return {"id": graph_id, "inputs": inputs, "layers": layers, "calls": calls,
            "forward": forward}


def _bind(dim: Any, values: Mapping[str, int]) -> Any:
    """A named size bound to its value; a request without one is refused."""
    if not isinstance(dim, Expr):
        return dim
    missing = sorted(dim.symbols() - set(values))
    if missing:
        raise ValueError(f"named size `{missing[0]}` has no value to build the model with")
    return evaluate(dim, values)


def _check(instance: LayerInstance, name: str, check: Callable[..., None], *args: Any) -> None:
    """Run a check of ``archlint.oracle.allowed``; its refusal names the layer and line."""
    try:
        check(*args)
    except RequestRefused as refused:
        line = f", line {instance.line}" if instance.line else ""
        raise UnsafeOption(
            f"not built: option `{refused.option}` of `{name}` ({instance.class_name}{line}): "
            f"{refused.message}; crosscheck gives Keras only the layers archlint knows, plain "
            "values, and activations, initializers, regularizers and constraints by their "
            "registered names") from None


def layer_keys(model: Model) -> dict[int, str]:
    """A key per layer object of the model: its name, made unique where two objects share
    one (operations are named by their source text, which repeats when a user-defined
    layer runs its call() again)."""
    keys: dict[int, str] = {}
    used: set[str] = set()
    for call in model.calls:
        if id(call.layer) in keys:
            continue
        key, number = call.layer.name, 1
        while key in used:
            number += 1
            key = f"{call.layer.name} ({number})"
        used.add(key)
        keys[id(call.layer)] = key
    return keys


def call_key(call: Any, input_ids: set[int], keys: dict[int, str]) -> str:
    layer = call.layer
    key = keys[id(layer)]
    if id(call) in input_ids or len(layer.calls) == 1:
        return key
    return f"{key}#{layer.calls.index(call)}"
