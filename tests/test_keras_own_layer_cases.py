"""Keras's own layer tests as an oracle: every ``run_layer_test`` case of the installed
Keras 3 that can be read without running it (tests/keras_layer_cases.py) becomes a
one-layer script. Real Keras 3 builds every script in one subprocess and calls it on data;
archlint analyses the same script. Where archlint gives figures, they must equal Keras's:
the output shapes of the call on data (the truth, where the declared shape differs), the
trainable and total parameter counts; where Keras refuses the layer, archlint must report an
error. A class without a formula is "not analysed": counted and listed, not a failure, so
the test stays green while the catalog grows; a class with one must give figures.
"""

from __future__ import annotations

import ast
from collections import Counter
from typing import Any

import pytest

from archlint.analysis import FileReport, Settings, analyse_source, default_settings
from archlint.unknown import Unknown
from tests.counts import report_counts
from tests.keras_layer_cases import Extraction, KerasLayerCase, extract
from tests.keras_scripts import ours, run_scripts
from tests.oracle import needs_keras

EXTRACTION: Extraction = extract()
CASES = EXTRACTION.cases

# Cases where archlint and Keras cannot agree yet, by case id: why. A case that agrees
# fails until it is taken off the list.
KNOWN_DISAGREEMENTS: dict[str, str] = {}


def analyse_case(case: KerasLayerCase) -> FileReport:
    settings = Settings(default_settings().rules, keras="3")
    return analyse_source(case.script(), path=f"<{case.id}>", settings=settings)


def verdict_of(case: KerasLayerCase) -> dict[str, Any]:
    try:
        return archlint_verdict(analyse_case(case))
    except Exception as error:  # one case's crash fails that case, not the whole module
        return {"crashed": f"{type(error).__name__}: {error}"}


def archlint_verdict(report: FileReport) -> dict[str, Any]:
    """{"refused": message} | {"unknown": reason} | {"figures": ours(...)}."""
    errors = [d for d in report.diagnostics if d.severity.value == "error"]
    assert all(d.code != "AL003" for d in errors), report.diagnostics  # the script parses
    if errors:
        return {"refused": f"{errors[0].code}: {errors[0].message}"}
    if len(report.models) != 1:
        return {"unknown": "no model"}
    analysis = report.models[0]
    figures = ours(analysis)
    unknown = [o for o in figures["outputs"] if not isinstance(o, list)]
    if unknown or figures["total"] is None:
        reasons = [str(o.reason) for o in unknown if isinstance(o, Unknown)]
        reasons += [d.message for d in report.diagnostics if d.code in ("AL002", "AL001")]
        return {"unknown": "; ".join(reasons) or "parameters unknown"}
    figures["non_trainable"] = analysis.non_trainable
    return {"figures": figures}


def keras_truth(result: dict[str, Any]) -> dict[str, Any]:
    """{"refused": message} or the model's figures with the outputs of the call on data."""
    if "refused" in result:
        return result
    model = dict(result["m"])
    forward = model.pop("forward", None)
    model["declared"] = model["outputs"]
    if isinstance(forward, list):
        model["outputs"] = forward
    elif isinstance(forward, dict):
        model["forward_error"] = forward["error"]
    return model


def disagreement(keras: dict[str, Any], verdict: dict[str, Any]) -> str | None:
    """Why archlint's verdict differs from Keras's, or None."""
    if "crashed" in verdict:
        return f"archlint crashed: {verdict['crashed']}"
    if "unknown" in verdict:
        if "is not supported" in verdict["unknown"]:
            return None  # a class without a formula: counted, not compared
        return f"archlint gives no figures for a class it supports: {verdict['unknown']}"
    if "refused" in keras:
        return None if "refused" in verdict else f"Keras refuses ({keras['refused']}); " \
            f"archlint gives {verdict['figures']}"
    if "refused" in verdict:
        return f"archlint refuses ({verdict['refused']}) what Keras builds"
    figures = verdict["figures"]
    expected = {"outputs": keras["outputs"], "total": keras["total"],
                "trainable": keras["trainable"]}
    got = {k: figures[k] for k in expected}
    if got != expected:
        return f"Keras {expected}, archlint {got}"
    return None


@pytest.fixture(scope="module")
@needs_keras
def keras_results() -> dict[str, Any]:
    raw = run_scripts({c.id: c.script() for c in CASES}, "3", forward=True)
    return {case_id: keras_truth(result) for case_id, result in raw.items()}


