"""Profile layers with TensorFlow's profiler, in the process ``tests.test_cost_keras``
starts once per Keras version (the test process itself never imports TensorFlow).

Reads a JSON list of cases on stdin, each ``{"id", "class", "config", "inputs", "dtype"}``
(input shapes without the batch axis; ``"separate": true`` passes the inputs as separate
arguments, ``mha(query, value)``; ``"call_options"`` are the call's keywords), or
``"application": true`` for a model of ``keras.applications`` built without weights;
builds each with the Keras named in argv[1] ("3" or "2"), traces a concrete function of one
call on a batch of 1 and writes, per case, the profiler's ``total_float_ops`` (or the
error); with ``"nested": true``, also the sum of the profiles of the functions the graph
calls, each alone; with ``"cell": true`` (a recurrent layer tf-keras cannot unroll), the
steps its while_loop runs unseen are added, each counted as one step of the layer's cell
traced alone.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    import tensorflow as tf
    from tensorflow.python.profiler import model_analyzer, option_builder

    if sys.argv[1] == "2":
        import tf_keras as keras
    else:
        import keras
    options = option_builder.ProfileOptionBuilder(
        option_builder.ProfileOptionBuilder.float_operation()).with_empty_output().build()
    results: dict[str, Any] = {}

    def profile_graph(graph: Any) -> int:
        return int(model_analyzer.profile(graph, options=options).total_float_ops)
    for case in json.loads(sys.stdin.read()):
        try:
            config = dict(case["config"])
            for key in ("layer", "backward_layer"):
                if isinstance(config.get(key), dict):
                    inner = config[key]
                    config[key] = getattr(keras.layers, inner["class_name"])(**inner["config"])
            if case.get("application"):  # a whole keras.applications model, no weights
                layer = getattr(keras.applications, case["class"])(weights=None, **config)
            else:
                layer = getattr(keras.layers, case["class"])(**config)
            specs = [tf.TensorSpec((1, *shape), case.get("dtype", "float32"))
                     for shape in case["inputs"]]

            def call(*tensors: Any, layer: Any = layer, case: Any = case) -> Any:
                keywords = case.get("call_options", {})
                if case.get("separate"):
                    return layer(*tensors, **keywords)
                return layer(list(tensors) if len(tensors) > 1 else tensors[0], **keywords)

            function = tf.function(call).get_concrete_function(*specs)
            profile = model_analyzer.profile(function.graph, options=options)
            results[case["id"]] = {"flops": int(profile.total_float_ops)}
            if case.get("cell"):  # the steps a while_loop runs unseen, each the cell's graph
                step = _profile_cell(tf, layer, function, case["inputs"][0], profile_graph)
                results[case["id"]].update(cell=step, flops=results[case["id"]]["flops"] +
                                           (case["inputs"][0][0] - 1) * step)
            if case.get("nested"):  # the functions the graph calls, each profiled alone
                results[case["id"]]["nested"] = sum(
                    int(model_analyzer.profile(f.graph, options=options).total_float_ops)
                    for f in function.graph._functions.values())
        except Exception as error:  # a case Keras refuses: reported, the others go on
            results[case["id"]] = {"error": f"{type(error).__name__}: {error}"[:300]}
    sys.stdout.write(json.dumps(results))


def _profile_cell(tf: Any, layer: Any, function: Any, shape: list[int],
                  profile_graph: Any) -> int:
    """The FLOPs of one step of a recurrent layer's cell (the loop's body), traced alone
    on one step of the input and states of the layer's output step shape."""
    output = function.structured_outputs
    output = output[0] if isinstance(output, (list, tuple)) else output
    state = output.shape[2:] if layer.return_sequences else output.shape[1:]
    specs = [tf.TensorSpec((1, *shape[1:])), tf.TensorSpec((1, *state)),
             tf.TensorSpec((1, *state))]
    step = tf.function(lambda x, h, c: layer.cell(x, [h, c])).get_concrete_function(*specs)
    return profile_graph(step.graph)


if __name__ == "__main__":
    main()
