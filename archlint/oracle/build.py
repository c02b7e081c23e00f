"""Build layer graphs with real Keras and report what Keras declares and what really comes out.

Runs in its own process, started by ``archlint.oracle.launch`` (isolated from the user's
directory; ``python -m archlint.oracle.build --keras 3|2`` by hand), reading a JSON list of
graphs on stdin, so that the static path never imports TensorFlow. With ``--stream FILE``
it writes its progress and results there line by line (``Stream``), else one JSON document
on stdout. Used by the test suite and by ``archlint crosscheck``.

A graph::

    {"id": "seed",
     "inputs": [{"name": "input_layer", "shape": [null, 6], "dtype": "float32"}],
     "layers": {"conv1d": {"class_name": "Conv1D", "config": {"filters": 32, ...}}},
     "calls": [{"id": "conv1d", "layer": "conv1d", "inbound": [["input_layer", 0]]}],
     "forward": [[[20, 6]], [[31, 6]]]}

``inbound`` items are ``[call id or input name, output index]``; nested layers appear in a
config as ``{"class_name": ..., "config": {...}}``; ``forward`` lists concrete input shapes
(batch axis excluded) for forward passes on zeros. Only archlint's own layer classes and
plain option values are built (``archlint.oracle.allowed``): a graph naming anything else
gets an ``oracle_error`` and nothing of it is built.

Each result has, per call, the shape Keras declares when the graph is built symbolically and
the shape a forward pass produces; per layer, the parameter counts of both builds. A forward
pass runs only the calls Keras built symbolically: a layer Keras refused is never run
(TensorFlow's CPU kernels do not all check their inputs, tensorflow/tensorflow#125509).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

# The launcher puts archlint's own parent directory on sys.path, never the working directory.
from archlint.layers import lookup
from archlint.oracle.allowed import (
    PSEUDO_LAYERS,
    RequestRefused,
    check_graph,
    nested_layer_class,
)
from archlint.oracle.pseudo_layers import make_pseudo_layer

FORWARD_BATCH = 2


class Stream:
    """Progress and results, one JSON line each, written to a file as they happen: when
    TensorFlow kills the process, the parent still knows what was done and which call was
    running (``archlint.oracle.launch``). Without a file, nothing is written."""

    def __init__(self, path: str | None = None):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if path else None

    def write(self, **record: Any) -> None:
        data = (json.dumps(record) + "\n").encode()
        while self.fd is not None and data:
            data = data[os.write(self.fd, data):]

    def running(self, call: dict[str, Any], phase: str, inputs: Any,
                pass_shapes: Any = None) -> None:
        self.write(running={"call": call["id"], "layer": call["layer"], "phase": phase,
                            "input_shapes": [_shape_of(t) for t in inputs],
                            "pass_shapes": pass_shapes})


def _load_keras(version: str) -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if version == "2":
        import tf_keras as keras
    else:
        import keras
    return keras


def _onednn() -> bool | None:
    """Whether TensorFlow runs its oneDNN CPU kernels (``TF_ENABLE_ONEDNN_OPTS``; on by default
    on CPUs with AVX-512 VNNI/BF16 or AMX), which accept some inputs its reference kernels
    refuse. None when this TensorFlow does not say."""
    try:
        from tensorflow.python.util import _pywrap_util_port
        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return None


def _make_layer(keras: Any, class_name: str, config: dict[str, Any]) -> Any:
    """A layer of archlint's catalog; an option that is itself such a layer is built too, an
    activation/initializer/... given as ``{"class_name", "config"}`` is left to Keras (the
    request was checked by ``check_graph``). A tensor operation or a user-defined layer's
    node is rebuilt by ``pseudo_layers``."""
    if class_name in PSEUDO_LAYERS:
        return make_pseudo_layer(keras, class_name, config)
    if lookup(class_name) is None:  # checked before; never build a class by name otherwise
        raise RequestRefused("", f"{class_name} is not a layer class archlint knows")
    kwargs = {}
    for key, value in config.items():
        if nested_layer_class(key, value) is not None:
            value = _make_layer(keras, value["class_name"], value.get("config", {}))
        elif isinstance(value, list) and value and all(
                nested_layer_class(key, v) is not None for v in value):
            value = [_make_layer(keras, v["class_name"], v.get("config", {})) for v in value]
        kwargs[key] = value
    return _layer_class(keras, class_name)(**kwargs)


def _layer_class(keras: Any, class_name: str) -> Any:
    """The Keras class of a catalog layer: ``keras.layers.X``, or for a class an application
    defines for itself (ConvNeXt's LayerScale) the application's module of this Keras."""
    spec = lookup(class_name)
    home = spec.application_module if spec is not None else None
    if home is None:
        return getattr(keras.layers, class_name)
    return getattr(importlib.import_module(f"{keras.__name__}.src.{home}"), class_name)


def _zeros(shape: tuple[int, ...], dtype: str) -> Any:
    """A forward input of zeros; for strings, the token "0" (NumPy has no "string" dtype)."""
    import numpy as np

    if dtype == "string":
        return np.full(shape, "0", dtype=object)
    return np.zeros(shape, dtype=dtype)


def _ragged_rows(zeros: Any) -> Any:
    """A ragged tensor of the zeros whose rows (after the first) are one step shorter along
    axis 1: what a ragged input is fed in a forward pass."""
    import tensorflow as tf

    length = zeros.shape[1]
    shorter = max(length - 1, 1)
    return tf.RaggedTensor.from_tensor(zeros, lengths=[length] + [shorter] * (len(zeros) - 1))


def _shape_of(tensor: Any) -> list[int | None]:
    shape = tensor.shape
    if hasattr(shape, "as_list"):
        return shape.as_list()
    return [None if d is None else int(d) for d in shape]


def _shapes(output: Any) -> Any:
    if isinstance(output, (list, tuple)):
        return [_shapes(o) for o in output]
    return _shape_of(output)


def _params(layer: Any) -> dict[str, int]:
    def count(weights: list[Any]) -> int:
        total = 0
        for w in weights:
            if getattr(w, "shape", None) is None:
                continue  # tf-keras's vocabulary handle: no tensor, count_params skips it
            size = 1
            for d in _shape_of(w):
                size *= d or 0  # tf-keras's idf weights have no static size: counted 0
            total += size
        return total

    return {"trainable": count(layer.trainable_weights),
            "non_trainable": count(layer.non_trainable_weights)}


# Bytes per value of the dtypes weights come in.
_ITEMSIZE = {"bfloat16": 2, "float16": 2, "float32": 4, "float64": 8, "int8": 1, "uint8": 1,
             "int16": 2, "int32": 4, "int64": 8, "bool": 1, "string": 0, "resource": 0}


def _weight_bytes(layer: Any) -> dict[str, int | None]:
    """The bytes of the layer's weights by their dtypes (None: a dtype not in the table)."""
    def count(weights: list[Any]) -> int | None:
        total = 0
        for w in weights:
            if getattr(w, "shape", None) is None:
                continue
            dtype = getattr(w.dtype, "name", None) or str(w.dtype)
            if dtype not in _ITEMSIZE:
                return None
            size = _ITEMSIZE[dtype]
            for d in _shape_of(w):
                size *= d or 0
            total += size
        return total

    return {"trainable": count(layer.trainable_weights),
            "non_trainable": count(layer.non_trainable_weights)}


def _error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) < 2000 else text[:2000] + "..."


