"""Attention layers called on a list ``[query, value]`` or ``[query, value, key]``:
Attention (Luong-style, dot or concat scores) and AdditiveAttention (Bahdanau-style).

The key defaults to the value. With ``query (batch, Tq, dim)``, ``key (batch, Tv, dim)`` and
``value (batch, Tv, value_dim)``, the scores are ``(batch, Tq, Tv)`` and the output is
``(batch, Tq, value_dim)``. Dot scores (``matmul(query, key^T)``) need equal feature sizes;
concat and additive scores add ``query[..., :, None, :]`` to ``key[..., None, :, :]``, so a
feature size of 1 broadcasts. The output is ``matmul(softmax(scores), value)``: the key and
value lengths must be equal.

Neither version checks ranks: both run matmul on inputs of any equal rank >= 2, the axes
before the last two broadcasting like NumPy's (a rank-2 call attends across the batch).
Inputs of different ranks pair the batch axis with other axes, which no shape here can name:
the result is left unresolved.

Keras 3 declares ``(*query[:-1], value[-1])`` without checking anything, so a mismatch fails
only at the first forward pass; tf-keras traces the call and refuses it when built. Where a
size is symbolic (``T``), both build and the error carries the lengths that fail, as for the
merge layers.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from archlint.dims import Dim, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    NDIM_MISMATCH,
    NO_PARAMS,
    InputSpec,
    LayerInstance,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    Unresolved,
    require_known,
)
from archlint.layers.merging import broadcast_dims, equal_dims
from archlint.unknown import Unknown

SCORE_MODES = ("dot", "concat")
# Keras 3 only checks shapes in the forward pass; tf-keras refuses when built.
FORWARD_ONLY = ("3",)


def _forward_only(error: ShapeError) -> ShapeError:
    return ShapeError(error.code, error.message, condition=error.condition,
                      build_accepts=FORWARD_ONLY)


def _equal(a: Dim, b: Dim, what: str) -> Dim:
    try:
        return equal_dims(a, b, what)
    except ShapeError as error:
        raise _forward_only(error) from None


def _broadcast(a: Dim, b: Dim, what: str) -> Dim:
    try:
        return broadcast_dims(a, b, what)
    except ShapeError as error:
        raise _forward_only(error) from None


def _operands(inputs: list[Shape], name: str) -> tuple[Shape, Shape, Shape]:
    """Query, value and key (the value when not given), all of one rank >= 2."""
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) > 2 else value
    text = ", ".join(format_shape(s) for s in inputs)
    ranks = {len(s) for s in inputs}
    if len(ranks) > 1:
        # matmul would pair the batch axis of one input with another axis of the other.
        raise Unresolved(Unknown(f"{name} on inputs of different ranks ({text}) mixes the "
                                 "batch axis with other axes"))
    if ranks.pop() < 2:
        raise ShapeError(NDIM_MISMATCH, f"{name} needs inputs of rank >= 2 (batch axis "
                         f"included), namely (batch, T, dim); got {text}",
                         build_accepts=FORWARD_ONLY)
    return query, value, key


def _leading(a: Shape, b: Shape, what: str) -> tuple[Dim, ...]:
    """The axes before the last two, broadcast as matmul and addition do."""
    return tuple(_broadcast(x, y, f"{what} on axis {i}")
                 for i, (x, y) in enumerate(zip(a[:-2], b[:-2])))


def _scores(query: Shape, key: Shape, name: str, *, additive: bool) -> Shape:
    """The shape of the scores, ``(*leading, Tq, Tv)``."""
    what = f"{name} scores query {format_shape(query)} against key {format_shape(key)}"
    lead = _leading(query, key, what)
    if additive:
        _broadcast(query[-1], key[-1], f"{what}: feature sizes (added)")
    else:
        _equal(query[-1], key[-1], f"{what}: feature sizes (dot product)")
    return (*lead, query[-2], key[-2])


def _attend(scores: Shape, value: Shape, key: Shape, name: str) -> Shape:
    """``matmul(scores, value)``: one weight per value position, so lengths must match."""
    what = f"{name} weighs value {format_shape(value)} by scores over key {format_shape(key)}"
    lead = _leading(scores, value, what)
    _equal(scores[-1], value[-2], f"{what}: key and value lengths")
    return (*lead, scores[-2], value[-1])


def _attention_shape(inputs: list[Shape], name: str, *, additive: bool) -> Shape:
    query, value, key = _operands(inputs, name)
    scores = _scores(query, key, name, additive=additive)
    return _attend(scores, value, key, name)


def _check_score_mode(config: dict[str, Any], name: str) -> None:
    if config["score_mode"] not in SCORE_MODES:
        raise ShapeError(INVALID_CONFIG, f"{name} score_mode={config['score_mode']!r} must "
                         "be 'dot' or 'concat'")


class _Attention(LayerSpec):
    input_spec = InputSpec(min_inputs=2, max_inputs=3)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        _check_score_mode(config, self.class_name)
        config["use_scale"] = bool(config["use_scale"])
        return config


@register
class Attention(_Attention):
    """Dot-product attention: scores ``query . key`` (``score_mode="dot"``) or
    ``sum(tanh(query + key))`` (``"concat"``), output ``(batch, Tq, value_dim)``.

    Weights are scalars: ``scale`` with ``use_scale=True``, ``concat_score_weight`` with
    ``score_mode="concat"``. ``dropout`` acts on the scores and adds none.

    >>> from archlint.dims import Sym
    >>> T, U = Sym("T"), Sym("U")
    >>> spec = Attention()
    >>> config = spec.normalize({"score_mode": "concat", "use_scale": True})
    >>> inputs = [(None, T, 8), (None, U, 16), (None, U, 8)]
    >>> spec.output_shape(config, inputs), spec.param_count(config, inputs).total
    ((None, T, 16), 2)
    >>> spec.output_shape(config, [(None, T, 8), (None, U, 8), (None, 5, 8)])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: Attention weighs value (None, U, 8) by scores over key \