@pytest.fixture(scope="module")
def verdicts(keras_results: dict[str, Any], request: pytest.FixtureRequest
             ) -> dict[str, dict[str, Any]]:
    """archlint's verdict on every case; the counts go to the session's summary."""
    found = {c.id: verdict_of(c) for c in CASES}
    report_counts(request.config, "Keras's own layer tests as an oracle",
                  *summary(keras_results, found))
    return found


def summary(keras: dict[str, Any], found: dict[str, dict[str, Any]]) -> list[str]:
    built = [c for c in CASES if "refused" not in keras[c.id]]
    analysed = [c for c in CASES if "unknown" not in found[c.id] and "crashed" not in found[c.id]]
    agreeing = [c for c in analysed if disagreement(keras[c.id], found[c.id]) is None]
    declared_differs = [c.id for c in built if keras[c.id]["declared"] != keras[c.id]["outputs"]]
    not_analysed: dict[str, Counter[str]] = {}
    for case in CASES:
        if "unknown" in found[case.id]:
            reason = found[case.id]["unknown"].split(";")[0][:90]
            not_analysed.setdefault(case.class_name, Counter())[reason] += 1
    lines = [
        f"run_layer_test calls in Keras's layer tests: {EXTRACTION.calls}; cases extracted "
        f"(decorators expanded): {len(CASES)}; skipped: {sum(EXTRACTION.skipped.values())}",
        f"built by Keras 3: {len(built)} (refused: {len(CASES) - len(built)}); analysed by "
        f"archlint: {len(analysed)}; agreeing with Keras: {len(agreeing)} (refused by both: "
        f"{sum('refused' in found[c.id] for c in agreeing)}); known "
        f"disagreements: {len(KNOWN_DISAGREEMENTS)}",
        f"not analysed by archlint ({len(CASES) - len(analysed)} cases, "
        f"{len(not_analysed)} classes):",
    ]
    for name in sorted(not_analysed):
        reasons = ", ".join(f"{r} ({n})" for r, n in not_analysed[name].most_common())
        lines.append(f"  {name}: {reasons}")
    forward_failed = [c.id for c in built if "forward_error" in keras[c.id]]
    if forward_failed:
        lines.append(f"Keras's call on data failed (its declared shapes compared): "
                     f"{forward_failed}")
    if declared_differs:
        lines.append(f"Keras declares another shape than its call on data: {declared_differs}")
    lines.append("classes whose test calls could not be read: "
                 + ", ".join(EXTRACTION.classes_without_case()))
    lines.append("skipped calls (decorators expanded):")
    lines += [f"  {n} {reason}" for reason, n in EXTRACTION.skipped.most_common()]
    return lines


@pytest.mark.keras
def test_the_installed_keras_ships_layer_tests_to_read() -> None:
    assert EXTRACTION.calls > 200, "the installed Keras ships no layer tests"
    assert len(CASES) > 200
    for case in CASES:
        ast.parse(case.script())  # every value was rendered as Python source
    ids = {c.id for c in CASES}
    assert not [i for i in KNOWN_DISAGREEMENTS if i not in ids], "a known case is gone"


@pytest.mark.keras
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_archlint_agrees_with_keras_own_layer_case(
        case: KerasLayerCase, keras_results: dict[str, Any],
        verdicts: dict[str, dict[str, Any]]) -> None:
    problem = disagreement(keras_results[case.id], verdicts[case.id])
    if case.id in KNOWN_DISAGREEMENTS:
        assert problem is not None, f"agrees now: drop it ({KNOWN_DISAGREEMENTS[case.id]})"
        return
    assert problem is None, f"{problem}\n{case.script()}"


