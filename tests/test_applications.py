"""Pretrained backbones (``keras.applications.*``) rebuilt from archlint's data, checked
against real Keras.

Keras 3 and tf-keras build every case below in a subprocess each (run side by side, once
per session, results kept in pytest's cache); the weights are never downloaded: the
download is replaced by a no-op while the graph is built. archlint rebuilds each case with
``archlint.applications.backbone_config`` and its own formulas, and must find the layers,
their output shapes, the parameters (total, trainable) and the model name Keras finds, and
refuse what Keras refuses. tf-keras names its unnamed layers differently: only the layers
both name alike are compared one by one.

Every shipped application is also checked by the generator
(``python -m benchmarks.make_applications``) against Keras 3 for more options; the test
suite runs a subset: the most used backbones of each family with every option, and a
few other sizes with one.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from archlint import applications
from archlint.analysis import analyse_source
from archlint.applications import Refusal, backbone_config
from archlint.diagnostics import Event
from archlint.dims import format_shape
from archlint.engine import ModelAnalysis, analyse_model
from archlint.frontend.keras_api import star_names
from archlint.frontend.saved_model import models_from_config
from archlint.unknown import Unknown

# One application per family (more for the most used families; EfficientNetB1 pads at its
# default size of 240).
TESTED = ("ResNet50", "ResNet50V2", "VGG16", "MobileNet", "MobileNetV2", "MobileNetV3Small",
          "EfficientNetB0", "EfficientNetB1", "EfficientNetV2B0", "InceptionV3",
          "InceptionResNetV2",
          "DenseNet121", "Xception", "NASNetMobile", "ConvNeXtTiny")
# Where tf-keras builds another graph than Keras 3 (archlint builds Keras 3's).
TF_KERAS_DIFFERENCES = {
    ("NASNetMobile", "notop"): "tf-keras builds NASNetMobile(include_top=False) for any input "
                               "size, Keras 3 for 224x224",
}
# keras.ops calls archlint stores as the layers that compute the same (Keras does not list
# operations among a model's layers).
OPERATION_LAYERS = ("Rescaling", "Add", "Subtract", "Multiply", "Maximum", "Minimum")
OPTIONS: dict[str, dict[str, Any]] = {
    "notop": {"include_top": False, "weights": None},
    "top": {"include_top": True, "weights": None},
    "top_imagenet": {"include_top": True, "weights": "imagenet"},
    "avg_odd_size": {"include_top": False, "weights": None, "pooling": "avg",
                     "input_shape": (203, 177, 3)},
    "max": {"include_top": False, "weights": None, "pooling": "max"},
    "imagenet_notop_160": {"include_top": False, "weights": "imagenet",
                           "input_shape": (160, 160, 3)},
    "classes_logits": {"include_top": True, "weights": None, "classes": 10,
                       "classifier_activation": None},
    # Refused by Keras 3 for every family.
    "imagenet_classes": {"include_top": True, "weights": "imagenet", "classes": 10},
    "top_unknown_size": {"include_top": True, "weights": None, "input_shape": (None, None, 3)},
    "too_small": {"include_top": False, "weights": None, "input_shape": (16, 16, 3)},
    # Built by MobileNet and MobileNetV2 (160 is a size of their weights), refused by others.
    "top_imagenet_160": {"include_top": True, "weights": "imagenet",
                         "input_shape": (160, 160, 3)},
    # Refused by NASNet only.
    "imagenet_unknown_size": {"include_top": False, "weights": "imagenet",
                              "input_shape": (None, None, 3)},
    "sigmoid_imagenet": {"include_top": True, "weights": "imagenet",
                         "classifier_activation": "sigmoid"},
}
# Other sizes of a family, built with one option by both versions: ConvNeXt's (whose
# LayerScale weights follow the width) and NASNetLarge at its classifier's size of 331,
# where its cells adjust (the body of an unknown size is another graph).
OTHER_SIZES = {"ConvNeXtSmall": "avg_odd_size", "ConvNeXtBase": "avg_odd_size",
               "ConvNeXtLarge": "avg_odd_size", "ConvNeXtXLarge": "avg_odd_size",
               "NASNetLarge": "top"}
CASES = [(app, option) for app in TESTED for option in OPTIONS] + list(OTHER_SIZES.items())
# tf-keras builds the graphs of Keras 3: a few options per application are enough to see it.
TF_KERAS_OPTIONS = ("notop", "top", "avg_odd_size", "imagenet_classes")

# Builds each case; prints {id: what Keras built, or its error} as JSON.
BUILDER = r"""
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
version = sys.argv[1]
if version == "2":
    import tf_keras as keras
    from tf_keras.src.engine import training
    from tf_keras.src.utils import data_utils as downloads
    training.Model.load_weights = lambda self, *a, **k: None
