"""Reports of ``archlint crosscheck``: a table per model and Keras version, or JSON."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from archlint.crosscheck import (
    AGREE,
    ARCHLINT_DIFFERS,
    KERAS_DECLARES_WRONG,
    REFUSED_AS_EXPECTED,
    SKIPPED,
    ModelVerdict,
)
from archlint.dims import format_shape
from archlint.render.escape import visible
from archlint.render.json_format import shape_to_json

STYLES = {AGREE: "green", KERAS_DECLARES_WRONG: "yellow", ARCHLINT_DIFFERS: "bold red",
          REFUSED_AS_EXPECTED: "green", SKIPPED: "dim"}


def _shape(value: Any) -> str:
    if isinstance(value, tuple):
        return format_shape(value)
    if isinstance(value, list) and value and isinstance(value[0], (list, tuple)):
        return "[" + ", ".join(_shape(v) for v in value) + "]"
    if isinstance(value, list):
        return format_shape(tuple(value))
    return "?"


def _count(value: int | None) -> str:
    return f"{value:,}" if value is not None else "?"


def _flops_lines(verdict: ModelVerdict) -> list[str]:
    """FLOPs against TensorFlow's profiler: each difference, then the model's total."""
    checked = [layer for layer in verdict.layers if layer.flops_note]
    if not checked:
        return []
    lines = [f"FLOPs of {layer.name}: {layer.flops_note}"
             for layer in verdict.flops_differences]
    compared = [layer for layer in checked if not layer.flops_note.startswith("not checked")]
    notes = {layer.flops_note for layer in checked}
    if not compared and len(notes) == 1:  # one reason for every layer: say it once
        return [*lines, f"FLOPs {notes.pop()}"]
    agree = sum(1 for layer in compared if layer.flops_note == "agree")
    total = (f"; whole graph: archlint {_count(verdict.flops)}, profiler "
             f"{_count(verdict.profiled_flops)}") if verdict.profiled_flops is not None else ""
    unchecked = len(checked) - len(compared)
    lines.append(f"FLOPs agree with TensorFlow's profiler on {agree} of {len(compared)} layers "
                 f"compared ({len(verdict.flops_differences)} differ"
                 f"{f', {unchecked} not checked' if unchecked else ''}){total}")
    return lines


def render_text(verdicts: list[ModelVerdict], console: Console) -> None:
    plain = not console.is_terminal or console.no_color
    for verdict in verdicts:
        keras = f"Keras {verdict.keras_version}" if verdict.keras else "Keras"
        title = visible(f"{verdict.path}: model \"{verdict.model}\" vs {keras}")
        if verdict.lengths:
            title += f" (forward passes at length {' and '.join(map(str, verdict.lengths))})"
        console.print(Text(title, style="" if plain else "bold"))
        if verdict.layers:
            table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
            for column in ("Layer", "archlint", "Keras declares", "Forward pass", "Verdict"):
                table.add_column(column)
            for layer in verdict.layers:
                forward = " / ".join(_shape(s) for s in layer.forward_shapes) or "-"
                table.add_row(
                    visible(f"{layer.name} ({layer.class_name})"),
                    f"{_shape(layer.archlint_shape)} {_count(layer.archlint_params)}",
                    f"{_shape(layer.declared_shape)} {_count(layer.declared_params)}",
                    f"{forward} {_count(layer.forward_params)}",
                    Text(visible(layer.verdict + (f": {layer.note}" if layer.note else "")),
                         style="" if plain else STYLES.get(layer.verdict, "")))
            console.print(table)
            for text in _flops_lines(verdict):
                console.print(Text(visible(text)))
        note = f" ({verdict.note})" if verdict.note else ""
        line = visible(f"Verdict: {verdict.verdict}{note}")
        console.print(Text(line, style="" if plain else STYLES.get(verdict.verdict, "")))
        console.print()
    agree = sum(1 for v in verdicts if v.archlint_agrees and v.verdict != SKIPPED)
    skipped = sum(1 for v in verdicts if v.verdict == SKIPPED)
    console.print(Text(f"archlint agrees with the forward pass on {agree} of "
                       f"{len(verdicts) - skipped} model builds ({skipped} skipped)"))


def to_json(verdicts: list[ModelVerdict]) -> str:
    def layer(entry: Any) -> dict[str, Any]:
        return {"name": entry.name, "class": entry.class_name,
                "archlint": {"output_shape": shape_to_json(entry.archlint_shape),
                             "params": entry.archlint_params},
                "declared": {"output_shape": entry.declared_shape,
                             "params": entry.declared_params},
                "forward": {"output_shapes": entry.forward_shapes,
                            "params": entry.forward_params},
                "verdict": entry.verdict, "note": entry.note,
                "flops": {"archlint": entry.flops, "profiler": entry.profiled_flops,
                          "note": entry.flops_note}}

    return json.dumps({"models": [{
        "path": v.path, "model": v.model, "keras": v.keras, "keras_version": v.keras_version,
        "forward_lengths": v.lengths, "verdict": v.verdict, "note": v.note,
        "archlint_agrees": v.archlint_agrees, "layers": [layer(e) for e in v.layers],
        "flops": {"archlint": v.flops, "profiler": v.profiled_flops},
    } for v in verdicts]}) + "\n"
