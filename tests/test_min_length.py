"""The minimum input length of deep strided models, checked against real Keras builds.

archlint reports the shortest length of a variable axis; Keras, given a model built at
that fixed length, must accept it (every layer gets >= 1 step), and must refuse one step
less. The lengths here are past 2**40, where a search over lengths used to give up.
"""

from __future__ import annotations

from typing import Any

import pytest

from archlint import engine
from archlint.analysis import analyse_source
from archlint.oracle.export import model_request
from archlint.render.text import model_lines
from archlint.unknown import Unknown
from tests.oracle import needs_keras, run_oracle

HEAD = "from keras import layers, Input, Model\nx = Input(shape=(None, 2))\nh = x\n"
SIXTEEN_BLOCKS = HEAD + (
    "for i in range(16):\n"
    "    h = layers.Conv1D(2, 3, strides=3)(h)\n"
    "    h = layers.MaxPooling1D(2, padding='same')(h)\n"
    "model = Model(x, layers.GlobalAveragePooling1D()(h))\n")
# A length joined with its own pooled copy, then cropped: a sum of sizes, searched.
JOINED = HEAD + (
    "for i in range(6):\n"
    "    h = layers.Conv1D(2, 5, strides=4, dilation_rate=1)(h)\n"
    "a = layers.Conv1D(2, 3, strides=2)(h)\n"
    "b = layers.MaxPooling1D(3)(h)\n"
    "h = layers.Concatenate(axis=1)([a, b])\n"
    "h = layers.Cropping1D((4, 3))(h)\n"
    "model = Model(x, layers.GlobalAveragePooling1D()(h))\n")
CASES = {"sixteen_blocks": SIXTEEN_BLOCKS, "joined": JOINED}


def _minimum(source: str) -> tuple[Any, int]:
    report = analyse_source(source, "model.py")
    (analysis,) = report.models
    (bound,) = analysis.bounds
    assert bound.minimum is not None and bound.unknown_reason is None
    return analysis, bound.minimum


def _graph_at(analysis: Any, graph_id: str, length: int) -> dict[str, Any]:
    """archlint's graph with its input fixed to ``length`` steps: Keras checks every
    layer's length when it builds (no forward pass: the lengths are far too long)."""
    graph = model_request(analysis.model, graph_id)
    graph["inputs"][0]["shape"] = [length, 2]
    graph["forward"] = []
    return graph


@pytest.fixture(scope="module")
@needs_keras
def built(request: pytest.FixtureRequest) -> dict[str, Any]:
    graphs, minima = [], {}
    for name, source in CASES.items():
        analysis, minimum = _minimum(source)
        minima[name] = minimum
        graphs += [_graph_at(analysis, f"{name}@min", minimum),
                   _graph_at(analysis, f"{name}@min-1", minimum - 1)]
    cache = getattr(request.config, "cache", None)
    return {"minima": minima, **{v: run_oracle(graphs, v, cache) for v in ("3", "2")}}


def test_sixteen_strided_blocks_report_their_exact_length() -> None:
    analysis, minimum = _minimum(SIXTEEN_BLOCKS)
    assert minimum > 2**40
    last = analysis.model.calls[-2]  # the last pooling layer: the deepest size
    assert last.layer.name == "max_pooling1d_15"
    assert last.output[1].evaluate({"T": minimum}) == 1
    assert last.output[1].evaluate({"T": minimum - 1}) == 0
    report = analyse_source(SIXTEEN_BLOCKS, "model.py")
    (finding,) = [d for d in report.diagnostics if d.code == "AL107"]
    assert f"T >= {minimum} timesteps" in finding.message
    assert not [d for d in report.diagnostics if d.severity.value == "error"]


@pytest.mark.keras
@pytest.mark.parametrize("keras", ["3", "2"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_builds_at_the_minimum_and_refuses_one_less(built, keras, name) -> None:
    at_minimum, below = built[keras][f"{name}@min"], built[keras][f"{name}@min-1"]
    assert "build_error" not in at_minimum, at_minimum.get("build_error")
    last = at_minimum["calls"]["global_average_pooling1d"]["declared_shape"]
    assert last == [None, 2]
    steps = [shape["declared_shape"][1] for call, shape in at_minimum["calls"].items()
             if call != "global_average_pooling1d"]
    assert min(steps) == 1  # the limiting layer gets exactly one step
    # One step less: Keras refuses a layer, or a layer gets no step at all.
    refused = "build_error" in below
    empty = any(shape["declared_shape"][1] == 0 for call, shape in below["calls"].items()
                if call != "global_average_pooling1d")
    assert refused or empty, below


def test_a_huge_pooling_window_is_a_length_not_an_error() -> None:
    # The search used to give up at 2**40 and call this "below 1 for every length".
    source = HEAD + ("h = layers.MaxPooling1D(2**41)(h)\n"
                     "model = Model(x, layers.GlobalAveragePooling1D()(h))\n")
    report = analyse_source(source, "model.py")
    assert [(b.symbol, b.minimum) for b in report.models[0].bounds] == [("T", 2**41)]
    assert [d.code for d in report.diagnostics] == ["AL107"]


def test_a_minimum_that_cannot_be_worked_out_is_reported_unknown(monkeypatch) -> None:
    source = HEAD + ("h = layers.Conv1D(2, 10)(h)\nh = layers.MaxPooling1D(2)(h)\n"
                     "model = Model(x, layers.GlobalAveragePooling1D()(h))\n")
    real = engine.min_symbol_value

    def no_inverse_for_pooling(dim: Any, symbol: str) -> Any:
        return Unknown("no inverse") if "//" in str(dim) else real(dim, symbol)

    monkeypatch.setattr(engine, "min_symbol_value", no_inverse_for_pooling)
    report = analyse_source(source, "model.py")
    (analysis,) = report.models
    (bound,) = analysis.bounds
    assert bound.minimum is None and bound.unknown_reason == "no inverse"
    assert bound.at_least == 10  # what the conv's T-9 needs: a lower bound for crosscheck
    assert analysis.shortest_common_length == 10
    assert [d.code for d in report.diagnostics] == ["AL107"]  # no AL101: not refused
    message = report.diagnostics[0].message
    assert "outputs (T-9)//2 >= 1 steps" in message
    assert "cannot work out the shortest T" in message and "need T >= 10" in message
    text = "".join(part for line in model_lines(analysis) for part, _ in line)
    assert "Minimum input length: T unknown (max_pooling1d outputs (T-9)//2 steps: no " \
        "inverse)" in text


def test_an_unknown_layer_makes_the_minimum_a_lower_bound() -> None:
    source = ("import sys\n" + HEAD + "h = layers.Conv1D(2, 10)(h)\n"
              "h = layers.MaxPooling1D(int(sys.argv[1]))(h)\n"
              "model = Model(x, layers.GlobalAveragePooling1D()(h))\n")
    report = analyse_source(source, "model.py")
    (bound,) = report.models[0].bounds
    assert bound.minimum is None and bound.at_least == 10
    assert bound.limiting_layer == "max_pooling1d" and "T-9" in bound.unknown_reason
    (finding,) = [d for d in report.diagnostics if d.code == "AL107"]
    assert finding.message.startswith("Model 'functional' needs T >= 10 at least, and maybe more")