else:
    import keras
    from keras.src.models import model as model_module
    from keras.src.utils import file_utils as downloads
    model_module.Model.load_weights = lambda self, *a, **k: None
downloads.get_file = lambda *a, **k: "/nonexistent/weights.h5"

def shape(tensor):
    dims = tensor.shape
    return [None if d is None else int(d) for d in (dims.as_list() if hasattr(dims, "as_list")
                                                    else dims)]

def size(weights):
    total = 0
    for w in weights:
        n = 1
        for d in w.shape:
            n *= int(d)
        total += n
    return total

results = {}
for case in json.loads(sys.stdin.read()):
    keras.backend.clear_session()
    options = dict(case["options"])
    if options.get("input_shape") is not None:
        options["input_shape"] = tuple(options["input_shape"])
    try:
        model = getattr(keras.applications, case["app"])(**options)
    except AttributeError as error:
        results[case["id"]] = {"missing": str(error)}
        continue
    except ValueError as error:
        results[case["id"]] = {"error": " ".join(str(error).split())}
        continue
    results[case["id"]] = {
        "name": model.name,
        "layers": {l.name: [shape(l.output), int(l.count_params())] for l in model.layers},
        "outputs": [shape(t) for t in model.outputs],
        "total": int(model.count_params()),
        "trainable": size(model.trainable_weights),
    }
print(json.dumps(results))
"""

requires_keras = pytest.mark.skipif(
    importlib.util.find_spec("keras") is None or importlib.util.find_spec("tf_keras") is None,
    reason="needs keras and tf_keras (the test extras)")


def _case_id(app: str, option: str) -> str:
    return f"{app}-{option}"


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    """What each Keras version built for each case: {"3": {id: result}, "2": ...}.

    Each case's result is kept in pytest's cache under a key made of its application and
    options: a run builds only the cases not built before (a clean checkout builds all)."""
    cache = getattr(request.config, "cache", None)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    results: dict[str, dict[str, Any]] = {"3": {}, "2": {}}
    missing: dict[str, list[dict[str, Any]]] = {"3": [], "2": []}
    for version in results:
        for app, option in CASES:
            if version == "2" and option not in TF_KERAS_OPTIONS:
                continue
            case = {"id": _case_id(app, option), "app": app, "options": OPTIONS[option]}
            key = _cache_key(version, case)
            cached = cache.get(key, None) if cache is not None else None
            if cached is not None:
                results[version][case["id"]] = cached
            else:
                missing[version].append(case)
    running = {version: subprocess.Popen(
        [sys.executable, "-c", BUILDER, version], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for version, cases in missing.items() if cases}
    for version, process in running.items():
        stdout, stderr = process.communicate(json.dumps(missing[version]), timeout=3600)
        if process.returncode != 0:
            raise RuntimeError(f"Keras {version} failed to build the applications:\n"
                               f"{stderr[-4000:]}")
        made = json.loads(stdout)
        for case in missing[version]:
            results[version][case["id"]] = made[case["id"]]
            if cache is not None:
                cache.set(_cache_key(version, case), made[case["id"]])
    return results


def _cache_key(version: str, case: dict[str, Any]) -> str:
    text = json.dumps([case["app"], case["options"]], sort_keys=True)
    return f"archlint/applications/{version}/" + hashlib.sha256(text.encode()).hexdigest()[:20]


def analyse(app: str, options: dict[str, Any]) -> ModelAnalysis | Refusal | Unknown:
    """archlint's analysis of the application (its events include the reader's)."""
    made = backbone_config(app, **options)
    if isinstance(made, (Refusal, Unknown)):
        return made
    events: list[Event] = []
    models = models_from_config(made, events)
    analysis = analyse_model(models[-1], set())
    analysis.events[:0] = events
    return analysis


def keras_shape(shape: Any) -> str | None:
    """A shape as Keras shows it: archlint's named sizes (``H+6``) are None there."""
    if not isinstance(shape, (tuple, list)):
        return None
    return format_shape(tuple(d if isinstance(d, int) else None for d in shape))


def layer_table(analysis: ModelAnalysis) -> dict[str, list[Any]]:
    """{layer: [output shape, parameters]}, as the builder reports Keras's. The layers of a
    nested Sequential, which archlint inlines as ``<model>/<layer>`` (ConvNeXt's stem and
    downsampling blocks), are one row as in Keras: its last layer's output, the sum of
    their parameters."""
    table: dict[str, list[Any]] = {}
    for layer in analysis.model.layers:
        (call,) = layer.calls
        row = [keras_shape(call.output), call.params.total if call.params else None]
        model, _, inner = layer.name.partition("/")
        if inner and model in table:
            params = table[model][1]
            row[1] = None if params is None or row[1] is None else params + row[1]
        table[model if inner else layer.name] = row
    return table


