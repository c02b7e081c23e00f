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
_INTERNAL = frozenset({"symbols", "named_sizes"})


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
    return {"class_name": instance.class_name, "config": config}


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
    for call in model.calls:
        layer = call.layer
        instance = layer.instance
        if instance is None:
            raise ValueError(f"layer {layer.name} ({layer.class_name}) is not supported")
        if id(call) in input_ids:
            shape = [_bind(d, values or {}) for d in instance.config["shape"]]
            inputs.append({"name": layer.name, "shape": shape,
                           "dtype": instance.config.get("dtype") or "float32",
                           "batch_size": instance.config.get("batch_size")})
            _check(instance, layer.name, check_graph, {"inputs": inputs[-1:]})
            continue
        if layer.name not in layers:
            entry = instance_config(instance, values)
            entry["config"]["name"] = layer.name
            _check(instance, layer.name, check_layer, entry["class_name"], entry["config"])
            layers[layer.name] = entry
        call_id = layer.name if len(layer.calls) == 1 else f"{layer.name}#{layer.calls.index(call)}"
        entry = {"id": call_id, "layer": layer.name,
                 "inbound": [[_call_id(ref.call, input_ids), ref.index]
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


def _call_id(call: Any, input_ids: set[int]) -> str:
    layer = call.layer
    if id(call) in input_ids or len(layer.calls) == 1:
        return layer.name
    return f"{layer.name}#{layer.calls.index(call)}"
