"""FLOPs of archlint's own graph by TensorFlow's profiler, in the oracle process.

Each call the forward pass ran is traced alone, as a concrete function of a fresh layer on
a batch of 1 of the shapes that pass gave it, and profiled with
``ProfileOptionBuilder.float_operation()``. A recurrent layer runs its steps in a
``while_loop`` the profiler does not look into: it is traced unrolled on one step, and that
step's FLOPs are multiplied by the number of steps. A graph without recurrent layers is
also traced whole (the model's total). Only the layers of the request are built, as for
the rest of the oracle (``archlint.oracle.allowed``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any


def _unrolled(spec: dict[str, Any], is_recurrent: Callable[[str], bool]
              ) -> dict[str, Any] | None:
    """The config of a recurrent layer, or of a wrapper of recurrent layers, with
    unroll=True; None for a layer without a recurrence."""
    config = copy.deepcopy(spec["config"])
    if is_recurrent(spec["class_name"]):
        return {**config, "unroll": True}
    inner = [value for value in config.values() if isinstance(value, dict)
             and "config" in value and is_recurrent(str(value.get("class_name")))]
    for value in inner:
        value["config"]["unroll"] = True
    return config if inner else None


def _flops(graph: Any) -> int:
    from tensorflow.python.profiler import model_analyzer, option_builder

    options = option_builder.ProfileOptionBuilder(
        option_builder.ProfileOptionBuilder.float_operation()).with_empty_output().build()
    return int(model_analyzer.profile(graph, options=options).total_float_ops)


def _trace(call: Callable[..., Any], shapes: list[list[int]], dtypes: list[str]) -> int:
    import tensorflow as tf

    specs = [tf.TensorSpec((1, *shape), dtype) for shape, dtype in zip(shapes, dtypes)]
    return _flops(tf.function(call).get_concrete_function(*specs).graph)


def profile_calls(graph: dict[str, Any], run: dict[str, Any], make_layer: Callable[..., Any],
                  separate: set[str], is_recurrent: Callable[[str], bool]) -> dict[str, Any]:
    """Per call id, ``{"flops": n}`` (``"per_step"`` and ``"steps"`` for a recurrent
    layer) or ``{"error": ...}``, for the calls of one forward ``run``."""
    shapes_of: dict[str, list[list[int]]] = {}
    for inp, shape in zip(graph["inputs"], run["input_shapes"]):
        shapes_of[inp["name"]] = [list(shape)]
    dtype_of = {inp["name"]: inp.get("dtype", "float32") for inp in graph["inputs"]}
    found: dict[str, Any] = {}
    for call in graph["calls"]:
        if call["id"] not in run["calls"]:
            break
        out = run["calls"][call["id"]]["shape"]
        outs = out if out and isinstance(out[0], list) else [out]
        shapes_of[call["id"]] = [o[1:] for o in outs]
        dtype_of[call["id"]] = "float32"
        if call.get("call_kwargs") or call.get("list_input"):
            continue
        try:
            inbound = [shapes_of[src][idx] for src, idx in call["inbound"]]
            dtypes = [dtype_of[src] for src, _ in call["inbound"]]
            found[call["id"]] = _profile_one(graph["layers"][call["layer"]], inbound, dtypes,
                                             make_layer, call["layer"] in separate,
                                             is_recurrent)
        except Exception as exc:  # a layer TensorFlow cannot trace alone: said, not fatal
            found[call["id"]] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return found


def _profile_one(spec: dict[str, Any], inbound: list[list[int]], dtypes: list[str],
                 make_layer: Callable[..., Any], separate: bool,
                 is_recurrent: Callable[[str], bool]) -> dict[str, Any]:
    unrolled = _unrolled(spec, is_recurrent)
    config, steps = unrolled or spec["config"], None
    if unrolled is not None:  # one step, unrolled: the loop's body in the graph
        steps = inbound[0][0]
        inbound = [[1, *shape[1:]] for shape in inbound]
    layer = make_layer(spec["class_name"], config)

    def call(*tensors: Any) -> Any:
        if separate:
            return layer(*tensors)
        return layer(list(tensors) if len(tensors) > 1 else tensors[0])

    flops = _trace(call, inbound, dtypes)
    if steps is None:
        return {"flops": flops}
    return {"flops": flops * steps, "per_step": flops, "steps": steps}


def profile_whole(graph: dict[str, Any], run: dict[str, Any], make_layer: Callable[..., Any],
                  run_calls: Callable[..., Any], separate: set[str]) -> int:
    """The FLOPs of the whole graph traced as one function (no recurrent layer in it)."""
    layers = {name: make_layer(spec["class_name"], spec["config"])
              for name, spec in graph["layers"].items()}
    names = [inp["name"] for inp in graph["inputs"]]

    def model(*tensors: Any) -> Any:
        values = {name: [t] for name, t in zip(names, tensors)}
        run_calls(graph["calls"], layers, values, lambda *_: None, lambda *_: None, separate)
        return [values[call["id"]] for call in graph["calls"] if call["id"] in values]

    return _trace(model, [list(s) for s in run["input_shapes"]],
                  [inp.get("dtype", "float32") for inp in graph["inputs"]])