def keras_table(result: dict[str, Any]) -> dict[str, list[Any]]:
    return {name: [keras_shape(shape), params]
            for name, (shape, params) in result["layers"].items()}


def _automatic_name(name: str, class_name: str) -> bool:
    """Whether ``name`` is one Keras gives a ``class_name`` layer (``re_lu``, ``re_lu_3``)."""
    base = re.sub("([a-z])([A-Z])", r"\1_\2", re.sub("(.)([A-Z][a-z]+)", r"\1_\2",
                                                       class_name)).lower()
    return re.fullmatch(rf"{base}(_\d+)?", name) is not None


def assert_size_dependent(app: str, option: str, unknown: Unknown) -> None:
    """archlint may say unknown, never wrong, where the graph changes with the input size
    (NASNet's cells adjust to the sizes they meet): only for a size other than the
    default."""
    assert "depends on" in unknown.reason, unknown.reason
    assert OPTIONS[option].get("input_shape") not in (None, (None, None, 3)), unknown.reason


@requires_keras
@pytest.mark.keras
@pytest.mark.parametrize(("app", "option"), [
    pytest.param(a, o, id=_case_id(a, o)) for a, o in CASES])
def test_backbone_equals_keras3(built, app: str, option: str) -> None:
    expected = built["3"][_case_id(app, option)]
    ours = analyse(app, OPTIONS[option])
    if "error" in expected:
        assert isinstance(ours, Refusal), (expected["error"], ours)
        # Keras shows the activation it refuses as a function object; archlint by its name.
        assert " ".join(ours.message.split()).rsplit("Received", 1)[0] == \
            expected["error"].rsplit("Received", 1)[0]
        return
    if isinstance(ours, Unknown):  # only where the graph changes with the input size
        assert_size_dependent(app, option, ours)
        return
    assert isinstance(ours, ModelAnalysis), ours
    assert ours.model.name == expected["name"]
    table = layer_table(ours)
    theirs = keras_table(expected)
    operations = [name for name in table if name not in theirs]
    assert all(layer.class_name in OPERATION_LAYERS and table[layer.name][1] == 0
               for layer in ours.model.layers if layer.name in operations)
    table = {name: row for name, row in table.items() if name not in operations}
    assert list(table) == list(theirs)  # the same layers, in Keras's order
    assert table == theirs
    assert not [e.message for e in ours.events if e.code in ("AL001", "AL002")]
    assert [keras_shape(r.call.output) for r in ours.model.outputs] == \
        [keras_shape(s) for s in expected["outputs"]]
    assert (ours.total, ours.trainable) == (expected["total"], expected["trainable"])


@requires_keras
@pytest.mark.keras
@pytest.mark.parametrize(("app", "option"), [
    pytest.param(a, o, id=_case_id(a, o)) for a, o in CASES
    if o in TF_KERAS_OPTIONS])
def test_backbone_equals_tf_keras(built, app: str, option: str) -> None:
    """tf-keras builds the same graphs: same totals and outputs, the same shapes and
    parameters for the layers both versions name alike, and the same refusals."""
    expected = built["2"][_case_id(app, option)]
    if "missing" in expected:
        pytest.skip(f"tf-keras has no {app}")
    ours = analyse(app, OPTIONS[option])
    if "error" in expected:
        assert isinstance(ours, Refusal), (expected["error"], ours)
        return
    if isinstance(ours, Unknown):
        assert_size_dependent(app, option, ours)
        return
    if (app, option) in TF_KERAS_DIFFERENCES:
        pytest.xfail(TF_KERAS_DIFFERENCES[app, option])
    assert isinstance(ours, ModelAnalysis), ours
    table = layer_table(ours)
    theirs = keras_table(expected)
    # Automatic names (re_lu_8) count differently in each version: only given names match
    # (tf-keras names MobileNetV3's layers otherwise: none match there).
    shared = [layer.name for layer in ours.model.layers
              if layer.name in theirs and not any(
                  _automatic_name(layer.name, c) for c in (layer.class_name, *OPERATION_LAYERS))]
    assert {n: table[n] for n in shared} == {n: theirs[n] for n in shared}
    assert [keras_shape(r.call.output) for r in ours.model.outputs] == \
        [keras_shape(s) for s in expected["outputs"]]
    assert (ours.total, ours.trainable) == (expected["total"], expected["trainable"])
    assert ours.non_trainable == expected["total"] - expected["trainable"]


# --------------------------------------------------------------------------- without Keras


def test_every_shipped_application_was_verified() -> None:
    index = applications._index()
    assert set(TESTED) <= set(index)
    assert all(entry["verified"] for entry in index.values())
    assert all(entry["keras"].startswith("3.") for entry in index.values())


