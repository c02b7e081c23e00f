"""Scripts written for the tests, run by real Keras 3 or tf-keras in a subprocess: each
model the script leaves in its namespace, with its parameter counts and output shapes (or
the refusal Keras raises), as archlint's analysis gives them (``ours``)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from archlint.engine import ModelAnalysis

_RUNNER = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
if sys.argv[1] == "2":
    import tf_keras
    sys.modules["keras"] = tf_keras
import keras
import numpy as np


def forward(model):
    # Shapes of the outputs of a call on data (random floats, zero integers), or the error.
    try:
        return [list(map(int, o.shape)) for o in flat(model(data_for(model.inputs)))]
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"[:300]}


def data_for(inputs):
    rng = np.random.default_rng(0)
    data = []
    for i in inputs:
        shape = [2 if d is None else d for d in i.shape]
        dtype = str(i.dtype)
        if "float" not in dtype and "int" not in dtype and "bool" not in dtype:
            raise TypeError(f"no data of dtype {dtype}")
        data.append(rng.random(shape).astype(dtype) if "float" in dtype
                    else np.zeros(shape, dtype))
    return data if len(data) > 1 else data[0]


def flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in flat(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in flat(item)]
    return [value]


out = {}
for name, source in json.loads(sys.stdin.read()).items():
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
                    [None if d is None else int(d) for d in tuple(o.shape)] for o in outputs]}
            if sys.argv[2] == "forward":
                models[value.name]["forward"] = forward(value)
    out[name] = models
print(json.dumps(out))
"""


def run_scripts(sources: dict[str, str], version: str, timeout: int = 900,
                forward: bool = False) -> dict[str, Any]:
    """``{script name: {model name: figures}}`` from Keras ``version`` ("3" or "2");
    ``forward``: each model's figures also give its outputs' shapes on data (``"forward"``),
    or the error the call raised."""
    result = subprocess.run([sys.executable, "-c", _RUNNER, version,
                             "forward" if forward else "declared"],
                            input=json.dumps(sources), capture_output=True, text=True,
                            check=False, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def ours(analysis: ModelAnalysis) -> dict[str, Any]:
    outputs = [ref.call.output_at(ref.index) for ref in analysis.model.outputs]
    return {"total": analysis.total, "trainable": analysis.trainable,
            "outputs": [list(o) if isinstance(o, tuple) else o for o in outputs]}
