"""KerasTuner search spaces: the hypermodel of examples/tuner_search.py analysed over its
whole space; the extreme configurations of each figure built by real Keras 3 and tf-keras
(FLOPs from TensorFlow's profiler) with KerasTuner's own HyperParameters, and the values
archlint says Keras refuses refused by both; the ``hp`` archlint gives a hypermodel checked
against KerasTuner's."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import FileReport, analyse_file, analyse_source
from archlint.render.json_format import report_to_json
from archlint.render.text import report_lines
from archlint.search_space import space as space_module
from archlint.search_space.hypermodels import find_hypermodels
from archlint.search_space.hyperparameters import AnyValue, PointHyperParameters
from archlint.search_space.space import SearchSpace

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tuner_search.py"

# Calls of `hp` whose answers and listed values must be KerasTuner's.
HP_CALLS: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("Int", ["units", 32, 512], {"step": 32}),
    ("Int", ["layers", 1, 5], {}),
    ("Int", ["batch", 2, 64], {"step": 2, "sampling": "log"}),
    ("Int", ["width", 10, 100], {"step": 3, "sampling": "reverse_log"}),
    ("Int", ["heads", 2, 8], {"step": 2, "default": 4}),
    ("Float", ["dropout", 0.0, 0.5], {"step": 0.1}),
    ("Float", ["decay", 0.1, 10.0], {"step": 10, "sampling": "log"}),
    ("Float", ["rate", 1e-4, 1e-2], {"sampling": "log"}),
    ("Choice", ["activation", ["relu", "tanh", "gelu"]], {}),
    ("Choice", ["kernel", [7, 3, 5]], {"default": 5}),
    ("Boolean", ["residual"], {}),
    ("Boolean", ["norm"], {"default": True}),
    ("Fixed", ["classes", 10], {}),
    ("Int", ["units", 1, 2], {}),  # a name again: its first value
    ("Int", ["extra", 1, 4], {"parent_name": "residual", "parent_values": [True]}),
    ("Int", ["gated", 1, 4], {"parent_name": "norm", "parent_values": [True]}),
]


@pytest.fixture(scope="module")
def example_report() -> FileReport:
    return analyse_file(EXAMPLE)


@pytest.fixture(scope="module")
def example(example_report: FileReport) -> SearchSpace:
    [space] = example_report.search_spaces
    return space


def test_the_example_is_walked_whole_with_exact_bounds(example: SearchSpace) -> None:
    assert find_hypermodels(ast.parse(EXAMPLE.read_text()))[0].name == "build_model"
    assert example.problem is None and example.exhaustive and example.bounds == "exact"
    names = [hp.name for hp in example.hyperparameters]
    assert names == ["kernel_size", "units", "extra_layer", "extra_units", "learning_rate"]
    assert example.unlisted == ["learning_rate"]  # taken as any value: parameters stay known
    parameters, *others = example.metrics
    assert [m.name for m in others] == ["FLOPs", "weight bytes", "activation bytes per sample"]
    assert parameters.name == "parameters" and parameters.unknown_points == 0
    assert parameters.maximum_at["extra_layer"] is True and "extra_units" in \
        parameters.maximum_at
    assert "extra_units" not in parameters.minimum_at  # inactive without the extra layer
    [refusal] = example.refusals
    assert refusal.code == "AL101" and refusal.exactly and refusal.whenever == {
        "kernel_size": [7]}
    assert example.built + refusal.points == example.points


def test_the_example_in_text_and_json(example_report: FileReport) -> None:
    report = example_report
    text = "\n".join("".join(s for s, _ in line) for line in report_lines([report]))
    assert "Search space of build_model() (line 18):" in text
    assert "all analysed: exact bounds" in text
    assert "exactly those with kernel_size=7: AL101 (line 23)" in text
    found = report_to_json([report])["files"][0]["search_space"]["build_model"]
    json.dumps(found)  # plain data only
    assert found["bounds"] == "exact" and found["exhaustive"] is True
    assert set(found["metrics"]) == {"parameters", "FLOPs", "weight bytes",
                                     "activation bytes per sample"}
    assert found["refusals"][0]["whenever"] == {"kernel_size": [7]}
    assert found["hyperparameters"][0]["values"] == [3, 5, 7]


def _space(source: str) -> SearchSpace:
    [space] = analyse_source(source, "model.py").search_spaces
    return space


SCRIPT = """\
import keras
from keras import layers


