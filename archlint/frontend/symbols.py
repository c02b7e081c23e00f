"""Names for the variable axes of model inputs, shared by both front ends."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from archlint.dims import named_size
from archlint.frontend.values import TUNER, HyperSize, RuntimeValue
from archlint.graph import Layer

# The InputLayer options that hold a shape (Keras 3's, and Keras 2's hints).
_SHAPE_OPTIONS = ("shape", "batch_shape", "input_shape", "batch_input_shape")

_LETTERS = {1: ["T"], 2: ["H", "W"], 3: ["D", "H", "W"]}


def name_symbols(layer: Layer, uses: dict[str, int]) -> None:
    """Name each ``None`` axis of an input layer: T for time, H and W for images, D H W for
    volumes, N<axis> beyond; a second input's axes are T2, H2... ``uses`` counts the names
    handed out so far in the file."""
    instance = layer.instance
    if instance is None or instance.unresolved or instance.config_error:
        return
    shape = instance.config["shape"]
    letters = _LETTERS.get(len(shape) - 1, [])
    names: list[str | None] = []
    # A ragged input's first axis has a length per row, whatever size it declares.
    ragged = instance.config.get("ragged") is True
    for axis, dim in enumerate(shape):
        if dim is not None and not (ragged and axis == 0):
            names.append(None)
            continue
        base = letters[axis] if axis < len(letters) else f"N{axis + 1}"
        uses[base] = uses.get(base, 0) + 1
        names.append(base if uses[base] == 1 else f"{base}{uses[base]}")
    instance.config["symbols"] = tuple(names)


def with_named_options(config: dict[str, Any], options: tuple[str, ...],
                       values: Mapping[str, int] | None = None
                       ) -> tuple[dict[str, Any], dict[str, str]]:
    """A layer's options with each size option (``options``: Dense's units) the script
    computes at run time made a named size, or the value ``values`` binds it to; also
    returns why each remaining name is unknown."""
    out = dict(config)
    reasons: dict[str, str] = {}
    for option in options:
        value = out.get(option)
        if isinstance(value, HyperSize):  # kept as a symbol, over all its values
            out[option] = value.size
            continue
        # A tuner's hyperparameter stays unknown: its source is no short, readable name.
        if isinstance(value, RuntimeValue) and value.source and value.kind != TUNER:
            out[option] = _named(value, values or {}, reasons)
    return out, reasons


def with_named_sizes(config: dict[str, Any], values: Mapping[str, int] | None = None
                     ) -> tuple[dict[str, Any], dict[str, str]]:
    """An InputLayer's options with each size the script computes at run time
    (``args.window``, ``len(chars)``, ``df.shape[1]``) made a named size, named after its
    source text (two axes from the same source share the name), or the value ``values``
    binds it to. A shape whose rank is unknown stays unknown. Also returns why each
    remaining name is unknown, by name."""
    out = dict(config)
    reasons: dict[str, str] = {}
    for option in _SHAPE_OPTIONS:
        shape = out.get(option)
        if isinstance(shape, (tuple, list)):
            out[option] = tuple(_named(d, values or {}, reasons)
                                if isinstance(d, RuntimeValue) and d.source else d
                                for d in shape)
    return out, reasons


def _named(value: RuntimeValue, values: Mapping[str, int], reasons: dict[str, str]) -> Any:
    name = " ".join(value.source.split())
    bound = bound_value(name, values)
    if bound is not None:
        return bound
    reasons.setdefault(name, value.reason)
    return named_size(name)


def bound_value(name: str, values: Mapping[str, int]) -> int | None:
    """The value bound to a named size: by its whole name (``args.window``,
    ``len(chars)``), or by the last part of a dotted one (``window``).

    >>> bound_value("args.window", {"window": 64}), bound_value("len(chars)", {"chars": 3})
    (64, None)
    """
    if name in values:
        return values[name]
    last = name.rpartition(".")[2]
    if last.isidentifier() and last in values:
        return values[last]
    return None


def argparse_defaults(tree: ast.Module) -> dict[str, object]:
    """``dest -> default`` of the script's ``add_argument("--units", default=16)`` calls
    (constant defaults only), to say what a command-line size is when not given.

    >>> argparse_defaults(ast.parse("p.add_argument('--n-units', type=int, default=16)"))
    {'n_units': 16}
    """
    defaults: dict[str, object] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_argument"):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        default = keywords.get("default")
        if not isinstance(default, ast.Constant) or default.value is None:
            continue
        dest = keywords.get("dest")
        if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
            defaults[dest.value] = default.value
            continue
        flags = [a.value for a in node.args
                 if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        long = next((f for f in flags if f.startswith("--")), None)
        name = long or (flags[0] if flags else None)
        if name:
            defaults[name.lstrip("-").replace("-", "_")] = default.value
    return defaults


def with_defaults(reasons: dict[str, str], defaults: Mapping[str, object]) -> dict[str, str]:
    """Each command-line size's reason with its argparse default, which is not assumed:
    the data or the user may give another value."""
    out = {}
    for name, reason in reasons.items():
        last = name.rpartition(".")[2]
        if "command line" in reason and last in defaults:
            reason += f" (its default is {defaults[last]!r}; bind it with --set {last}=...)"
        out[name] = reason
    return out
