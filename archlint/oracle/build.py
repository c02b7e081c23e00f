"""Build layer graphs with real Keras and report what Keras declares and what really comes out.

Runs in its own process (``python -m archlint.oracle.build --keras 3|2``), reading a JSON list
of graphs on stdin and writing a JSON list of results on stdout, so that the static path
never imports TensorFlow. Used by the test suite and by ``archlint crosscheck``.

A graph::

    {"id": "seed",
     "inputs": [{"name": "input_layer", "shape": [null, 6], "dtype": "float32"}],
     "layers": {"conv1d": {"class_name": "Conv1D", "config": {"filters": 32, ...}}},
     "calls": [{"id": "conv1d", "layer": "conv1d", "inbound": [["input_layer", 0]]}],
     "forward": [[[20, 6]], [[31, 6]]]}

``inbound`` items are ``[call id or input name, output index]``; nested layers appear in a
config as ``{"class_name": ..., "config": {...}}``; ``forward`` lists concrete input shapes
(batch axis excluded) for forward passes on zeros.

Each result has, per call, the shape Keras declares when the graph is built symbolically and
the shape a forward pass produces; per layer, the parameter counts of both builds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

FORWARD_BATCH = 2


def _load_keras(version: str) -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if version == "2":
        import tf_keras as keras
    else:
        import keras
    return keras


def _make_layer(keras: Any, class_name: str, config: dict[str, Any]) -> Any:
    kwargs = {}
    for key, value in config.items():
        if isinstance(value, dict) and "class_name" in value and "config" in value:
            value = _make_layer(keras, value["class_name"], value["config"])
        kwargs[key] = value
    return getattr(keras.layers, class_name)(**kwargs)


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
            size = 1
            for d in _shape_of(w):
                size *= d
            total += size
        return total

    return {"trainable": count(layer.trainable_weights),
            "non_trainable": count(layer.non_trainable_weights)}


def _error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) < 2000 else text[:2000] + "..."


def _run_calls(graph: dict[str, Any], layers: dict[str, Any], tensors: dict[str, Any],
               on_output: Any) -> tuple[str | None, str | None]:
    """Call each layer in order; returns (failing call id, error) or (None, None)."""
    for call in graph["calls"]:
        inbound = [tensors[src][idx] for src, idx in call["inbound"]]
        arg = inbound if len(inbound) > 1 or call.get("list_input") else inbound[0]
        try:
            out = layers[call["layer"]](arg, **call.get("call_kwargs", {}))
        except Exception as exc:  # Keras refuses: that is the answer we want.
            return call["id"], _error(exc)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        tensors[call["id"]] = outs
        on_output(call["id"], out)
    return None, None


def build_graph(keras: Any, graph: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    result: dict[str, Any] = {"id": graph["id"], "calls": {}, "layers": {}, "forward": []}

    # 1. Symbolic build: what Keras declares.
    try:
        layers = {name: _make_layer(keras, spec["class_name"], spec["config"])
                  for name, spec in graph["layers"].items()}
    except Exception as exc:
        result["build_error"] = {"call": None, "error": _error(exc)}
        return result
    tensors = {
        inp["name"]: [keras.Input(shape=tuple(inp["shape"]), dtype=inp.get("dtype", "float32"),
                                  batch_size=inp.get("batch_size"))]
        for inp in graph["inputs"]
    }

    def declared(call_id: str, out: Any) -> None:
        result["calls"][call_id] = {"declared_shape": _shapes(out)}

    failed, error = _run_calls(graph, layers, tensors, declared)
    if failed:
        result["build_error"] = {"call": failed, "error": error}
    for name, layer in layers.items():
        if layer.built:
            result["layers"][name] = {"declared_params": _params(layer)}

    # 2. Forward passes on zeros with fresh layers: what really comes out.
    for shapes in graph.get("forward", []):
        run: dict[str, Any] = {"input_shapes": shapes, "calls": {}}
        fresh = {name: _make_layer(keras, spec["class_name"], spec["config"])
                 for name, spec in graph["layers"].items()}
        values = {}
        for inp, shape in zip(graph["inputs"], shapes):
            batch = inp.get("batch_size") or FORWARD_BATCH
            values[inp["name"]] = [np.zeros((batch, *shape), dtype=inp.get("dtype", "float32"))]

        def forward(call_id: str, out: Any, run: dict[str, Any] = run) -> None:
            run["calls"][call_id] = {"shape": _shapes(out)}

        failed, error = _run_calls(graph, fresh, values, forward)
        if failed:
            run["error"] = {"call": failed, "error": error}
        run["params"] = {name: _params(layer) for name, layer in fresh.items() if layer.built}
        result["forward"].append(run)
    return result


def _clear_session(keras: Any) -> None:
    """Reset layer naming between graphs. Keras 3 collects garbage by default, which costs
    about half a second per call; naming is all that needs resetting here."""
    try:
        keras.backend.clear_session(free_memory=False)
    except TypeError:  # tf-keras has no free_memory argument
        keras.backend.clear_session()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keras", choices=["2", "3"], required=True)
    args = parser.parse_args(argv)
    graphs = json.load(sys.stdin)
    keras = _load_keras(args.keras)
    results = []
    for graph in graphs:
        try:
            _clear_session(keras)
            results.append(build_graph(keras, graph))
        except Exception:
            results.append({"id": graph.get("id"), "oracle_error": traceback.format_exc()})
    meta = {"keras_version": keras.__version__}
    json.dump({"meta": meta, "results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
