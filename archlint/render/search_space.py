"""KerasTuner search spaces in the text report and in JSON (``search_space``)."""

from __future__ import annotations

from typing import Any

from archlint.dims import count_to_str
from archlint.render.escape import visible
from archlint.search_space.hyperparameters import AnyValue
from archlint.search_space.space import MetricRange, Refusal, SearchSpace

Line = list[tuple[str, str]]


def _values(assignment: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in assignment.items()) or \
        "no hyperparameter"


def _plain(assignment: dict[str, Any]) -> dict[str, Any]:
    """Values for JSON: any value of a range is {"any": [low, high]}."""
    return {name: {"any": [value.low, value.high]} if isinstance(value, AnyValue) else value
            for name, value in assignment.items()}


def _title(space: SearchSpace) -> str:
    where = f"Search space of {space.function}() (line {space.line})"
    if space.problem is not None:
        return f"{where}: not analysed: {space.problem}"
    if space.from_formulas:
        structures = "structure" + ("s" if space.structures != 1 else "")
        exact = "exact bounds " if space.bounds == "exact" else ""
        how = (f"{space.points:,} points, bounded from the formulas: {exact}"
               f"({space.structures} {structures} analysed, {', '.join(space.sizes)} "
               "kept as symbols over all their values)")
    elif space.exhaustive:
        plural = "s" if space.points != 1 else ""
        how = f"{space.points} point{plural}, all analysed"
        how += ": exact bounds" if space.bounds == "exact" else ""
        if space.unlisted:
            how += (f" ({', '.join(space.unlisted)}: a range with no step, taken at its "
                    "default, its ends and as any value)")
    else:
        how = (f"{space.points} sampled points ({space.sampled_because}): bounds over "
               "these points only, lower and upper bounds not proven")
        if space.no_formulas:
            how += f"; the formulas do not bound it: {space.no_formulas}"
    return f"{where}: {how}"


def _metric_lines(metric: MetricRange, exact: bool) -> list[str]:
    if metric.minimum is None or metric.maximum is None:
        return [f"  {metric.name}: unknown at every point Keras does not refuse"]
    low, high = count_to_str(metric.minimum), count_to_str(metric.maximum)
    texts = [f"  {metric.name}: {low} .. {high}" + ("" if exact else " (over the points "
                                                    "analysed)"),
             f"    minimum {low} at {_values(metric.minimum_at)}",
             f"    maximum {high} at {_values(metric.maximum_at)}"]
    if metric.unknown_points:
        texts.append(f"    unknown at {metric.unknown_points} built points")
    return texts


def _refusal_text(refusal: Refusal) -> str:
    plural = "s" if refusal.points != 1 else ""
    which = ""
    if refusal.whenever:
        condition = " or ".join(f"{name} in {values!r}" if len(values) > 1 else
                                f"{name}={values[0]!r}"
                                for name, values in refusal.whenever.items())
        which = f", {'exactly those' if refusal.exactly else 'among them all those'} " \
            f"with {condition}"
    return (f"  Keras refuses {refusal.points:,} point{plural}{which}: {refusal.code} (line "
            f"{refusal.line}) {refusal.message}, at {_values(refusal.example)}")


def search_space_lines(space: SearchSpace) -> list[Line]:
    texts = [_title(space)]
    if space.problem is None:
        width = max((len(hp.name) for hp in space.hyperparameters), default=0)
        texts += [f"  {hp.name.ljust(width)}  {hp.text}" for hp in space.hyperparameters]
        texts.append(f"  Keras refuses {space.points - space.built:,} of {space.points:,} "
                     "points")
        if space.returns_no_model:
            texts.append("  at some points the hypermodel returns no model archlint follows")
        for metric in space.metrics:
            texts += _metric_lines(metric, space.bounds == "exact")
        texts += [_refusal_text(refusal) for refusal in space.refusals]
    styles = ["bold"] + [""] * (len(texts) - 1)
    return [[(visible(text), style)] for text, style in zip(texts, styles)]


def search_space_to_json(space: SearchSpace) -> dict[str, Any]:
    return {
        "line": space.line,
        "problem": space.problem,
        "hyperparameters": [{
            "name": hp.name, "kind": hp.kind, "definition": hp.text, "line": hp.line,
            "default": hp.default, "values": list(hp.values) if hp.values is not None
            else None, "min": hp.low, "max": hp.high,
        } for hp in space.hyperparameters],
        "points": space.points,
        "exhaustive": space.exhaustive,
        # "exact": every point analysed and every figure known; "sampled": bounds of the
        # points analysed only.
        "bounds": space.bounds,
        "sampled_because": space.sampled_because,
        # Bounded from the formulas: one analysis per structure, the sizes kept as
        # symbols; else why the formulas do not bound a large space.
        "from_formulas": space.from_formulas,
        "structures": space.structures,
        "sizes": space.sizes,
        "no_formulas": space.no_formulas,
        # Ranges with no step: walked at their default, ends and as any value.
        "unlisted": space.unlisted,
        "built": space.built,  # points with no refusal
        "returns_no_model": space.returns_no_model,
        "metrics": {metric.name: {
            "min": metric.minimum, "min_at": _plain(metric.minimum_at),
            "max": metric.maximum, "max_at": _plain(metric.maximum_at),
            "unknown_points": metric.unknown_points,
        } for metric in space.metrics},
        "refusals": [{
            "code": refusal.code, "line": refusal.line, "message": refusal.message,
            "points": refusal.points, "example": _plain(refusal.example),
            "whenever": refusal.whenever, "exactly": refusal.exactly,
        } for refusal in space.refusals],
    }