SAMPLE_TEST = '''
from absl.testing import parameterized
from keras.src import backend, layers, ops, regularizers, testing

SHAPES = [(2, 3), (2, 5)]


class SampleTest(testing.TestCase):
    @parameterized.named_parameters(("small", 4, (2, 3)), ("wide", 8, (2, 5)))
    def test_dense(self, units, input_shape):
        self.run_layer_test(layers.Dense, init_kwargs={"units": units, "kernel_regularizer":
                            regularizers.L2(0.1)}, input_shape=input_shape)

    @parameterized.product(data_format=["channels_first", "channels_last"])
    def test_pool(self, data_format):
        if data_format == "channels_first":
            inputs = np.random.rand(2, 3, 8)
        else:
            inputs = np.random.rand(2, 8, 3)
        self.run_layer_test(layers.MaxPooling1D, init_kwargs={"data_format": data_format},
                            input_data=inputs)
        inputs = None  # after the call: not its data

    def test_reshaped(self):
        image = np.arange(0, 24)
        image = np.reshape(image, (2, 4, 3))  # the earlier image
        self.run_layer_test(layers.MaxPooling1D, init_kwargs={}, input_data=image)

    def test_computed(self):
        self.run_layer_test(layers.Dense, {"units": make_units()}, input_shape=(2, 3))
        for shape in SHAPES:
            self.run_layer_test(layers.Dense, {"units": 2}, input_shape=shape)
        self.run_layer_test(LocalLayer, {}, input_shape=(2, 3))

    def test_defined_here(self):
        def doubled(x):
            return ops.concatenate([x, x], axis=-1)

        self.run_layer_test(layers.RNN, {"cell": Cell(4)}, input_shape=(2, 3, 5))
        self.run_layer_test(layers.Lambda, {"function": doubled}, input_shape=(2, 3),
                            custom_objects={"doubled": doubled})
        if backend.backend() == "tensorflow":
            data = tf.sparse.from_dense(np.zeros((2, 6)))
        self.run_layer_test(layers.Flatten, {}, input_data=data, input_sparse=True)


class LocalLayer(layers.Layer):
    pass


class BaseCell(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.state_size))


class Cell(BaseCell):
    def __init__(self, units):
        super().__init__()
        self.state_size = units

    def call(self, inputs, states):
        return ops.matmul(inputs, self.kernel), states
'''


def test_the_extractor_reads_decorators_branches_and_data_without_running(tmp_path) -> None:
    sample = tmp_path / "sample_test.py"
    sample.write_text(SAMPLE_TEST)
    found = extract([sample], public={n: n for n in ("Dense", "MaxPooling1D", "RNN", "Lambda",
                                                      "Flatten")})
    assert found.calls == 9
    defined = {c.id.split("::")[1]: c.script() for c in found.cases if "#" in c.id and (
        "defined_here" in c.id or "computed" in c.id)}
    scripts = {c.id.split("::")[1]: c.script().splitlines()[2:4] for c in found.cases
               if c.id.split("::")[1] not in defined}
    assert scripts == {
        "SampleTest.test_dense[small]#0": [
            "in0 = keras.Input(batch_shape=(2, 3))",
            "out = layers.Dense(units=4, kernel_regularizer=keras.regularizers.L2(0.1))(in0)"],
        "SampleTest.test_dense[wide]#0": [
            "in0 = keras.Input(batch_shape=(2, 5))",
            "out = layers.Dense(units=8, kernel_regularizer=keras.regularizers.L2(0.1))(in0)"],
        "SampleTest.test_pool[0]#0": [
            "in0 = keras.Input(batch_shape=(2, 3, 8))",
            "out = layers.MaxPooling1D(data_format='channels_first')(in0)"],
        "SampleTest.test_pool[1]#0": [
            "in0 = keras.Input(batch_shape=(2, 8, 3))",
            "out = layers.MaxPooling1D(data_format='channels_last')(in0)"],
        "SampleTest.test_reshaped#0": [
            "in0 = keras.Input(batch_shape=(2, 4, 3), dtype='int32')",
            "out = layers.MaxPooling1D()(in0)"],
    }
    assert found.skipped == Counter({"init_kwargs not literal: make_units()": 1,
                                     "input_shape not literal: shape (assigned in a loop or a "
                                     "branch)": 1})
    # Classes and functions the test defines come with the script, with the imports they use
    # and the classes they derive from, before them; custom_objects change nothing.
    assert defined["SampleTest.test_computed#1"].splitlines()[3:6] == [
        "class LocalLayer(layers.Layer):", "    pass", ""]
    cell = defined["SampleTest.test_defined_here#0"]
    assert cell.startswith("from keras.src import ops\nimport keras\nfrom keras import layers\n")
    assert cell.index("class BaseCell(layers.Layer):") < cell.index("class Cell(BaseCell):")
    assert "out = layers.RNN(cell=Cell(4))(in0)" in cell
    function = defined["SampleTest.test_defined_here#1"]
    assert "def doubled(x):" in function and "layers.Lambda(function=doubled)" in function
    # backend.backend() is the oracle's, TensorFlow; a sparse copy has the array's shape.
    assert defined["SampleTest.test_defined_here#2"].splitlines()[2] == \
        "in0 = keras.Input(batch_shape=(2, 6), sparse=True)"
    for script in defined.values():
        ast.parse(script)
