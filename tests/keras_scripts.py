"""Scripts written for the tests, run by real Keras 3 or tf-keras in a subprocess: each
model the script leaves in its namespace, with its parameter counts and output shapes (or
the refusal Keras raises), as archlint's analysis gives them (``ours``). With a
``forward_length``, each model also runs on zeros (every variable axis that long) and
reports the shapes that come out (``ours_forward`` binds archlint's lengths alike)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from archlint.crosscheck import bind_lengths
from archlint.engine import ModelAnalysis

_RUNNER = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
forward_length = int(sys.argv[2])
if sys.argv[1] == "2":
    import tf_keras
    sys.modules["keras"] = tf_keras
import keras
import numpy as np
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
            models[value.name] = {
                "total": int(value.count_params()),
                "trainable": int(sum(np.prod(w.shape) for w in value.trainable_weights)),
                "outputs": [[None if d is None else int(d) for d in tuple(o.shape)]
                            for o in value.outputs]}
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
                forward_length: int = 0) -> dict[str, Any]:
    """``{script name: {model name: figures}}`` from Keras ``version`` ("3" or "2")."""
    result = subprocess.run([sys.executable, "-c", _RUNNER, version, str(forward_length)],
                            input=json.dumps(sources), capture_output=True, text=True,
                            check=False, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def ours(analysis: ModelAnalysis) -> dict[str, Any]:
    outputs = [ref.call.output_at(ref.index) for ref in analysis.model.outputs]
    return {"total": analysis.total, "trainable": analysis.trainable,
            "outputs": [list(o) if isinstance(o, tuple) else o for o in outputs]}


def ours_forward(analysis: ModelAnalysis, length: int) -> dict[str, Any]:
    """``ours`` with the outputs a forward pass gives when every variable axis is
    ``length`` long (the batch axis None), as ``run_scripts(forward_length=...)`` runs it."""
    figures = ours(analysis)
    figures["forward"] = [bind_lengths(ref.call.output_at(ref.index), length)
                          for ref in analysis.model.outputs]
    del figures["outputs"]
    return figures