def _separate_inputs(graph: dict[str, Any]) -> set[str]:
    """The layers called on their inputs as separate arguments (``mha(query, value)``)."""
    found = set()
    for name, spec in graph["layers"].items():
        known = lookup(spec["class_name"])
        if known is not None and known.call_inputs:
            found.add(name)
    return found


def _run_calls(calls: list[dict[str, Any]], layers: dict[str, Any], tensors: dict[str, Any],
               on_output: Callable[[str, Any], None],
               before: Callable[[dict[str, Any], list[Any]], None],
               separate: set[str] | None = None
               ) -> tuple[str | None, str | None]:
    """Call each layer in order; returns (failing call id, error) or (None, None)."""
    for call in calls:
        inbound = [tensors[src][idx] for src, idx in call["inbound"]]
        args = inbound if call["layer"] in (separate or ()) else [
            inbound if len(inbound) > 1 or call.get("list_input") else inbound[0]]
        before(call, inbound)
        try:
            out = layers[call["layer"]](*args, **call.get("call_kwargs", {}))
        except Exception as exc:  # Keras refuses: that is the answer we want.
            return call["id"], _error(exc)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        tensors[call["id"]] = outs
        on_output(call["id"], out)
    return None, None


def build_graph(keras: Any, graph: dict[str, Any], stream: Stream | None = None
                ) -> dict[str, Any]:
    stream = stream or Stream()
    result: dict[str, Any] = {"id": graph.get("id"), "calls": {}, "layers": {},
                              "forward": []}
    try:
        check_graph(graph)
    except RequestRefused as refused:
        return {"id": graph.get("id"), "oracle_error": f"refused: {refused.message}"}

    # 1. Symbolic build: what Keras declares.
    try:
        layers = {name: _make_layer(keras, spec["class_name"], spec["config"])
                  for name, spec in graph["layers"].items()}
    except RequestRefused as refused:  # an operation this Keras does not have
        return {"id": graph.get("id"), "oracle_error": f"not built: {refused.message}"}
    except Exception as exc:
        result["build_error"] = {"call": None, "error": _error(exc)}
        return result
    tensors = {
        inp["name"]: [keras.Input(shape=tuple(inp["shape"]), dtype=inp.get("dtype", "float32"),
                                  batch_size=inp.get("batch_size"),
                                  **({"ragged": True} if inp.get("ragged") else {}))]
        for inp in graph["inputs"]
    }

    def declared(call_id: str, out: Any) -> None:
        result["calls"][call_id] = {"declared_shape": _shapes(out)}

    def symbolic(call: dict[str, Any], inbound: list[Any]) -> None:
        stream.running(call, "build", inbound)

    separate = _separate_inputs(graph)
    failed, error = _run_calls(graph["calls"], layers, tensors, declared, symbolic, separate)
    if failed:
        result["build_error"] = {"call": failed, "error": error}
    for name, layer in layers.items():
        if layer.built:
            result["layers"][name] = {"declared_params": _params(layer),
                                      "weight_bytes": _weight_bytes(layer)}
    stream.write(partial=result)

    # 2. Forward passes on zeros with fresh layers: what really comes out. Only the calls
    # Keras built: a layer it refused is never run (its kernel may not check its input).
    built = [call for call in graph["calls"] if call["id"] in result["calls"]]
    for shapes in graph.get("forward", []):
        run: dict[str, Any] = {"input_shapes": shapes, "calls": {}}
        if failed:
            run["stopped_at"] = failed
        fresh = {name: _make_layer(keras, spec["class_name"], spec["config"])
                 for name, spec in graph["layers"].items()}
        values = {}
        for inp, shape in zip(graph["inputs"], shapes):
            batch = inp.get("batch_size") or FORWARD_BATCH
            zeros = _zeros((batch, *shape), inp.get("dtype", "float32"))
            values[inp["name"]] = [_ragged_rows(zeros) if inp.get("ragged") else zeros]

        def forward(call_id: str, out: Any, run: dict[str, Any] = run) -> None:
            run["calls"][call_id] = {"shape": _shapes(out)}

        def concrete(call: dict[str, Any], inbound: list[Any], shapes: Any = shapes) -> None:
            stream.running(call, "forward", inbound, shapes)

        failed_call, error = _run_calls(built, fresh, values, forward, concrete, separate)
        if failed_call:
            run["error"] = {"call": failed_call, "error": error}
        run["params"] = {name: _params(layer) for name, layer in fresh.items() if layer.built}
        result["forward"].append(run)
        stream.write(partial=result)
    if graph.get("profile") and result["forward"] and not failed:
        result["profile"] = _profile(keras, graph, result["forward"][0], separate)
        stream.write(partial=result)
    return result


