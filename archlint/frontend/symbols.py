"""Names for the variable axes of model inputs, shared by both front ends."""

from __future__ import annotations

from archlint.graph import Layer

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
