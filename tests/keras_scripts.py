"""Scripts written for the tests, run by real Keras 3 or tf-keras in a subprocess: each
model the script leaves in its namespace, with its parameter counts and output shapes (or
the refusal Keras raises), as archlint's analysis gives them (``ours``), and the rows of its
summary (``rows``: name, class, output shape, parameters of each of ``model.layers``). With a
``forward_length``, each model also runs on zeros (every variable axis that long) and
reports the shapes that come out (``ours_forward`` binds archlint's lengths alike)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from archlint.crosscheck import bind_lengths
from archlint.dims import holds_ragged
from archlint.engine import ModelAnalysis
from archlint.summary_rows import NestedRow, summary_rows

_RUNNER = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
forward_length = int(sys.argv[3])
if sys.argv[1] == "2":
    import tf_keras
    sys.modules["keras"] = tf_keras
import keras
import numpy as np


def forward(model):
    # Shapes of the outputs of a call on data (random floats, zero integers), or the error.
    try:
        return [[None if d is None else int(d) for d in o.shape]  # None: a ragged axis
                for o in flat(model(data_for(model.inputs)))]
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"[:300]}


def data_for(inputs):
    rng = np.random.default_rng(0)
    data = []
    for i in inputs:
        shape = [2 if d is None else d for d in i.shape]
        dtype = str(getattr(i.dtype, "name", i.dtype))  # tf-keras's is a tf.DType
        if "float" not in dtype and "int" not in dtype and "bool" not in dtype:
            raise TypeError(f"no data of dtype {dtype}")
        array = rng.random(shape).astype(dtype) if "float" in dtype else np.zeros(shape, dtype)
        data.append(ragged_rows(array) if is_ragged(i) else array)
    return data if len(data) > 1 else data[0]


def is_ragged(tensor):
    # Keras 3 flags a ragged KerasTensor; tf-keras gives it a RaggedTensorSpec.
    spec = getattr(tensor, "type_spec", None)
    return bool(getattr(tensor, "ragged", False)) or type(spec).__name__ == "RaggedTensorSpec"


def ragged_rows(array):
    # Rows of two lengths along axis 1 (the second one shorter), as a ragged tensor.
    import tensorflow as tf
    length = array.shape[1]
    lengths = [length] + [max(length - 1, 0)] * (array.shape[0] - 1)
    return tf.RaggedTensor.from_tensor(array, lengths=lengths)


def flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in flat(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in flat(item)]
    return [value]


out = {}
def shape_of(layer):
    try:
        output = layer.output
    except Exception:  # a layer called several times has no single output
        return None
    if isinstance(output, (list, tuple)):
        return [[None if d is None else int(d) for d in tuple(t.shape)] for t in output]
    return [None if d is None else int(d) for d in tuple(output.shape)]
def rows(model):
    return [[layer.name, type(layer).__name__, shape_of(layer),
             int(layer.count_params()) if layer.built else None] for layer in model.layers]
for name, source in json.loads(sys.stdin.read()).items():
    keras.backend.clear_session()  # each script is a program of its own: names start afresh
    scope = {}
    try:
        exec(source, scope)
    except Exception as error:
        out[name] = {"refused": f"{type(error).__name__}: {error}"[:300]}
        continue
    models = {}
    for value in scope.values():
        if isinstance(value, keras.Model):
            # A subclassed model built by a call has no symbolic outputs: None.
            outputs = getattr(value, "_outputs", None) if not hasattr(value, "outputs") \
                else value.outputs
            models[value.name] = {
                "total": int(value.count_params()),
                "trainable": int(sum(np.prod(w.shape) for w in value.trainable_weights)),
                "outputs": None if outputs is None else [
                    [None if d is None else int(d) for d in tuple(o.shape)] for o in outputs],
                "rows": rows(value)}
            if sys.argv[2] == "forward":
                models[value.name]["forward"] = forward(value)
            if forward_length:
                zeros = [np.zeros([2, *(forward_length if d is None else d
                                        for d in tuple(i.shape)[1:])],
                                  dtype=getattr(i.dtype, "name", i.dtype))
                         for i in value.inputs]
                try:
                    outs = value(zeros)
                except Exception as error:
                    models[value.name]["forward"] = f"{type(error).__name__}: {error}"[:300]
                    continue
                outs = outs if isinstance(outs, (list, tuple)) else [outs]
                models[value.name]["forward"] = [[None, *(int(d) for d in tuple(o.shape)[1:])]
                                                 for o in outs]
    out[name] = models
print(json.dumps(out))
"""


def run_scripts(sources: dict[str, str], version: str, timeout: int = 900,
                forward: bool = False, rows: bool = False,
                forward_length: int = 0) -> dict[str, Any]:
    """``{script name: {model name: figures}}`` from Keras ``version`` ("3" or "2");
    ``forward``: each model's figures also give its outputs' shapes on data (``"forward"``),
    or the error the call raised; ``forward_length``: on zeros with every variable axis that
    long; the figures have the summary ``rows`` only when asked (``ours`` has none)."""
    result = subprocess.run([sys.executable, "-c", _RUNNER, version,
                             "forward" if forward else "declared", str(forward_length)],
                            input=json.dumps(sources), capture_output=True, text=True,
                            check=False, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if not rows:
        for models in found.values():
            for figures in models.values():
                if isinstance(figures, dict):
                    figures.pop("rows", None)
    return found


def ours(analysis: ModelAnalysis) -> dict[str, Any]:
    """The figures ``run_scripts`` gives of a model; an axis of a ragged tensor is None, as
    its forward pass has it."""
    outputs = [ref.call.output_at(ref.index) for ref in analysis.model.outputs]
    return {"total": analysis.total, "trainable": analysis.trainable,
            "outputs": [[None if holds_ragged(d) else d for d in o] if isinstance(o, tuple)
                        else o for o in outputs]}


# Keras 2 lists tensor operations as layers (TFOpLambda), Keras 3 does not.
OPERATION_CLASSES = {"TFOpLambda", "SlicingOpLambda", "TensorOp"}


def summary_of(analysis: ModelAnalysis) -> list[list[Any]]:
    """archlint's summary rows as ``rows`` gives Keras's, tensor operations left out."""
    found = []
    for row in summary_rows(analysis.model):
        if isinstance(row, NestedRow):
            output, params = row.output, row.params
        else:
            first = row.calls[0] if row.calls else None
            output = first.output if first is not None else None
            params = first.params if first is not None else None
        if row.class_name in OPERATION_CLASSES:
            continue
        shape = ([list(o) for o in output] if isinstance(output, list)
                 else list(output) if isinstance(output, tuple) else None)
        found.append([row.name, row.class_name, shape,
                      params.total if params is not None else None])
    return found


def keras_summary(rows: list[list[Any]]) -> list[list[Any]]:
    return [row for row in rows if row[1] not in OPERATION_CLASSES]


def ours_forward(analysis: ModelAnalysis, length: int) -> dict[str, Any]:
    """``ours`` with the outputs a forward pass gives when every variable axis is
    ``length`` long (the batch axis None), as ``run_scripts(forward_length=...)`` runs it."""
    figures = ours(analysis)
    figures["forward"] = [bind_lengths(ref.call.output_at(ref.index), length)
                          for ref in analysis.model.outputs]
    del figures["outputs"]
    return figures