def _profile(keras: Any, graph: dict[str, Any], run: dict[str, Any],
             separate: set[str]) -> dict[str, Any]:
    """TensorFlow's profiler on each call of the first forward pass, and on the whole graph
    when no layer of it loops (``archlint.oracle.profile``); ``"profile": "total"`` in the
    request asks for the whole graph only."""
    from archlint.oracle.profile import profile_calls, profile_whole

    def make(class_name: str, config: dict[str, Any]) -> Any:
        return _make_layer(keras, class_name, config)

    def is_recurrent(class_name: str) -> bool:
        spec = lookup(class_name)
        return spec is not None and bool(spec.recurrent)

    found: dict[str, Any] = {"calls": {} if graph["profile"] == "total" else
                             profile_calls(graph, run, make, separate, is_recurrent)}
    looping = any(is_recurrent(spec["class_name"]) or any(
        isinstance(v, dict) and is_recurrent(str(v.get("class_name")))
        for v in spec["config"].values()) for spec in graph["layers"].values())
    if not looping and "error" not in run:
        try:
            found["total"] = profile_whole(graph, run, make, _run_calls, separate)
        except Exception as exc:
            found["total_error"] = _error(exc)
    return found


def clear_session(keras: Any) -> None:
    """Reset layer naming between graphs. Keras 3 collects garbage by default, which costs
    about half a second per call; naming is all that needs resetting here."""
    try:
        keras.backend.clear_session(free_memory=False)
    except TypeError:  # tf-keras has no free_memory argument
        keras.backend.clear_session()


def serve(items: list[dict[str, Any]], run: Callable[[dict[str, Any]], dict[str, Any]],
          stream: Stream) -> list[dict[str, Any]]:
    """``run`` on each item, announced before and streamed after; an exception becomes the
    item's ``oracle_error``."""
    results = []
    for item in items:
        stream.write(start=item.get("id"))
        try:
            result = run(item)
        except Exception:
            result = {"id": item.get("id"), "oracle_error": traceback.format_exc()}
        stream.write(done=result)
        results.append(result)
    return results


def parse_args(argv: list[str] | None, description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--keras", choices=["2", "3"], required=True)
    parser.add_argument("--stream", help="write progress and results here, line by line")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv, __doc__)
    graphs = json.load(sys.stdin)
    stream = Stream(args.stream)
    keras = _load_keras(args.keras)
    meta = {"keras_version": keras.__version__, "onednn": _onednn()}
    stream.write(meta=meta)

    def run(graph: dict[str, Any]) -> dict[str, Any]:
        clear_session(keras)
        return build_graph(keras, graph, stream)

    results = serve(graphs, run, stream)
    if args.stream is None:
        json.dump({"meta": meta, "results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