def build_model(hp):
    model = keras.Sequential([keras.Input(shape=(20,))])
    for i in range(hp.Int("layers", 1, 3)):
        model.add(layers.Dense(hp.Int(f"units_{i}", 16, 64, step=16), activation="relu"))
    model.add(layers.Dense(1))
    return model
"""


HYPERMODEL = """\
import keras
import keras_tuner as kt
from keras import layers


class ClassifierHyperModel(kt.HyperModel):
    def __init__(self, classes):
        super().__init__()
        self.classes = classes

    def build(self, hp):
        model = keras.Sequential([keras.Input(shape=(20,))])
        model.add(layers.Dense(hp.Int("units", 16, 64, step=16), activation="relu"))
        if hp.Boolean("wide"):
            model.add(layers.Dense(128, activation="relu"))
        model.add(layers.Dense(self.classes, activation="softmax"))
        return model


tuner = kt.RandomSearch(ClassifierHyperModel(classes=10), objective="val_loss")
"""


def test_a_hypermodel_class_is_built_on_the_instance_the_script_makes() -> None:
    space = _space(HYPERMODEL)
    assert space.function == "ClassifierHyperModel.build" and space.bounds == "exact"
    assert space.points == 8 and space.metrics[0].maximum_at == {"units": 64, "wide": True}


def test_hyperparameters_met_in_some_branches_only_are_walked() -> None:
    space = _space(SCRIPT)
    assert space.exhaustive and space.points == 4 + 4 ** 2 + 4 ** 3
    assert space.metrics[0].maximum_at == {"layers": 3, "units_0": 64, "units_1": 64,
                                           "units_2": 64}


def test_a_large_space_is_sampled_and_says_its_bounds_are_not_proven(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(space_module, "MAX_EXHAUSTIVE_POINTS", 20)
    monkeypatch.setattr(space_module, "MIN_POINTS", 10)
    # Less 8: not only a size (it could reach 0), so the formulas do not bound it.
    report = analyse_source(SCRIPT.replace('hp.Int(f"units_{i}", 16, 64, step=16)',
                                           'hp.Int(f"units_{i}", 24, 72, step=16) - 8'),
                            "model.py")
    [space] = report.search_spaces
    assert not space.exhaustive and space.bounds == "sampled"
    assert space.points <= 20 and space.sampled_because == "more than 20 points"
    text = "\n".join("".join(s for s, _ in line) for line in report_lines([report]))
    assert "sampled points (more than 20 points): bounds over these points only, lower and " \
        "upper bounds not proven" in text
    assert "(over the points analysed)" in text


def test_a_range_the_model_depends_on_has_no_exact_bounds() -> None:
    space = _space(SCRIPT.replace('hp.Int(f"units_{i}", 16, 64, step=16)',
                                  'int(hp.Float(f"units_{i}", 8.0, 64.0))'))
    assert space.exhaustive and space.bounds == "sampled"  # unknown at its "any" points
    assert space.metrics[0].unknown_points > 0


def test_a_space_only_known_at_run_time_is_not_analysed() -> None:
    space = _space(SCRIPT.replace('hp.Int("layers", 1, 3)', 'hp.Int("layers", 1, N)')
                   .replace("import keras\n", "import keras\nimport os\nN = "
                            "int(os.environ['N'])\n"))
    assert space.problem is not None and "only known when the script runs" in space.problem
    assert space.points == 0


def test_hp_answers_as_keras_tuner_does_without_it() -> None:
    """What the script's calls return at the defaults' point (KerasTuner's answers are
    checked in test_hp_answers_and_values_are_keras_tuners)."""
    answers, _ = _our_answers()
    assert answers[HP_CALLS.index(("Int", ["units", 1, 2], {}))] == 32
    assert answers[-2:] == [None, 1]  # `residual` is False: `extra` is inactive


def _our_answers() -> tuple[list[Any], dict[str, list[Any] | None]]:
    hp = PointHyperParameters({})
    answers = [hp.call_method(method, list(args), dict(kwargs), 1)
               for method, args, kwargs in HP_CALLS]
    assert hp.problem is None
    listed = {name: list(d.values) if d.values is not None else None
              for name, d in hp.defined.items()}
    return answers, listed


# ------------------------------------------------------------------ real Keras, real KerasTuner

# A model's figures as Keras and TensorFlow's profiler give them, in a process that runs
# Keras argv[1]: the start of each runner below (and of tests/test_search_space_formulas.py's).
FIGURES_PRELUDE = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import keras_tuner as kt  # with Keras 3: its HyperParameters need no backend
import tensorflow as tf
from tensorflow.python.profiler import model_analyzer, option_builder
if sys.argv[1] == "2":
    import tf_keras
    sys.modules["keras"] = tf_keras
import keras
import numpy as np

OPTIONS = option_builder.ProfileOptionBuilder(
    option_builder.ProfileOptionBuilder.float_operation()).with_empty_output().build()


def itemsize(dtype):
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype)).itemsize


def flops(model):
    # TensorFlow's profiler on one call with a batch of 1, as archlint counts FLOPs.
    specs = [tf.TensorSpec((1, *x.shape[1:]), x.dtype) for x in model.inputs]
    function = tf.function(lambda *xs: model(xs[0], training=False))
    graph = function.get_concrete_function(*specs).graph
    return int(model_analyzer.profile(graph, options=OPTIONS).total_float_ops)


def figures(model):
    # What archlint ranges: parameters, FLOPs, the weights' bytes, every layer's output
    # bytes for one sample (the inputs left out).
    return {"parameters": int(model.count_params()), "FLOPs": flops(model),
            "weight bytes": sum(int(np.prod(w.shape)) * itemsize(w.dtype)
                                for w in model.weights),
            "activation bytes per sample": sum(
                int(np.prod(layer.output.shape[1:])) * itemsize(layer.output.dtype)
                for layer in model.layers if type(layer).__name__ != "InputLayer")}
"""

