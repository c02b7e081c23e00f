"""A Sequential with no input shape: Keras 3 builds it on the first data it sees, so
archlint analyses it on the input its first layer implies, with named sizes: as many axes
as the first layer requires (``T``, ``F``; ``H``, ``W``, ``C``), or, where the first layer
takes any rank, a tensor of unknown rank whose last axis is named.

Every figure is checked against real Keras builds of the same layers on inputs that bind the
names to two values and, where the rank is unknown, on two ranks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from archlint.analysis import FileReport, Settings, analyse_source, default_settings
from archlint.dims import evaluate
from archlint.engine import ModelAnalysis
from archlint.oracle.export import model_request
from archlint.rank_free import UnknownRank
from archlint.render.text import model_lines
from tests.oracle import needs_keras, run_oracle

HEAD = "import keras\nfrom keras import layers\n"

# name: (the Sequential's layers, the built inputs: {axis names: shapes to build on}).
CASES: dict[str, tuple[str, list[dict[str, int]], list[tuple[str, ...]]]] = {
    # Dense takes any rank: unknown rank, last axis F; built on rank 2 and rank 3.
    "dense": ("layers.Dense(64, activation='relu'), layers.Dropout(0.2), layers.Dense(10)",
              [{"F": 7}, {"F": 19}], [("F",), ("S", "F")]),
    # Embedding too; the 1-D pooling after it allows a single rank, which the data must have.
    "embedding": ("layers.Embedding(1000, 16), layers.GlobalAveragePooling1D(), "
                  "layers.Dense(1)", [{"T": 7}, {"T": 19}], [("T",)]),
    "lstm": ("layers.LSTM(32, return_sequences=True), layers.LSTM(8), layers.Dense(1)",
             [{"T": 7, "F": 3}, {"T": 19, "F": 5}], [("T", "F")]),
    "conv1d": ("layers.Conv1D(6, 5, padding='causal'), layers.GlobalMaxPooling1D(), "
               "layers.Dense(3)", [{"T": 7, "F": 3}, {"T": 19, "F": 5}], [("T", "F")]),
    "conv2d": ("layers.Conv2D(8, 3), layers.MaxPooling2D(), layers.Conv2D(4, 3), "
               "layers.GlobalAveragePooling2D(), layers.Dense(2)",
               [{"H": 9, "W": 12, "C": 3}, {"H": 16, "W": 10, "C": 1}], [("H", "W", "C")]),
    # Flatten multiplies named sizes: 4*((H-2)//2)*((W-2)//2), a number once built.
    "flatten": ("layers.Conv2D(4, 3), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2)",
                [{"H": 9, "W": 12, "C": 3}, {"H": 16, "W": 10, "C": 1}], [("H", "W", "C")]),
}
EXTRA_AXIS = 4  # the size of the extra leading axis of a rank-3 build ("S")


def script(case: str, input_shape: tuple[int, ...] | None = None) -> str:
    first = f"keras.Input({input_shape!r}), " if input_shape is not None else ""
    return f"{HEAD}model = keras.Sequential([{first}{CASES[case][0]}])\n"


def only_model(report: FileReport) -> ModelAnalysis:
    assert len(report.models) == 1
    return report.models[0]


def builds(case: str) -> list[tuple[str, dict[str, int], tuple[int, ...]]]:
    """(graph id, bound values, input shape) for each real build of a case."""
    _, bindings, ranks = CASES[case]
    found = []
    for values in bindings:
        for axes in ranks:
            shape = tuple(EXTRA_AXIS if a == "S" else values[a] for a in axes)
            found.append((f"{case}@{shape}", values, shape))
    return found


@pytest.fixture(scope="module")
@needs_keras
def built(request: pytest.FixtureRequest) -> dict[str, Any]:
    graphs = []
    for case in CASES:
        for graph_id, _, shape in builds(case):
            graph = model_request(only_model(analyse_source(script(case, shape))).model,
                                  graph_id)
            graph["forward"] = []
            graphs.append(graph)
    cache = getattr(request.config, "cache", None)
    return {v: run_oracle(graphs, v, cache) for v in ("3", "2")}


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_figure_matches_keras_built_on_data_of_any_size(built, keras, case) -> None:
    analysis = only_model(analyse_source(script(case)))
    first_input = {id(ref.call) for ref in analysis.model.inputs}
    for graph_id, values, _ in builds(case):
        result = built[keras][graph_id]
        assert "build_error" not in result, result.get("build_error")
        for call in analysis.model.calls:
            if id(call) in first_input:
                continue
            name = call.layer.name
            declared = result["calls"][name]["declared_shape"]
            if isinstance(call.output, UnknownRank):  # its last axes hold for every rank
                tail = [evaluate(d, values) for d in call.output.tail]
                assert tail == declared[-len(tail):], (name, graph_id)
            else:
                assert isinstance(call.output, tuple), (name, call.output)
                ours = [evaluate(d, values) for d in call.output[1:]]
                assert ours == declared[1:], (name, graph_id)
            assert call.params is not None, (name, call.params_unknown)
            params = result["layers"][name].get("declared_params") or {}
            assert evaluate(call.params.total, values) == sum(params.values()), (name, graph_id)


def test_the_parameters_the_data_does_not_decide_are_numbers() -> None:
    analysis = only_model(analyse_source(script("dense")))
    params = {c.layer.name: str(c.params.total) for c in analysis.model.calls
              if c.params is not None}
    assert params == {"input_layer": "0", "dense": "64*F+64", "dropout": "0", "dense_1": "650"}
    assert str(analysis.total) == "64*F+714"
    text = "\n".join("".join(cell for cell, _ in row) for row in model_lines(analysis))
    assert "(None, ..., 64)" in text and "Total params: 64*F+714" in text


def test_a_first_layer_of_fixed_rank_gives_every_axis_a_name() -> None:
    analysis = only_model(analyse_source(script("conv2d")))
    conv = next(c for c in analysis.model.calls if c.layer.name == "conv2d")
    assert str(conv.output) == "(None, H-2, W-2, 8)"
    assert str(conv.params.total) == "72*C+8"


def test_the_finding_says_when_keras_builds_it_and_which_names_stand_for_the_data() -> None:
    report = analyse_source(script("lstm"))
    [info] = [d for d in report.diagnostics if d.code == "AL001"]
    assert "Keras 3 builds it on the first data it sees" in info.message
    assert "`T`, `F`" in info.message
    assert [d for d in report.diagnostics if d.severity.value == "error"] == []


def test_a_bound_name_gives_numbers() -> None:
    report = analyse_source(script("dense"), settings=Settings(default_settings().rules,
                                                                values={"F": 7}))
    assert only_model(report).total == 64 * 7 + 714


def test_a_sequential_built_later_keeps_its_build_shape() -> None:
    report = analyse_source(f"{HEAD}model = keras.Sequential([{CASES['dense'][0]}])\n"
                            "model.build((None, 5))\n")
    assert only_model(report).total == 64 * 5 + 714


@pytest.mark.keras
def test_crosscheck_agrees_where_archlint_leaves_a_size_unknown(tmp_path) -> None:
    # Flatten over (H-2)//2 by (W-2)//2: a product of named sizes, bound to two values.
    path = tmp_path / "model.py"
    path.write_text(f"{HEAD}model = keras.Sequential([layers.Conv2D(4, 3), "
                    "layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2)])\n")
    result = subprocess.run([sys.executable, "-m", "archlint", "crosscheck", "--format",
                             "json", str(path)], capture_output=True, text=True, check=False,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    models = json.loads(result.stdout)["models"]
    assert len(models) == 4  # two bindings of the named sizes, two Keras versions
    assert {m["verdict"] for m in models} == {"agree"}, result.stdout[-3000:]


def test_json_says_why_a_parameter_count_is_unknown_beside_a_known_shape() -> None:
    from archlint.render.json_format import report_to_json
    # The Dense's kernel multiplies five sizes (four axes and its units): past what archlint
    # keeps, so unknown, with the reason.
    report = analyse_source(f"{HEAD}import argparse\nargs = argparse.ArgumentParser()"
                            ".parse_args()\nmodel = keras.Sequential([layers.Conv3D(args.f, 3), "
                            "layers.Flatten(), layers.Dense(args.units)])\n")
    layers_ = report_to_json([report])["files"][0]["models"][0]["layers"]
    dense = next(layer for layer in layers_ if layer["class"] == "Dense")
    assert dense["output_shape"] == [None, "args.units"] and dense["params"] is None
    assert "product" in dense["unknown_reason"]
