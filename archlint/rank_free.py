"""Layers after an input whose rank the data decides (``Input(shape=x_train.shape[1:])``).

Such a tensor is an ``UnknownRank``: its number of axes is unknown, its last axes may be
known (after a Dense, the last is the Dense's units). A layer that acts on the last axes the
same way whatever the rank (Dense, Dropout, Normalization...) is computed on two ranks; when
both agree on the last axes and on the parameters, those hold for every rank.
"""

from __future__ import annotations

from archlint.layer_eval import LayerOutput, infer_layer
from archlint.layers.base import LayerInstance, Params, ShapeError, Unresolved
from archlint.records import record
from archlint.unknown import Unknown

# Layers whose output keeps the input's leading axes and whose weights see only its last.
RANK_FREE = frozenset({
    "Dense", "Dropout", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax",
    "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
    "LayerNormalization", "Normalization", "BatchNormalization", "Embedding", "Rescaling",
})


@record(frozen=True, eq=False)
class UnknownRank(Unknown):
    """A tensor whose rank is unknown; ``tail`` holds its last axes where they are known."""

    tail: tuple = ()


def rank_free_output(instance: LayerInstance, shape: UnknownRank
                     ) -> tuple[UnknownRank, Params | None, Unknown | None] | None:
    """The layer's output and parameters on a tensor of unknown rank, or None when they
    depend on the rank (or the layer is not one that keeps the leading axes)."""
    if instance.class_name not in RANK_FREE or instance.config.get("axis", -1) != -1:
        return None
    unknown = Unknown(shape.reason, shape.line)
    results: list[LayerOutput] = []
    for lead in ((None, unknown), (None, unknown, unknown)):
        try:
            result = infer_layer(instance, [(*lead, *shape.tail)])
        except (ShapeError, Unresolved, ArithmeticError, TypeError, ValueError):
            return None
        if not isinstance(result.shape, tuple):
            return None
        results.append(result)
    short, long = results
    if short.params != long.params or len(long.shape) != len(short.shape) + 1:
        return None
    # The last axes both ranks agree on, up to the first the leading axes decide.
    tail: list = []
    for a, b in zip(reversed(short.shape[1:]), reversed(long.shape[1:])):
        if isinstance(a, Unknown) or isinstance(b, Unknown) or a != b:
            break
        tail.insert(0, a)
    return UnknownRank(shape.reason, shape.line, tail=tuple(tail)), short.params, \
        short.params_unknown


def fixed_rank_output(instance: LayerInstance, shape: UnknownRank) -> LayerOutput | None:
    """A layer that takes exactly one rank, on a tensor of unknown rank: every other rank
    is refused, so where Keras builds it the input has that rank; its axes before the known
    last ones stay unknown. None when the known axes are more than the rank holds."""
    ndim = instance.spec.input_spec.ndim
    if ndim is None or len(shape.tail) > ndim - 1:
        return None
    unknown = Unknown(shape.reason, shape.line)
    padded = (None, *(unknown,) * (ndim - 1 - len(shape.tail)), *shape.tail)
    try:
        return infer_layer(instance, [padded])
    except (ShapeError, Unresolved, ArithmeticError, TypeError, ValueError):
        return None


def unknown_rank_input(instance: LayerInstance) -> UnknownRank | None:
    """An input whose whole shape the data decides (``shape=x_train.shape[1:]``), with no
    batch size: a tensor of unknown rank whose batch axis is None."""
    config = instance.config
    shape = next((config[k] for k in ("shape", "input_shape") if config.get(k) is not None),
                 None)
    if isinstance(shape, UnknownRank) and instance.unresolved is shape:
        return shape  # made so by the front end (a Sequential with no input shape)
    if not isinstance(shape, Unknown) or instance.unresolved is not shape or any(
            config.get(k) is not None for k in ("batch_size", "batch_shape",
                                               "batch_input_shape")):
        return None
    return UnknownRank(f"the rank of {_describe(shape)}", shape.line)


def _describe(shape: Unknown) -> str:
    source = getattr(shape, "source", "")
    return f"`{source}`" if source else "the input shape"