_RUNNER = FIGURES_PRELUDE + r"""
with open(sys.argv[2]) as handle:
    request = json.load(handle)
scope = {}
exec(compile(request["source"], "tuner_search.py", "exec"), scope)
out = {"builds": {}, "definitions": {}}
for name, values in request["builds"].items():
    hp = kt.HyperParameters()
    for hp_name, value in values.items():
        hp.Fixed(hp_name, value)
    keras.backend.clear_session()
    try:
        out["builds"][name] = figures(scope["build_model"](hp))
    except Exception as error:
        out["builds"][name] = {"refused": f"{type(error).__name__}: {error}"[:300]}
    # The hyperparameters the build defines at those values, as a tuner's trial sets them.
    hp = kt.HyperParameters()
    hp.values.update(values)
    try:
        scope["build_model"](hp)
    except Exception:
        pass
    for definition in hp.space:
        step = getattr(definition, "step", 1)
        out["definitions"][definition.name] = list(definition.values) \
            if step is not None else None
# A HyperModel subclass: its build() at fixed values.
hypermodel = request["hypermodel"]
scope = {}
exec(compile(hypermodel["source"], "hypermodel.py", "exec"), scope)
instance = scope[hypermodel["class"]](**hypermodel["kwargs"])
out["hypermodel_builds"] = {}
for name, values in hypermodel["builds"].items():
    hp = kt.HyperParameters()
    for hp_name, value in values.items():
        hp.Fixed(hp_name, value)
    keras.backend.clear_session()
    out["hypermodel_builds"][name] = int(instance.build(hp).count_params())
hp = kt.HyperParameters()
answers = [getattr(hp, method)(*args, **kwargs) for method, args, kwargs in request["calls"]]
out["answers"] = answers
out["listed"] = {d.name: list(d.values) if getattr(d, "step", 1) is not None else None
                 for d in hp.space}
print(json.dumps(out))
"""


