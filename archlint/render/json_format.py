"""``--format json``: the machine-readable report (schema in the README)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from archlint.analysis import FileReport
from archlint.call_inference import model_calls
from archlint.cost.memory import MemoryEstimate, WeightBytes
from archlint.cost.model_costs import ModelCosts, model_costs
from archlint.cost.poly import cost_to_json
from archlint.cost.receptive_field import field_json
from archlint.cost.totals import ModelCost, row_cost
from archlint.diagnostics import Diagnostic
from archlint.dims import Dim, dim_to_json, holds_ragged
from archlint.engine import ModelAnalysis, frozen, layer_params
from archlint.graph import Call, Layer, Model, TensorRef
from archlint.render.location import locate
from archlint.summary_rows import NestedRow, Row, summary_rows
from archlint.unknown import Unknown

if TYPE_CHECKING:
    from archlint.notebook import CellIndex


def shape_to_json(shape: Any) -> Any:
    if isinstance(shape, list):
        return [shape_to_json(s) for s in shape]
    if isinstance(shape, tuple):
        return [dim_to_json(d) for d in shape]
    return None


def _ragged_axes(output: Any) -> list[int]:
    """The axes of a single output whose length differs from row to row (a ragged tensor)."""
    if not isinstance(output, tuple):
        return []
    return [axis for axis, dim in enumerate(output) if holds_ragged(dim)]


def _source_name(ref: TensorRef, call: Call) -> str:
    """The row a call's input comes from: its layer, or the nested model that made it."""
    path, depth = ref.call.nested_in, len(call.nested_in)
    if len(path) > depth and path[:depth] == call.nested_in:
        return path[depth].name
    return ref.call.layer.name


def _bytes(value: Dim | WeightBytes | None) -> int | str | None:
    if isinstance(value, WeightBytes):
        value = value.total
    return dim_to_json(value) if not isinstance(value, Unknown) else None


def layer_to_json(layer: Layer, model: Model, costs: ModelCosts | None = None
                  ) -> dict[str, Any]:
    first = layer.calls[0] if layer.calls else None
    params = layer_params(layer, model)
    split = None if isinstance(frozen(layer, model), Unknown) else params
    entry: dict[str, Any] = {
        "name": layer.name,
        "class": layer.class_name,
        "line": layer.span.line,
        "output_shape": shape_to_json(first.output) if first is not None else None,
        "params": dim_to_json(params.total) if params is not None else None,
        "trainable_params": dim_to_json(split.trainable) if split is not None else None,
        "non_trainable_params": dim_to_json(split.non_trainable) if split is not None
        else None,
        # Every tensor the call takes, initial_state= and the like included (Keras's
        # "Connected to").
        "inbound": [_source_name(ref, first) for ref in (*first.inbound, *first.side_inputs)]
        if first is not None else [],
    }
    if first is not None and isinstance(first.output, Unknown):
        entry["unknown_reason"] = first.output.describe()
    elif first is not None and first.params is None and first.params_unknown is not None:
        entry["unknown_reason"] = first.params_unknown.describe()  # the shape is known
    elif first is None and model.unresolved:  # a layer of a model that is never built
        entry["unknown_reason"] = f"not built: {model.unresolved[0].describe()}"
    elif first is None:
        entry["unknown_reason"] = "never called on a tensor, so Keras never builds it"
    if first is not None and first.error is not None:
        entry["error"] = {"code": first.error.code, "message": first.error.message}
    ragged = _ragged_axes(first.output) if first is not None else []
    if ragged:
        entry["ragged_axes"] = ragged
    if costs is not None:
        # The first call's activations and receptive field; weights once per layer.
        entry["weight_bytes"] = _bytes(costs.weights.get(id(layer)))
        entry["activation_bytes"] = _bytes(costs.activations.get(id(first), 0)) \
            if first is not None else None  # the model's inputs are not counted: 0
        field = costs.fields.get(id(first)) if first is not None else None
        entry["receptive_field"] = field_json(field) if field is not None else None
    if len(layer.calls) > 1:
        entry["calls"] = len(layer.calls)
        entry["call_output_shapes"] = [shape_to_json(c.output) for c in layer.calls]
    return entry


def nested_to_json(row: NestedRow, model: Model, costs: ModelCosts | None = None
                   ) -> dict[str, Any]:
    """A model called as a layer: one entry, as Keras's summary shows it, with its own
    rows under ``layers``."""
    params = row.params
    return {
        "name": row.name,
        "class": row.class_name,
        "line": row.line,
        "output_shape": shape_to_json(row.output),
        "params": dim_to_json(params.total) if params is not None else None,
        "trainable_params": dim_to_json(params.trainable) if params is not None else None,
        "non_trainable_params": dim_to_json(params.non_trainable) if params is not None
        else None,
        "inbound": row.inbound,
        "layers": rows_to_json(row.rows, model, costs),
        **({"unknown_reason": row.output.describe()} if isinstance(row.output, Unknown)
           else {}),
    }


def rows_to_json(rows: list[Row], model: Model, costs: ModelCosts | None = None
                 ) -> list[dict[str, Any]]:
    return [nested_to_json(row, model, costs) if isinstance(row, NestedRow)
            else layer_to_json(row, model, costs) for row in rows]


