"""Search spaces bounded from the formulas: the hyperparameters that are only layer sizes
kept as symbols, one analysis per structure.

The bounds must be those of a walk of every point, on spaces small enough to walk; on
examples/tuner_large_search.py (1,397,760 points) the values reaching each bound are built
by real Keras 3 and tf-keras, whose figures (and TensorFlow's profiler's FLOPs) must be the
bounds, and the structures archlint says Keras refuses are refused.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from archlint.analysis import analyse_file, analyse_source
from archlint.render.json_format import report_to_json
from archlint.render.text import report_lines
from archlint.search_space import space as space_module
from archlint.search_space.space import SearchSpace
from tests.test_search_space import EXAMPLE, FIGURES_PRELUDE, SCRIPT, _run_keras

ROOT = Path(__file__).resolve().parent.parent
LARGE = ROOT / "examples" / "tuner_large_search.py"

# Sizes of an embedding, a recurrent layer, attention heads and convolution filters, with a
# kernel that decides the structure (too long for some inputs: refused).
SEQUENCE = """\
import keras
from keras import layers


def build_model(hp):
    inputs = keras.Input(shape=(12,), dtype="int32")
    x = layers.Embedding(hp.Choice("vocabulary", [100, 1000]), 16)(inputs)
    x = layers.LSTM(hp.Choice("units", [16, 32]), return_sequences=True)(x)
    filters = hp.Int("filters", 8, 24, step=8)
    x = layers.Conv1D(filters, hp.Choice("kernel", [3, 13]))(x)
    x = layers.MultiHeadAttention(num_heads=hp.Int("heads", 1, 2),
                                  key_dim=hp.Choice("key_dim", [4, 8]))(x, x)
    x = layers.GlobalMaxPooling1D()(x)
    return keras.Model(inputs, layers.Dense(3)(x))
"""

# Sizes through arithmetic that keeps them sizes: halved, doubled plus 4, divided by 8.
ARITHMETIC = """\
import keras
from keras import layers


