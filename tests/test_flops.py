"""The FLOPs and MACs of whole scripts, without TensorFlow: symbolic and named sizes carried
through, shared layers, unknowns, and how the text and JSON reports show them. The per-family
figures are checked against TensorFlow's profiler in tests/test_cost_keras.py."""

from __future__ import annotations

from archlint.analysis import analyse_source
from archlint.cost.poly import evaluate_cost
from archlint.render.json_format import model_to_json
from archlint.render.text import model_lines
from archlint.unknown import Unknown

NAMED = """
import argparse
import keras
from keras import layers

parser = argparse.ArgumentParser()
parser.add_argument("--units", type=int)
args = parser.parse_args()

inp = keras.Input(shape=(None, 16))
x = layers.Dense(args.units)(inp)
y = layers.LSTM(8)(x)
model = keras.Model(inp, y)
"""

SHARED = """
import keras
from keras import layers

a = keras.Input(shape=(10,))
b = keras.Input(shape=(10,))
dense = layers.Dense(4)
merged = layers.Add()([dense(a), dense(b)])
model = keras.Model([a, b], merged)
"""

UNKNOWN = """
import keras
from keras import layers

inp = keras.Input(shape=(2, 6, 8))
x = layers.MultiHeadAttention(num_heads=2, key_dim=4)(inp, inp)  # rank 4: not checked
y = layers.Dense(3)(x)
model = keras.Model(inp, y)
"""


def _text(analysis: object) -> str:
    return "\n".join("".join(part for part, _ in line) for line in model_lines(analysis))


def test_named_sizes_and_lengths_carry_through() -> None:
    analysis = analyse_source(NAMED).models[0]
    cost = analysis.cost
    # Dense: 2*16 + 1 per output element; LSTM per step 8u(F+u) + 12u with F = args.units.
    assert str(cost.flops) == "97*T*args.units+608*T"
    assert str(cost.macs) == "48*T*args.units+256*T"
    assert evaluate_cost(cost.flops, {"T": 5, "args.units": 3}) == 97 * 15 + 608 * 5
    text = _text(analysis)
    assert "Total FLOPs: 97*T*args.units+608*T" in text
    assert "33*T*args.units" in text
    entry = model_to_json(analysis)
    assert entry["total_flops"] == "97*T*args.units+608*T"
    dense = next(layer for layer in entry["layers"] if layer["class"] == "Dense")
    assert dense["flops"] == "33*T*args.units" and dense["macs"] == "16*T*args.units"


def test_a_shared_layer_costs_once_per_call() -> None:
    analysis = analyse_source(SHARED).models[0]
    entry = model_to_json(analysis)
    dense = next(layer for layer in entry["layers"] if layer["class"] == "Dense")
    add = next(layer for layer in entry["layers"] if layer["class"] == "Add")
    assert dense["flops"] == 2 * (2 * 10 * 4 + 4) and dense["macs"] == 2 * 40
    assert add["flops"] == 4
    assert entry["total_flops"] == dense["flops"] + add["flops"]
    assert entry["flops_unknown_in"] == []


def test_an_unchecked_layer_makes_the_total_unknown_and_is_named() -> None:
    analysis = analyse_source(UNKNOWN).models[0]
    assert isinstance(analysis.cost.flops, Unknown)
    assert analysis.cost.unknown_in == ["multi_head_attention"]
    entry = model_to_json(analysis)
    assert entry["total_flops"] is None and entry["total_macs"] is None
    attention = entry["layers"][1]
    assert attention["flops"] is None and "MultiHeadAttention" in \
        attention["cost_unknown_reason"]
    assert entry["layers"][2]["flops"] == 2 * 6 * (2 * 8 * 3 + 3)  # the rest still counts
    text = _text(analysis)
    assert "Total FLOPs: ?" in text and "Unknown FLOPs in: multi_head_attention" in text