(None, 5, 8): key and value lengths: 5 and U differ unless 5 == U
    """

    class_name = "Attention"
    positional = ("use_scale", "score_mode", "dropout", "seed")
    # dropout and seed change no shape: an unresolved value must not hide the shape.
    defaults = {"use_scale": False, "score_mode": "dot"}

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        additive = config["score_mode"] == "concat"
        return _attention_shape(inputs, self.class_name, additive=additive)

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        return Params(int(config["use_scale"]) + int(config["score_mode"] == "concat"))


def _scale_size(query: Shape) -> int:
    """Keras 3 sizes the scale by the query's features (tf-keras by the value's)."""
    return require_known(query[-1], "The feature size of an AdditiveAttention query "
                         "(use_scale=True)")


@register
class AdditiveAttention(_Attention):
    """Additive attention: scores ``sum(scale * tanh(query + key))``, output
    ``(batch, Tq, value_dim)``; ``use_scale=True`` (the default) adds a ``scale`` vector
    of the query's feature size.

    ``score_mode`` is accepted (and ignored) by Keras 3 only; tf-keras rejects it.

    >>> from archlint.dims import Sym
    >>> spec = AdditiveAttention()
    >>> inputs = [(None, Sym("T"), 1), (None, 5, 6), (None, 5, 4)]
    >>> spec.output_shape(spec.normalize({}), inputs)
    (None, T, 6)
    >>> spec.param_count(spec.normalize({}), inputs)
    Params(trainable=1, non_trainable=0)
    """

    class_name = "AdditiveAttention"
    positional = ("use_scale", "dropout")
    defaults = {"use_scale": True, "score_mode": "dot"}

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = _attention_shape(inputs, self.class_name, additive=True)
        # Keras needs the scale's size when built; if unresolved, only the count is unknown.
        if config["use_scale"]:
            with suppress(Unresolved):
                _scale_size(inputs[0])
        return shape

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        if not config["use_scale"]:
            return NO_PARAMS
        return Params(_scale_size(inputs[0]))

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        if "score_mode" in instance.explicit:
            return "AdditiveAttention takes no score_mode option"
        query, value = inputs[0][-1], inputs[1][-1]
        key = inputs[2][-1] if len(inputs) > 2 else value
        scored = query if key in (1, query) else key  # query + key, broadcast
        if (instance.config["use_scale"] and all(isinstance(d, int) for d in (scored, value))
                and value not in (1, scored) and scored != 1):
            return (f"tf-keras sizes the AdditiveAttention scale by the value's {value} "
                    f"features, which cannot meet the {scored} features of query + key")
        return None

    def keras2_unmodelled(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        query, value = inputs[0][-1], inputs[1][-1]
        if instance.config["use_scale"] and query != value:
            return (f"sizes the AdditiveAttention scale by the value's features ({value}), "
                    f"not the query's ({query})")
        return None