def memory_to_json(memory: MemoryEstimate) -> dict[str, Any]:
    """The model's memory in bytes; ``null`` where unknown, with ``unknown_reasons``."""
    weights, optimizer = memory.weights, memory.optimizer
    reasons = [part.reason for part in (weights, memory.activations, optimizer)
               if isinstance(part, Unknown)]
    known = weights if isinstance(weights, WeightBytes) else None
    training = memory.training
    entry: dict[str, Any] = {
        "weight_bytes": _bytes(known),
        "trainable_weight_bytes": _bytes(known.trainable) if known is not None else None,
        "activation_bytes_per_sample": _bytes(memory.activations),
        "optimizer": None if isinstance(optimizer, Unknown) else {
            "name": optimizer.name, "slots": optimizer.slots,
            "scalar_bytes": optimizer.scalar_bytes, "keras": optimizer.keras},
        "batch_size": memory.batch_size,
        # An integer, an expression in B (and the input lengths), or null.
        "training_bytes": _bytes(training) if training is not None else (
            None if reasons else memory.training_text().removesuffix(" B")),
    }
    if reasons:
        entry["unknown_reasons"] = reasons
    return entry


def add_costs(entries: list[dict[str, Any]], rows: list[Row], cost: ModelCost,
              calls: list[Call]) -> None:
    """Each row's ``flops`` and ``macs`` (its calls' in the outer model), nested rows too."""
    for entry, row in zip(entries, rows):
        if isinstance(row, NestedRow):
            found = row_cost(cost, calls, row.layer, row.model if row.layer is None else None)
            add_costs(entry["layers"], row.rows, cost, calls)
        else:
            found = row_cost(cost, calls, row)
        entry["flops"], entry["macs"] = cost_to_json(found.flops), cost_to_json(found.macs)
        if isinstance(found.flops, Unknown):
            entry["cost_unknown_reason"] = found.flops.describe()


def model_to_json(analysis: ModelAnalysis, batch_size: int | None = None) -> dict[str, Any]:
    model = analysis.model
    costs = model_costs(model, batch_size)
    entry = _model_entry(analysis, costs)
    rows, calls = summary_rows(model), model.calls or model_calls(model)
    add_costs(entry["layers"], rows, analysis.cost, calls)
    entry["total_flops"] = cost_to_json(analysis.cost.flops)
    entry["total_macs"] = cost_to_json(analysis.cost.macs)
    entry["flops_unknown_in"] = analysis.cost.unknown_in
    return entry


def _model_entry(analysis: ModelAnalysis, costs: ModelCosts) -> dict[str, Any]:
    model = analysis.model
    return {
        "name": model.name,
        "kind": model.kind,
        "line": model.span.line,
        "total_params": dim_to_json(analysis.total),
        "trainable_params": dim_to_json(analysis.trainable),
        "non_trainable_params": dim_to_json(analysis.non_trainable),
        "layers": rows_to_json(summary_rows(model), model, costs),
        "memory": memory_to_json(costs.memory),
        "min_input_length": {b.symbol: b.minimum for b in analysis.bounds},
        # Axes over several variable lengths that min_input_length alone does not satisfy.
        "input_length_requirements": [
            {"requirement": b.requirement, "layer": b.limiting_layer,
             "expression": b.expression} for b in analysis.joint_bounds],
    }


def report_to_json(reports: list[FileReport]) -> dict[str, Any]:
    files = []
    for report in reports:
        entry: dict[str, Any] = {
            "path": report.path,
            "models": [model_to_json(m, report.batch_size) for m in report.models],
            "diagnostics": [_diagnostic(d, report.cells) for d in report.diagnostics],
        }
        if report.cells is not None:
            for model in entry["models"]:
                _lines_in_cells(model, report.cells)
        if report.error:
            entry["error"] = report.error
        if report.search_spaces:
            from archlint.render.search_space import search_space_to_json

            # Each KerasTuner hypermodel's space, by function name.
            entry["search_space"] = {space.function: search_space_to_json(space)
                                     for space in report.search_spaces}
        files.append(entry)
    return {"files": files}


def _diagnostic(d: Diagnostic, cells: CellIndex | None) -> dict[str, Any]:
    """A finding; in a notebook, ``cell`` (1-based, over all cells) and lines in that cell."""
    where = locate(d.span, cells)
    entry: dict[str, Any] = {
        "code": d.code, "rule": d.rule, "severity": d.severity.value,
        "message": d.message, "line": where.line, "column": where.column,
        "end_line": where.end_line or where.line, "end_column": where.end_column,
        "model": d.model, "layer": d.layer,
    }
    if where.cell is not None:
        entry["cell"] = where.cell
    return entry


def _lines_in_cells(entry: dict[str, Any], cells: CellIndex) -> None:
    """A notebook's model or layer entry (and those nested in it): ``line`` becomes the line
    in its cell, next to ``cell``."""
    found = cells.locate(entry.get("line") or 0)
    if found is not None:
        entry["cell"], entry["line"] = found
    if "unknown_reason" in entry:
        entry["unknown_reason"] = cells.in_cells(entry["unknown_reason"])
    for layer in entry.get("layers", []):
        _lines_in_cells(layer, cells)


def render(reports: list[FileReport]) -> str:
    return json.dumps(report_to_json(reports)) + "\n"  # compact: the C encoder is 10x faster
