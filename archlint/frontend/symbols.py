"""Names for the variable axes of model inputs, shared by both front ends."""

from __future__ import annotations

from typing import Any

from archlint.dims import named_size
from archlint.frontend.values import TUNER, RuntimeValue
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
    for axis, dim in enumerate(shape):
        if dim is not None:
            names.append(None)
            continue
        base = letters[axis] if axis < len(letters) else f"N{axis + 1}"
        uses[base] = uses.get(base, 0) + 1
        names.append(base if uses[base] == 1 else f"{base}{uses[base]}")
    instance.config["symbols"] = tuple(names)


def with_named_options(config: dict[str, Any], options: tuple[str, ...]
                       ) -> tuple[dict[str, Any], dict[str, str]]:
    """A layer's options with each size option (``options``: Dense's units) the script
    computes at run time made a named size; also returns why each name is unknown."""
    out = dict(config)
    reasons: dict[str, str] = {}
    for option in options:
        value = out.get(option)
        # A tuner's hyperparameter stays unknown: its source is no short, readable name.
        if isinstance(value, RuntimeValue) and value.source and value.kind != TUNER:
            symbol = named_size(" ".join(value.source.split()))
            reasons.setdefault(symbol.name, value.reason)
            out[option] = symbol
    return out, reasons


def with_named_sizes(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """An InputLayer's options with each size the script computes at run time
    (``args.window``, ``len(chars)``, ``df.shape[1]``) made a named size, named after its
    source text: two axes from the same source share the name. A shape whose rank is
    unknown stays unknown. Also returns why each name is unknown, by name."""
    out = dict(config)
    reasons: dict[str, str] = {}
    for option in _SHAPE_OPTIONS:
        shape = out.get(option)
        if not isinstance(shape, (tuple, list)):
            continue
        sizes = []
        for dim in shape:
            if isinstance(dim, RuntimeValue) and dim.source:
                symbol = named_size(" ".join(dim.source.split()))
                reasons.setdefault(symbol.name, dim.reason)
                dim = symbol
            sizes.append(dim)
        out[option] = tuple(sizes)
    return out, reasons
