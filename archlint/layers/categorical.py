"""Categorical encodings: CategoryEncoding, Hashing, HashedCrossing and Discretization, and
the rank rules every index layer shares (``encoded_shape``, also used by the vocabulary
layers of ``archlint.layers.vocabulary``).

None of them holds weights. Their outputs are integer indices of the input's shape
(``output_mode="int"``) or one column per index: ``one_hot`` adds that axis (or replaces a
last axis of size 1), ``multi_hot``, ``count`` and ``tf_idf`` fold each sample's indices
into one row.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import Dim, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    InputSpec,
    LayerInstance,
    LayerSpec,
    Shape,
    ShapeError,
    Unresolved,
    is_named,
    keras3_only,
)
from archlint.unknown import Unknown

ENCODINGS = ("one_hot", "multi_hot", "count")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_mode(value: Any, allowed: tuple[str, ...], layer: str) -> str:
    """``output_mode``: one of the names the layer accepts."""
    if value not in allowed:
        raise ShapeError(INVALID_CONFIG, f"{layer} output_mode={value!r} must be one of "
                         f"{', '.join(repr(a) for a in allowed)}")
    return str(value)


def encoded_shape(shape: Shape, mode: str, width: Dim, layer: str) -> Shape:
    """The output of indices of shape ``shape`` encoded in ``mode`` with ``width`` columns.

    A rank-1 input holds one index per sample for ``one_hot``, but is one sample for the
    folding modes (Keras gives a single row, batch axis included).

    >>> encoded_shape((None, 3), "int", 6, "L"), encoded_shape((None, 1), "one_hot", 6, "L")
    ((None, 3), (None, 6))
    >>> encoded_shape((None, 3), "one_hot", 6, "L"), encoded_shape((None, 3), "count", 6, "L")
    ((None, 3, 6), (None, 6))
    >>> encoded_shape((None,), "one_hot", 6, "L"), encoded_shape((None,), "multi_hot", 6, "L")
    ((None, 6), (6,))
    """
    if mode == "int":
        return shape
    if mode == "one_hot":
        if len(shape) >= 2 and shape[-1] == 1:
            return (*shape[:-1], width)
        return (*shape, width)
    if len(shape) == 1:
        return (width,)
    if len(shape) == 2:
        return (shape[0], width)
    # tf-keras refuses it (keras2_refusal); Keras 3 runs it, with shapes archlint does not model.
    raise Unresolved(Unknown(f"{layer} output_mode={mode!r} on indices of rank {len(shape)} "
                             f"{format_shape(shape)}: archlint models ranks up to 2"))


def rank_refusal(layer: str, mode: str, indices: Shape) -> str | None:
    """tf-keras's refusal of an encoded output of rank above 2 (Keras 3 builds it)."""
    if mode == "int":
        return None
    if mode == "one_hot":
        rank = len(indices) + (0 if len(indices) >= 2 and indices[-1] == 1 else 1)
    else:
        rank = len(indices)
    if rank <= 2:
        return None
    return (f"{layer} output_mode={mode!r} on indices of shape {format_shape(indices)} gives "
            f"an output of rank {rank}; tf-keras supports ranks up to 2")


def positive_count(value: Any, option: str, layer: str, *, minimum: int = 1) -> int:
    """A count option (``num_tokens``, ``num_bins``) that must be an int >= ``minimum``."""
    if is_named(value):
        return value  # a named size: Keras checks it at build
    if not is_int(value) or value < minimum:
        raise ShapeError(INVALID_CONFIG, f"{layer} {option}={value!r} must be an integer >= "
                         f"{minimum}")
    return int(value)


class _Encoder(LayerSpec):
    """A layer that maps its input to indices below a known width, then encodes them."""

    modes: tuple[str, ...] = ("int", *ENCODINGS)

    def width(self, config: dict[str, Any]) -> Dim:
        raise NotImplementedError

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return encoded_shape(inputs[0], config["output_mode"], self.width(config),
                             self.class_name)

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        return rank_refusal(self.class_name, instance.config["output_mode"], inputs[0])


@register
class CategoryEncoding(_Encoder):
    """Integer indices below ``num_tokens`` as ``one_hot``, ``multi_hot`` (the default) or
    ``count`` rows of ``num_tokens`` columns.

    >>> spec = CategoryEncoding()
    >>> spec.output_shape(spec.normalize({"num_tokens": 6}), [(None, 3)])
    (None, 6)
    """

    class_name = "CategoryEncoding"
    positional = ("num_tokens", "output_mode", "sparse")
    defaults = {"num_tokens": None, "output_mode": "multi_hot", "sparse": False}
    sized_options = ("num_tokens",)
    modes = ENCODINGS

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        if config["num_tokens"] is None:
            raise ShapeError(INVALID_CONFIG, "CategoryEncoding needs num_tokens (use "
                             "IntegerLookup when the number of tokens is not known)")
        config["num_tokens"] = positive_count(config["num_tokens"], "num_tokens",
                                              self.class_name)
        check_mode(config["output_mode"], self.modes, self.class_name)
        return config

    def width(self, config: dict[str, Any]) -> Dim:
        return config["num_tokens"]