def _run_keras(version: str, request: Path, runner: str | None = None
               ) -> subprocess.Popen[str]:
    """Keras ``version`` ("3" or "2") answering ``request`` in a process of its own, in the
    request's directory (with this module's runner unless another is given)."""
    return subprocess.Popen([sys.executable, "-c", runner or _RUNNER, version, request.name],
                            cwd=request.parent, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _concrete(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if not isinstance(value, AnyValue)}


@pytest.mark.keras
def test_extremes_and_refusals_match_keras(example: SearchSpace, tmp_path: Path) -> None:
    parameters = example.metrics[0]
    [refusal] = example.refusals
    builds = {"refused example": _concrete(refusal.example)}
    for metric in example.metrics:  # each figure's extremes, built
        builds[f"{metric.name} minimum"] = _concrete(metric.minimum_at)
        builds[f"{metric.name} maximum"] = _concrete(metric.maximum_at)
    for name, values in refusal.whenever.items():  # each value alone, the rest defaults
        builds.update({f"refused {name}={v}": {name: v} for v in values})
    source = EXAMPLE.read_text().split("\ntuner = ")[0]  # no tuner: it would write files
    subclassed = _space(HYPERMODEL).metrics[0]
    hypermodel = {"source": HYPERMODEL.split("\ntuner = ")[0], "class": "ClassifierHyperModel",
                  "kwargs": {"classes": 10}, "builds": {"minimum": subclassed.minimum_at,
                                                        "maximum": subclassed.maximum_at}}
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"source": source, "builds": builds, "calls": HP_CALLS,
                                   "hypermodel": hypermodel}))
    # Both at once: each one is mostly TensorFlow's start-up.
    processes = {version: _run_keras(version, request) for version in ("3", "2")}
    found = {}
    for version, process in processes.items():
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
        found[version] = json.loads(stdout.strip().splitlines()[-1])
    for version, keras in found.items():
        built = keras["builds"]
        for metric in example.metrics:
            for end, figure in (("minimum", metric.minimum), ("maximum", metric.maximum)):
                found = built[f"{metric.name} {end}"]
                assert "refused" not in found, (version, metric.name, end)
                assert found[metric.name] == figure, (version, metric.name, end)
        assert keras["hypermodel_builds"] == {"minimum": subclassed.minimum,
                                              "maximum": subclassed.maximum}, version
        for name, outcome in built.items():
            if name.startswith("refused"):
                assert isinstance(outcome, dict) and "refused" in outcome, (version, name)
        # The space archlint walked is KerasTuner's: every listed hyperparameter's values.
        ours = {hp.name: list(hp.values) if hp.values is not None else None
                for hp in example.hyperparameters}
        assert keras["definitions"] == ours, version
        assert example.points == _points(ours, {"extra_layer": "extra_units"})
        answers, listed = _our_answers()
        assert answers == keras["answers"], version
        assert listed == keras["listed"], version
    print(f"\nsearch space of {EXAMPLE.name}: {example.points} points, parameters "
          f"{parameters.minimum}..{parameters.maximum}, {refusal.points} refused; "
          "Keras 3 and tf-keras agree")


def _points(values: dict[str, list[Any] | None], conditional: dict[str, str]) -> int:
    """The number of points a walk takes, from KerasTuner's values: a range with no step
    counts as its default (one end), any value and its other end; a Boolean parent with
    one child active when it is True counts as False, or True with each child value."""
    counts = {name: len(v) if v is not None else 3 for name, v in values.items()}
    total = 1
    for name, count in counts.items():
        if name in conditional.values():
            continue
        total *= 1 + counts[conditional[name]] if name in conditional else count
    return total
