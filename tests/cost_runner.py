"""Memory and receptive-field figures of real Keras builds, for tests/test_cost.py: one
subprocess per Keras version runs every script and reports, per model,

* ``weights``: per layer in ``model.layers`` order (inputs left out), the bytes of its
  trainable and non-trainable weights (size times itemsize, ``w.numpy().nbytes``);
* ``activations``: per layer in that order, the bytes of its outputs for one sample
  (``prod(shape[1:]) * itemsize`` of the output's dtype);
* ``optimizer``: when compiled, the bytes of ``optimizer.variables`` after
  ``optimizer.build(model.trainable_variables)``;
* ``fields``: for a model with one fixed-length input, per layer and per axis of its
  output, the input steps (per input axis) that change the output's middle slice along
  that axis (and the next one) when one input element is perturbed, and the input
  elements that change none of the layer's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_RUNNER = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
if sys.argv[1] == "2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tensorflow.keras is tf-keras too
    import tf_keras
    sys.modules["keras"] = tf_keras
import keras
import numpy as np

SIZES = {"bfloat16": 2, "float16": 2, "float32": 4, "float64": 8, "int8": 1, "uint8": 1,
         "int32": 4, "int64": 8, "bool": 1}


def dtype_name(dtype):
    return getattr(dtype, "name", None) or str(dtype)


def nbytes(weights):
    return int(sum(int(np.prod(w.shape)) * SIZES[dtype_name(w.dtype)] for w in weights))


def flat(value):
    return [v for item in value for v in flat(item)] if isinstance(value, (list, tuple)) \
        else [value]


def activations(model):
    found = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        try:
            outputs = flat(layer.output)
        except Exception:
            found.append(None)
            continue
        found.append(int(sum(int(np.prod([int(d) for d in o.shape[1:]])) *
                             SIZES[dtype_name(o.dtype)] for o in outputs)))
    return found


def optimizer_bytes(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    optimizer.build(model.trainable_variables)
    return nbytes(optimizer.variables)


def fields(model):
    if len(model.inputs) != 1:
        return None
    shape = [int(d) if d is not None else None for d in model.inputs[0].shape[1:]]
    if None in shape or len(shape) not in (2, 3, 4) or \
            "float" not in dtype_name(model.inputs[0].dtype):
        return None
    rng = np.random.default_rng(0)
    base_input = rng.normal(size=shape).astype("float32")
    found = {}
    # One element at a time, whatever the layout: the test knows which axes are time or space.
    probes = []
    for position in np.ndindex(*shape):
        for sign in (1.0, -1.0):
            x = base_input.copy()
            x[position] += sign * 1000.0
            probes.append((position, x))
    positions = np.array([p for p, _ in probes])
    batch = np.stack([base_input] + [x for _, x in probes])
    targets = []
    for layer in model.layers:
        try:
            out = layer.output
        except Exception:
            continue
        if type(layer).__name__ != "InputLayer" and not isinstance(out, (list, tuple)):
            targets.append((layer, out))
    try:  # every layer's output from one forward pass
        results = keras.Model(model.inputs, [out for _, out in targets])(batch)
    except Exception:  # a model Keras builds but cannot run (a Keras bug)
        return None
    for (layer, _), values in zip(targets, flat(results)):
        values = np.asarray(values)
        base, rest = values[0], values[1:]
        changed = np.abs(rest - base[None]) > 1e-4 * (1 + np.abs(base[None]))
        every = changed.reshape(len(probes), -1).any(axis=1)
        seen = {tuple(map(int, p)) for p, hit in zip(positions, every) if hit}
        entry = {"unseen": [list(p) for p in np.ndindex(*shape)
                            if tuple(map(int, p)) not in seen], "axes": []}
        # Per output axis, the input steps (per input axis) that change its middle slice
        # (and the next one).
        for axis in range(1, values.ndim):
            middle = values.shape[axis] // 2
            slices = {}
            for key, at in (("middle", middle), ("next", middle + 1)):
                if at >= values.shape[axis]:
                    slices[key] = None
                    continue
                hit = np.take(changed, at, axis=axis).reshape(len(probes), -1).any(axis=1)
                slices[key] = [sorted({int(i) for i in positions[hit, a]})
                               for a in range(len(shape))]
            entry["axes"].append(slices)
        found[layer.name] = entry
    return found


out = {}
for name, source in json.loads(sys.stdin.read()).items():
    keras.backend.clear_session()
    # Fixed weights: a perturbation that a random draw happens to cancel (a max over
    # channels that moves both ways) must not make a run differ from the next.
    keras.utils.set_random_seed(0)
    scope = {}
    try:
        exec(source, scope)
    except Exception as error:
        out[name] = {"refused": f"{type(error).__name__}: {error}"[:300]}
        continue
    models = {}
    for value in list(scope.values()):
        if isinstance(value, keras.Model):
            models[value.name] = {
                "weights": [[nbytes(layer.trainable_weights),
                             nbytes(layer.non_trainable_weights)]
                            for layer in value.layers
                            if type(layer).__name__ != "InputLayer"],
                "total": nbytes(value.weights),
                "activations": activations(value),
                "optimizer": optimizer_bytes(value),
                "fields": fields(value),
            }
    out[name] = models
print(json.dumps(out))
"""


def run_cost_scripts(sources: dict[str, str], version: str, timeout: int = 600
                     ) -> dict[str, Any]:
    """``{script: {model: figures}}`` from Keras ``version`` ("3" or "2")."""
    result = subprocess.run([sys.executable, "-c", _RUNNER, version],
                            input=json.dumps(sources), capture_output=True, text=True,
                            check=False, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def profile_layers(cases: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """TensorFlow's profiler's figures for each Keras version's cases ("3", "2": the
    requests of tests/cost_profile_worker.py), both versions at once, one process each."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    processes = {}
    for keras, requests in cases.items():
        process = subprocess.Popen([sys.executable, "-m", "tests.cost_profile_worker", keras],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True, cwd=root, env=env)
        assert process.stdin is not None
        process.stdin.write(json.dumps(requests))
        process.stdin.close()
        processes[keras] = process
    found = {}
    for keras, process in processes.items():
        assert process.stdout is not None
        found[keras] = json.loads(process.stdout.read())
        assert process.wait(timeout=300) == 0
    return found
