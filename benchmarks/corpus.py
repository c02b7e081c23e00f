"""What archlint makes of a directory of real scripts: how much it knows, what it reports.

    python benchmarks/corpus.py DIR [--json OUT] [--slowest 10]

Analyses every file archlint would analyse under DIR, one at a time in this process, and
prints: files, models, layers whose shape and parameters are fully known, partly known and
unknown (by reason), findings by code and severity, findings repeated at one source site,
and the slowest files. The corpus is the user's: nothing in it is run or written.

A layer not fully known is counted as depending on the data when its reason is a value
the data, the command line, the environment, a tuner or training decides (a Sequential
or subclassed model nothing builds on a known input shape, a size from ``X.shape``,
``args.units``, a named size), and so is one Keras refuses (or that follows one it
refuses), which has no figures to know; every other reason (a layer class or operation archlint
has no formula for, a library call on known values it does not compute, an expression
beyond its arithmetic) is archlint's. The share that matters is fully known layers among
those that do not depend on the data.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archlint.analysis import analyse_file  # noqa: E402
from archlint.files import collect  # noqa: E402
from archlint.render.json_format import report_to_json  # noqa: E402


def _known_dim(dim: Any) -> bool:
    return dim is None or isinstance(dim, (int, str))


def _shape_state(shape: Any) -> str:
    """"known" when every axis is an integer, a symbolic length or an axis Keras leaves
    undefined; "partial" when some axes are; "unknown" when nothing is."""
    if shape is None:
        return "unknown"
    shapes = shape if shape and isinstance(shape[0], list) else [shape]
    axes = [d for s in shapes if s is not None for d in s]
    if any(s is None for s in shapes):
        return "partial" if axes else "unknown"
    if all(_known_dim(d) and d != "?" for d in axes):
        return "known"
    return "partial"


def _params_state(params: Any) -> str:
    if isinstance(params, int):
        return "known"
    if isinstance(params, str):
        return "partial"  # an expression over named sizes
    return "unknown"


_VOLATILE = re.compile(r"\(line \d+\)|\d+")


# A partly known layer with no unknown: its figures are expressions over named sizes.
NAMED = "(expressions over named sizes)"


# Reasons that say the data (or the user at run time) decides the value.
_DATA_REASONS = (
    "is only known when the script runs", "comes from the command line",
    "comes from the environment", "is a hyperparameter the tuner chooses",
    "is the shape of data", "the rank of `", "has no input shape",
    "builds it on the first data", "nothing in the script builds it", NAMED,
    "which the script never calls", "has no call() of its own",
    # Not the data's, but not archlint's either: what Keras refuses has no figures.
    "Keras refuses it:", "fails first",
)


def depends_on_data(reason: str) -> bool:
    """Whether a layer's reason for not being fully known is the data's.

    >>> depends_on_data("`args.units` comes from the command line")
    True
    >>> depends_on_data("`PositionalEncoding` is not supported")
    False
    """
    return any(marker in reason for marker in _DATA_REASONS)


def _reason(text: str | None) -> str:
    """An unknown's reason without its numbers, so that reasons group."""
    if not text:
        return "(no reason given)"
    return _VOLATILE.sub("#", text)[:110]


_MODEL_ROWS = ("Sequential", "Functional")


def _layer_entries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every layer of a model's summary rows: a model called as a layer is not one, the
    rows under it are; a user-defined layer is one, and so are the rows under it."""
    found: list[dict[str, Any]] = []
    stack = list(reversed(rows))
    while stack:
        row = stack.pop()
        if row.get("class") not in _MODEL_ROWS or "layers" not in row:
            found.append(row)
        stack.extend(reversed(row.get("layers") or []))
    return found


def _why(row: dict[str, Any]) -> str | None:
    """A row's unknown reason; for a row holding others, the first of theirs."""
    if row.get("unknown_reason"):
        return str(row["unknown_reason"])
    if row.get("error"):  # Keras refuses it, for every value or for some (AL110)
        return f"Keras refuses it: {row['error']['message']}"
    return next((r for r in map(_why, row.get("layers") or []) if r), None)


