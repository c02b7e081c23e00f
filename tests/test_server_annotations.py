"""What the language server shows next to the code, from a report, in this process: the
inlay texts and hover rows agree with the check's JSON report of the same script."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest
from click.testing import CliRunner

from archlint.analysis import analyse_source
from archlint.cli import main
from archlint.render import json_format
from archlint.server.annotations import hover_markdown, line_labels

SCRIPT = """\
import keras
from keras import layers

inp = keras.Input((8,))
h = layers.Dense(4)(inp)
encoder = keras.Model(inp, h)

x = keras.Input((8,))
y = encoder(x)
z = layers.Dense(2)(y)
model = keras.Model(x, z)
shared = layers.Dense(2)
a = shared(z)
b = shared(a)


def block(t):
    return layers.Dense(2)(t)


c = block(b)
d = block(c)
"""


def line_of(text: str) -> int:
    return SCRIPT.splitlines().index(text) + 1


def label(entry: dict[str, Any]) -> str:
    dims = ", ".join("None" if d is None else str(d) for d in entry["output_shape"])
    return f"→ ({dims}) · {entry['params']:,} params"


@pytest.fixture(scope="module")
def report_and_json():
    report = analyse_source(SCRIPT, "nested.py")
    (file,) = json.loads(json_format.render([report]))["files"]
    return report, {m["name"]: m for m in file["models"]}


def test_a_model_called_as_a_layer_has_its_row_on_the_call(report_and_json) -> None:
    report, models = report_and_json
    nested = next(row for row in models["functional_1"]["layers"] if "layers" in row)
    labels = line_labels(report)
    assert labels[line_of("y = encoder(x)")] == label(nested)
    markdown, _ = hover_markdown(report, line_of("y = encoder(x)"))
    assert f"| `{nested['name']} (Functional)` |" in markdown


def test_a_shared_layer_shows_its_weights_where_made_and_shapes_where_called(
        report_and_json) -> None:
    report, _ = report_and_json
    (shared,) = [layer for layer in report.layers if layer.span.line == line_of(
        "shared = layers.Dense(2)")]
    first, second = shared.calls
    labels = line_labels(report)
    assert labels[line_of("shared = layers.Dense(2)")] == f"{first.params.total:,} params"
    assert labels[line_of("a = shared(z)")].startswith(f"→ {first.output}")
    assert labels[line_of("b = shared(a)")].startswith(f"→ {second.output}")


def test_a_line_run_twice_says_so(report_and_json) -> None:
    report, _ = report_and_json
    line = line_of("    return layers.Dense(2)(t)")
    assert line_labels(report)[line].endswith(" (2 calls)")
    # Two layers were made there; the hover row is the first one's, called once.
    markdown, _ = hover_markdown(report, line)
    assert "calls" not in markdown.splitlines()[-1]


def test_a_line_that_makes_no_layer_has_no_hover(report_and_json) -> None:
    report, _ = report_and_json
    assert hover_markdown(report, line_of("model = keras.Model(x, z)")) is None


def test_a_layer_handed_to_a_wrapper_has_no_row_of_its_own() -> None:
    script = ("import keras\nx = keras.Input((5, 3))\nforward = keras.layers.LSTM(4)\n"
              "y = keras.layers.Bidirectional(forward)(x)\n")
    report = analyse_source(script, "wrapped.py")
    assert hover_markdown(report, 3) is None
    assert hover_markdown(report, 4) is not None


def test_the_server_without_pygls_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "pygls" else real(name, *args))
    result = CliRunner().invoke(main, ["server"])
    assert result.exit_code == 2
    assert 'pip install "archlint[lsp]"' in result.output


def test_the_hints_of_a_line_follow_the_order_the_calls_run() -> None:
    line = "e = layers.Dense(3)(encoder(x))"
    script = SCRIPT + line + "\nwider = keras.Model(x, e)\n"
    report = analyse_source(script, "order.py")
    number = script.splitlines().index(line) + 1
    (outer,) = [layer for layer in report.layers if layer.span.line == number]
    inner, last = line_labels(report)[number].split("; ")  # encoder(x) runs first
    assert inner.startswith("→ ") and last.startswith(f"→ {outer.calls[0].output}")