def test_data_is_small() -> None:
    files = list(applications.DATA_DIR.iterdir())
    assert sum(f.stat().st_size for f in files) < 2 * 1024 * 1024
    for path in files:
        if path.name.endswith(".json.gz"):
            json.loads(gzip.decompress(path.read_bytes()))


def test_unknown_and_refused_options() -> None:
    assert isinstance(backbone_config("ResNet9000"), Unknown)
    assert "not shipped" in backbone_config("ResNet9000").reason
    alpha = backbone_config("MobileNetV2", alpha=0.5)
    assert isinstance(alpha, Unknown) and "alpha=1.0" in alpha.reason
    assert isinstance(backbone_config("MobileNetV2", alpha=1.0), dict)
    assert isinstance(backbone_config("ResNet50", depth=3), Refusal)
    assert isinstance(backbone_config("ResNet50", input_shape=Unknown("args.size")), Unknown)
    assert "TF-Hub" in str(applications.external_backbone_reason("tensorflow_hub.KerasLayer"))
    assert "Hugging Face" in str(applications.external_backbone_reason(
        "transformers.TFAutoModel.from_pretrained"))
    assert applications.external_backbone_reason("keras.applications.ResNet50") is None


def test_input_tensor_shape_builds_the_graph() -> None:
    """Keras validates ``input_shape`` (None: the default size) but builds on the tensor."""
    made = backbone_config("ResNet50", weights=None, input_tensor_shape=(64, 64, 3))
    assert isinstance(made, dict)
    (first,) = [layer for layer in made["config"]["layers"]
                if layer["class_name"] == "InputLayer"]
    assert first["config"]["batch_shape"] == [None, 64, 64, 3]


def test_importing_reads_no_data() -> None:
    """The data is read when a script uses an application, not when archlint starts."""
    code = ("import sys, archlint.applications as a; "
            "print(a._load.cache_info().currsize, a._index.cache_info().currsize, "
            "sorted(m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert result.stdout.split() == ["0", "0", "[]"]


def _operation(name: str, *args: Any) -> dict[str, Any]:
    """A keras.ops call as Keras 3 saves it in a functional config."""
    return {"module": "keras.src.ops.numpy", "class_name": name, "config": {"name": "op"},
            "registered_name": name, "name": "op",
            "inbound_nodes": [{"args": list(args), "kwargs": {}}]}


def test_scalar_operations_become_rescaling() -> None:
    tensor = {"class_name": "__keras_tensor__", "config": {"keras_history": ["x", 0, 0]}}
    plus, times, minus, sqrt = applications.compact_layers([
        _operation("Add", tensor, 3.0), _operation("Multiply", 0.5, tensor),
        _operation("Subtract", 1.0, tensor), _operation("Sqrt", tensor)])
    assert (plus["c"], plus["o"], plus["i"]) == ("Rescaling", {"scale": 1.0, "offset": 3.0},
                                                 [["x", 0, 0]])
    assert times["o"] == {"scale": 0.5, "offset": 0.0}
    # 1 - x is no rescaling of x by a positive scale and offset alone: kept as an operation.
    assert minus["r"] == ["keras.src.ops.numpy", "keras.ops.subtract"]
    assert sqrt["r"] == ["keras.src.ops.numpy", "keras.ops.sqrt"]
    other = {"class_name": "__keras_tensor__", "config": {"keras_history": ["y", 0, 0]}}
    (residual,) = applications.compact_layers([_operation("Add", tensor, other)])
    assert residual == {"c": "Add", "n": "op", "o": {}, "i": [[["x", 0, 0], ["y", 0, 0]]]}
    assert applications.compact_layers([applications.expand(residual)]) == [residual]


def test_an_application_layer_is_not_a_keras_layers_name() -> None:
    """LayerScale has a formula for the backbones that hold it, but ``keras.layers`` has no
    such name: a script that writes one gets no numbers, and ``import *`` does not bind it."""
    report = analyse_source("import keras\nx = keras.Input((7, 7, 96))\n"
                            "y = keras.layers.LayerScale(1e-6, 96)(x)\n"
                            "m = keras.Model(x, y)\n")
    (warning,) = [d for d in report.diagnostics if d.code == "AL002"]
    assert "keras.layers has no LayerScale" in warning.message
    assert report.models[0].total is None
    assert "LayerScale" not in star_names("layers")
    assert "CustomScaleLayer" not in star_names("layers")


def test_sizes_known_only_by_name_are_unknown() -> None:
    """A named size (``H``) may be even or odd: the paddings it decides stay unknown."""
    made = backbone_config("MobileNetV2", include_top=False, weights=None,
                           input_tensor_shape=(None, "H", 3))
    assert isinstance(made, Unknown) and "input size" in made.reason