def survey(root: Path, slowest: int) -> dict[str, Any]:
    files = list(collect([str(root)], []))
    layers: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    timings: list[tuple[float, str]] = []
    crashes: list[str] = []
    models = empty_models = duplicates = unreadable = 0
    for path in files:
        start = time.perf_counter()
        try:
            report = analyse_file(path)
        except Exception as error:  # an archlint bug: count it, name it, go on
            crashes.append(f"{path.relative_to(root)}: {type(error).__name__}: {error}")
            continue
        finally:
            timings.append((time.perf_counter() - start, str(path.relative_to(root))))
        data = report_to_json([report])["files"][0]
        if "error" in data:
            unreadable += 1
        for model in data["models"]:
            models += 1
            empty_models += not model["layers"]
            for layer in _layer_entries(model["layers"]):
                shape, params = _shape_state(layer["output_shape"]), _params_state(
                    layer["params"])
                state = "known" if shape == params == "known" else (
                    "unknown" if shape == params == "unknown" else "partial")
                layers[state] += 1
                if state != "known":
                    reasons[_reason(_why(layer)) if _why(layer) or state == "unknown"
                            else NAMED] += 1
        sites = Counter((d["code"], d["line"], d["column"]) for d in data["diagnostics"])
        duplicates += sum(n - 1 for n in sites.values())
        for diagnostic in data["diagnostics"]:
            codes[diagnostic["code"]] += 1
            severities[diagnostic["severity"]] += 1
    timings.sort(reverse=True)
    total_layers = sum(layers.values())
    from_data = sum(n for reason, n in reasons.items() if depends_on_data(reason))
    independent = total_layers - from_data
    return {
        "files": len(files), "unreadable": unreadable, "crashes": crashes, "models": models,
        "empty_models": empty_models, "layers": total_layers,
        "layers_known": layers["known"], "layers_partial": layers["partial"],
        "layers_unknown": layers["unknown"],
        "known_share": round(layers["known"] / total_layers, 4) if total_layers else None,
        "layers_from_data": from_data,
        "known_share_of_data_independent": round(layers["known"] / independent, 4)
        if independent else None,
        "unknown_reasons": reasons.most_common(25),
        "archlint_reasons": [(r, n) for r, n in reasons.most_common()
                             if not depends_on_data(r)][:15],
        "findings_by_code": dict(sorted(codes.items())),
        "findings_by_severity": dict(severities),
        "duplicate_findings": duplicates,
        "seconds_total": round(sum(t for t, _ in timings), 3),
        "slowest": [(round(t * 1000), name) for t, name in timings[:slowest]],
        "files_over_200ms": sum(t > 0.2 for t, _ in timings),
    }


def _print(figures: dict[str, Any]) -> None:
    print(f"files: {figures['files']} ({figures['unreadable']} unreadable,"
          f" {len(figures['crashes'])} crashed archlint)")
    for crash in figures["crashes"]:
        print(f"  crash: {crash[:200]}")
    print(f"models: {figures['models']} ({figures['empty_models']} without layers)")
    share = figures["known_share"]
    print(f"layers: {figures['layers']}: fully known {figures['layers_known']}"
          f" ({share:.1%}), partly {figures['layers_partial']},"
          f" unknown {figures['layers_unknown']}" if share is not None else "layers: 0")
    independent = figures["layers"] - figures["layers_from_data"]
    if figures["known_share_of_data_independent"] is not None:
        print(f"layers that do not depend on the data: {independent}, fully known "
              f"{figures['layers_known']} ({figures['known_share_of_data_independent']:.1%});"
              f" {figures['layers_from_data']} depend on the data")
    print("not fully known, by reason:")
    for reason, count in figures["unknown_reasons"]:
        print(f"  {count:5d}  {reason}")
    print("not fully known for archlint's own reasons:")
    for reason, count in figures["archlint_reasons"]:
        print(f"  {count:5d}  {reason}")
    print("findings by severity:", figures["findings_by_severity"])
    print("findings by code:", figures["findings_by_code"])
    print(f"findings repeated at one site: {figures['duplicate_findings']}")
    print(f"analysis time: {figures['seconds_total']} s in all,"
          f" {figures['files_over_200ms']} files over 200 ms; slowest (ms):")
    for millis, name in figures["slowest"]:
        print(f"  {millis:6d}  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--slowest", type=int, default=10)
    args = parser.parse_args(argv)
    figures = survey(args.directory.resolve(), args.slowest)
    _print(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