@register
class Hashing(_Encoder):
    """Strings or integers hashed into ``num_bins`` bins (``mask_value`` takes bin 0 and
    shifts the others; ``salt`` changes the hash, not the shape).

    >>> spec = Hashing()
    >>> spec.output_shape(spec.normalize({"num_bins": 4, "output_mode": "one_hot"}), [(None,)])
    (None, 4)
    """

    class_name = "Hashing"
    positional = ("num_bins", "mask_value", "salt", "output_mode", "sparse")
    defaults = {"num_bins": None, "output_mode": "int", "sparse": False}
    sized_options = ("num_bins",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["num_bins"] = positive_count(config["num_bins"], "num_bins", self.class_name)
        check_mode(config["output_mode"], self.modes, self.class_name)
        return config

    def width(self, config: dict[str, Any]) -> Dim:
        return config["num_bins"]


@register
class HashedCrossing(LayerSpec):
    """Two or more categorical features, each of shape ``(batch,)`` or ``(batch, 1)``,
    crossed and hashed into ``num_bins`` bins: indices of the inputs' shape, or ``one_hot``
    rows of ``num_bins`` columns.

    >>> spec = HashedCrossing()
    >>> config = spec.normalize({"num_bins": 6, "output_mode": "one_hot"})
    >>> spec.output_shape(config, [(None, 1), (None, 1)])
    (None, 6)
    """

    class_name = "HashedCrossing"
    positional = ("num_bins", "output_mode", "sparse")
    defaults = {"num_bins": None, "output_mode": "int", "sparse": False}
    input_spec = InputSpec(min_inputs=2, max_inputs=None)
    sized_options = ("num_bins",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        config["num_bins"] = positive_count(config["num_bins"], "num_bins", self.class_name)
        check_mode(config["output_mode"], ("int", "one_hot"), self.class_name)
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        for shape in inputs:
            if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
                # Keras 3 builds it and fails at the first forward pass; tf-keras at once.
                raise ShapeError(INVALID_CONFIG, f"HashedCrossing inputs must have shape "
                                 f"(batch,) or (batch, 1), not {format_shape(shape)}",
                                 build_accepts=("3",))
        if len({len(s) for s in inputs}) > 1:
            raise Unresolved(Unknown("HashedCrossing on inputs of different ranks: archlint "
                                     "does not model it"))
        return encoded_shape(inputs[0], config["output_mode"], config["num_bins"],
                             self.class_name)


@register
class Discretization(_Encoder):
    """Values bucketed by ``bin_boundaries`` (``len + 1`` buckets), or into ``num_bins``
    buckets whose boundaries ``adapt`` computes. Keras 3 needs one of the two; tf-keras
    accepts neither (a bucket count then set by ``adapt``, unknown here).

    >>> spec = Discretization()
    >>> spec.output_shape(spec.normalize({"bin_boundaries": [0.0, 1.0]}), [(None, 3)])
    (None, 3)
    >>> spec.output_shape(spec.normalize({"num_bins": 5, "output_mode": "count"}), [(None, 3)])
    (None, 5)
    """

    class_name = "Discretization"
    positional = ("bin_boundaries", "num_bins", "epsilon", "output_mode", "sparse")
    defaults = {"bin_boundaries": None, "num_bins": None, "output_mode": "int",
                "sparse": False}
    sized_options = ("num_bins",)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        boundaries, bins = config["bin_boundaries"], config["num_bins"]
        if boundaries is not None and bins is not None:
            raise ShapeError(INVALID_CONFIG, f"Discretization num_bins={bins!r} and "
                             f"bin_boundaries={boundaries!r}: give one, not both")
        with keras3_only():
            if boundaries is None and bins is None:
                raise ShapeError(INVALID_CONFIG, "Discretization needs num_bins or "
                                 "bin_boundaries (Keras 3 has no adapt-only form)")
        if boundaries is not None and not isinstance(boundaries, (list, tuple)):
            raise ShapeError(INVALID_CONFIG, f"Discretization bin_boundaries={boundaries!r} "
                             "must be a list of numbers")
        if bins is not None:
            config["num_bins"] = positive_count(bins, "num_bins", self.class_name)
        check_mode(config["output_mode"], self.modes, self.class_name)
        return config

    def needs_adapt(self, config: dict[str, Any]) -> str | None:
        """Why a rebuild without the script's data cannot run the layer (crosscheck)."""
        if config.get("bin_boundaries") is None:
            return ("(Discretization) takes its bin boundaries from adapt(), which a rebuild "
                    "without the script's data cannot run")
        return None

    def width(self, config: dict[str, Any]) -> Dim:
        if config["bin_boundaries"] is not None:
            return len(config["bin_boundaries"]) + 1
        if config["num_bins"] is not None:
            return config["num_bins"]
        return Unknown("Discretization's number of bins is set by adapt() (give num_bins= "
                       "or bin_boundaries=)")