def build_model(hp):
    units = hp.Int("units", 8, 64, step=8)
    inputs = keras.Input(shape=(10, 4))
    x = layers.Conv1D(units // 2, hp.Choice("kernel", [3, 11]))(inputs)
    x = layers.GRU(2 * units + 4)(x)
    x = layers.Dense(hp.Choice("head", [16, 32, 64]) // 8)(x)
    return keras.Model(inputs, layers.Dense(hp.Int("classes", 2, 10))(x))
"""

SPACES = {"branches": SCRIPT, "example": EXAMPLE.read_text(), "sequence": SEQUENCE,
          "arithmetic": ARITHMETIC}


def _space(source: str) -> SearchSpace:
    [space] = analyse_source(source, "model.py").search_spaces
    return space


def _by_formulas(source: str, monkeypatch: pytest.MonkeyPatch) -> SearchSpace:
    """The space with too small a budget to walk every point."""
    monkeypatch.setattr(space_module, "MAX_EXHAUSTIVE_POINTS", 30)
    monkeypatch.setattr(space_module, "MIN_POINTS", 30)
    return _space(source)


@pytest.mark.parametrize("name", sorted(SPACES))
def test_the_formulas_give_the_bounds_a_walk_of_every_point_gives(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    walked = _space(SPACES[name])
    assert walked.exhaustive and not walked.from_formulas
    bounded = _by_formulas(SPACES[name], monkeypatch)
    assert bounded.from_formulas and not bounded.exhaustive, bounded.no_formulas
    assert bounded.bounds == walked.bounds  # "sampled" where a figure is unknown somewhere
    assert bounded.structures < walked.points <= 1024
    assert (bounded.points, bounded.built) == (walked.points, walked.built)
    for ours, theirs in zip(bounded.metrics, walked.metrics, strict=True):
        assert (ours.name, ours.minimum, ours.maximum, ours.unknown_points) == \
            (theirs.name, theirs.minimum, theirs.maximum, theirs.unknown_points)
    assert [(r.code, r.line, r.points, r.whenever, r.exactly) for r in bounded.refusals] == \
        [(r.code, r.line, r.points, r.whenever, r.exactly) for r in walked.refusals]


def test_a_size_used_for_anything_else_is_walked_value_by_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = SEQUENCE.replace('filters = hp.Int("filters", 8, 24, step=8)',
                              'filters = hp.Int("filters", 8, 24, step=8)\n'
                              '    if filters > 8:\n        x = layers.Dropout(0.1)(x)')
    space = _by_formulas(source, monkeypatch)
    assert space.from_formulas and "filters" not in space.sizes
    assert space.sizes == ["vocabulary", "units", "heads", "key_dim"]


def test_arithmetic_that_can_make_a_size_0_is_walked_value_by_value(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # head // 32 is 0 for head=16: Keras refuses that Dense, so head is no size.
    space = _by_formulas(ARITHMETIC.replace("// 8", "// 32"), monkeypatch)
    assert not space.from_formulas and space.no_formulas is not None
    walked = _space(ARITHMETIC.replace("// 8", "// 32"))
    assert [r.example["head"] for r in walked.refusals if r.code == "AL108"] == [16]


def test_a_refusal_for_some_sizes_only_leaves_the_space_sampled(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Add needs both widths equal: Keras refuses some values of the sizes, not a structure.
    source = SCRIPT.replace(
        '    model.add(layers.Dense(1))\n',
        '    model.add(layers.Dense(1))\n'
        '    inp = keras.Input(shape=(4,))\n'
        '    total = layers.Add()([layers.Dense(hp.Int("a", 1, 8))(inp), '
        'layers.Dense(hp.Int("b", 1, 8))(inp)])\n'
        '    return keras.Model(inp, total)\n')
    space = _by_formulas(source, monkeypatch)
    assert not space.from_formulas and space.bounds == "sampled"
    assert space.no_formulas is not None and "AL110" in space.no_formulas


@pytest.fixture(scope="module")
def large() -> SearchSpace:
    [space] = analyse_file(LARGE).search_spaces
    return space


def test_the_large_example_is_bounded_from_the_formulas(large: SearchSpace) -> None:
    assert large.from_formulas and large.bounds == "exact" and large.structures == 140
    assert large.sizes == ["filters_0", "filters_1", "filters_2", "units"]
    values = {hp.name: len(hp.values or ()) for hp in large.hyperparameters}
    blocks = sum(math.prod(values[f"{n}_{b}"] for b in range(count) for n in ("filters",
                                                                             "kernel"))
                 for count in range(1, 4))
    assert large.points == blocks * values["global_pooling"] * values["units"] * \
        values["dropout"]
    [refusal] = large.refusals
    assert refusal.code == "AL101" and large.built + refusal.points == large.points


def test_the_large_example_in_text_and_json() -> None:
    report = analyse_file(LARGE)
    text = "\n".join("".join(s for s, _ in line) for line in report_lines([report]))
    assert "1,397,760 points, bounded from the formulas: exact bounds (140 structures " \
        "analysed, filters_0, filters_1, filters_2, units kept as symbols" in text
    found = report_to_json([report])["files"][0]["search_space"]["build_model"]
    json.dumps(found)
    assert found["bounds"] == "exact" and found["from_formulas"] is True
    assert found["structures"] == 140 and found["points"] == 1_397_760


# ------------------------------------------------------------------ real Keras, real KerasTuner

_RUNNER = FIGURES_PRELUDE + r"""
with open(sys.argv[2]) as handle:
    request = json.load(handle)
scope = {}
exec(compile(request["source"], "tuner_large_search.py", "exec"), scope)
out = {}
for name, values in request["builds"].items():
    hp = kt.HyperParameters()
    for hp_name, value in values.items():
        hp.Fixed(hp_name, value)
    keras.backend.clear_session()
    try:
        out[name] = figures(scope["build_model"](hp))
    except Exception as error:
        out[name] = {"refused": f"{type(error).__name__}: {error}"[:300]}
print(json.dumps(out))
"""


@pytest.mark.keras
def test_the_large_examples_bounds_are_real_keras_builds(large: SearchSpace,
                                                         tmp_path: Path) -> None:
    [refusal] = large.refusals
    builds: dict[str, dict[str, Any]] = {"refused example": refusal.example}
    for metric in large.metrics:
        builds[f"{metric.name} minimum"] = metric.minimum_at
        builds[f"{metric.name} maximum"] = metric.maximum_at
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"source": LARGE.read_text().split("\ntuner = ")[0],
                                   "builds": builds}))
    processes = {version: _run_keras(version, request, _RUNNER) for version in ("3", "2")}
    for version, process in processes.items():
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
        built = json.loads(stdout.strip().splitlines()[-1])
        assert "refused" in built["refused example"], version
        for metric in large.metrics:
            for end, figure in (("minimum", metric.minimum), ("maximum", metric.maximum)):
                found = built[f"{metric.name} {end}"]
                assert "refused" not in found, (version, metric.name, end, found)
                assert found[metric.name] == figure, (version, metric.name, end)
    print(f"\nsearch space of {LARGE.name}: {large.points:,} points from {large.structures} "
          f"structures; each bound built by Keras 3 and tf-keras")
