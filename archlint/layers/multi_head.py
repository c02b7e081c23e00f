"""Multi-head attention layers, called on separate tensors: ``mha(query, value)`` or
``mha(query, value, key)`` (the key defaults to the value). MultiHeadAttention and
GroupQueryAttention (Keras 3 only).

Each input is projected by an EinsumDense: the query and key to ``num_heads`` heads of
``key_dim``, the value to heads of ``value_dim``; the heads' outputs are projected back to
the query's feature size (or ``output_shape``). The output has the query's shape but its
last axis; with ``return_attention_scores=True`` the call also returns the scores,
``(batch, heads, Tq, Tv)`` for inputs ``(batch, T, features)``.

For MultiHeadAttention, inputs of rank r attend over ``attention_axes`` (by default every
axis between the batch and the features); the other axes are batch axes, which the query
and the key must share. Keras 3 refuses a key and value that differ anywhere but their
last axis when it builds the layer (None, a variable length, differs from a number);
tf-keras's einsum refuses two numbers when it traces the call, a variable length only in
the forward pass. Keras 3 checks neither the ranks nor the query's batch axes when it
builds (its forward pass fails); tf-keras does. Keras 3 declares the scores as
``(batch, heads, Tq, Tq)`` whatever the key's length and rank; the forward pass gives
``Tv``.
"""

from __future__ import annotations

from math import prod
from typing import Any

from archlint.dims import Dim, Expr, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INCOMPATIBLE_MERGE,
    INVALID_CONFIG,
    NDIM_MISMATCH,
    InputSpec,
    LayerInstance,
    LayerSpec,
    OutputShape,
    Params,
    Shape,
    ShapeError,
    Unresolved,
    keras3_only,
    require_known,
)
from archlint.layers.merging import equal_dims
from archlint.unknown import Unknown

CALL_INPUTS = ("query", "value", "key")
CALL_OPTIONS = {"return_attention_scores": False, "use_causal_mask": False}
# tf-keras's build accepts a variable length against a number; its forward pass refuses.
TF_KERAS_BUILDS = ("2",)
# Keras 3 builds without checking (its forward pass fails); tf-keras traces and refuses.
KERAS3_BUILDS = ("3",)


def _positive(config: dict[str, Any], option: str, name: str, *, optional: bool = False
              ) -> None:
    value = config[option]
    if optional and value is None:
        return
    if isinstance(value, Expr) and value.fixed():
        return
    if value is None:
        raise ShapeError(INVALID_CONFIG, f"{name} needs {option}")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        # tf-keras builds no heads for num_heads=0.
        with keras3_only(when=value == 0 and option == "num_heads"):
            raise ShapeError(INVALID_CONFIG, f"{name} {option}={value!r} must be a positive "
                             f"integer{' or None' if optional else ''}")


def _same_axis(a: Dim, b: Dim, what: str) -> None:
    """Axes Keras 3 compares when it builds (None differs from a number); a variable
    length against another fails only at the forward pass, when they differ."""
    if a == b or isinstance(a, Unknown) or isinstance(b, Unknown):
        return
    known_a, known_b = isinstance(a, int), isinstance(b, int)
    if known_a != known_b:
        raise ShapeError(INCOMPATIBLE_MERGE, f"{what}: {b if known_a else a} (None to Keras "
                         f"when it builds) and {a if known_a else b} differ",
                         build_accepts=TF_KERAS_BUILDS)
    equal_dims(a, b, what)


def _key_and_value(inputs: list[Shape], name: str) -> tuple[Shape, Shape, Shape]:
    query, value = inputs[0], inputs[1]
    key = inputs[2] if len(inputs) > 2 else value
    shapes = ", ".join(format_shape(s) for s in inputs)
    if len(key) != len(value):
        raise ShapeError(NDIM_MISMATCH, f"{name} needs a key and value of one rank; got "
                         f"value {format_shape(value)} and key {format_shape(key)}")
    if len({len(s) for s in inputs}) > 1:
        raise ShapeError(NDIM_MISMATCH, f"{name} needs a query, value and key of one rank; "
                         f"got {shapes}", build_accepts=KERAS3_BUILDS)
    for axis in range(1, len(value) - 1):
        _same_axis(value[axis], key[axis], f"{name} value {format_shape(value)} and key "
                   f"{format_shape(key)} differ on axis {axis}")
    return query, value, key


def _attention_axes(config: dict[str, Any], rank: int, name: str) -> tuple[int, ...]:
    """The input axes attended over, in the order given, as Keras 3 normalizes them (a
    negative axis counts from the input's rank: -2 is the axis before the features)."""
    given = config["attention_axes"]
    if given is None:
        return tuple(range(1, rank - 1))
    axes = (given,) if isinstance(given, int) else tuple(given)
    normal = tuple(a if a >= 0 else rank + a for a in axes)
    for axis, original in zip(normal, axes):
        if not 0 < axis < rank - 1:
            # Keras builds some of these (the features axis, say) into other einsums.
            raise Unresolved(Unknown(f"{name} attention_axes={given!r}: axis {original} is "
                                     "not an axis between the batch and the features of its "
                                     f"rank-{rank} inputs, which archlint does not model"))
    if len(set(normal)) != len(normal):
        raise Unresolved(Unknown(f"{name} attention_axes={given!r} names an axis twice, "
                                 "which archlint does not model"))
    return normal


def _scores(query: Shape, key: Shape, heads: Dim, axes: tuple[int, ...], name: str) -> Shape:
    """``(batch, <other axes>, heads, <query attention axes>, <key attention axes>)``,
    the order Keras's einsum gives them (attention axes in the order given); the other
    axes must be equal."""
    rank = len(query)
    batch = [i for i in range(rank - 1) if i not in axes]
    for axis in batch[1:]:
        what = (f"{name} query {format_shape(query)} and key {format_shape(key)} differ on "
                f"axis {axis}, which is not attended over")
        try:
            equal_dims(query[axis], key[axis], what)
        except ShapeError as error:
            # Keras 3 does not check it when it builds; its forward pass fails.
            raise ShapeError(error.code, error.message, condition=error.condition,
                             build_accepts=KERAS3_BUILDS) from None
    projected = (*query[:-1], heads)
    lead = sorted([*batch, rank - 1])
    return (*(projected[i] for i in lead), *(query[i] for i in axes),
            *(key[i] for i in axes))


def _output_shape_option(config: dict[str, Any], name: str) -> tuple[Any, ...] | None:
    value = config["output_shape"]
    if not value:  # Keras reads any falsy value as "the query's features"
        return None
    sizes = (value,) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(sizes, (list, tuple)) or not all(
            (isinstance(s, int) and not isinstance(s, bool) and s > 0) or
            (isinstance(s, Expr) and s.fixed()) for s in sizes):
        raise ShapeError(INVALID_CONFIG, f"{name} output_shape={value!r} must be a positive "
                         "integer or a tuple of them")
    return tuple(sizes)


def _projection(width: Dim, heads: Any, size: Any, bias: bool, what: str) -> Any:
    """An EinsumDense from ``width`` features to ``heads`` heads of ``size``."""
    features = require_known(width, what)
    return heads * size * (features + int(bias))


class _MultiHead(LayerSpec):
    input_spec = InputSpec(min_inputs=2, max_inputs=3)
    call_inputs = CALL_INPUTS
    call_options = CALL_OPTIONS

    def output_count(self, config: dict[str, Any]) -> int | None:
        scores = config.get("return_attention_scores", False)
        return 2 if scores is True else 1 if scores is False else None

    def _with_scores(self, config: dict[str, Any], output: Shape, scores: Shape
                     ) -> OutputShape:
        return [output, scores] if config["return_attention_scores"] else output


@register
class MultiHeadAttention(_MultiHead):
    """Multi-head dot-product attention (``Attention Is All You Need``).

    >>> from archlint.dims import Sym
    >>> T = Sym("T")
    >>> spec = MultiHeadAttention()
    >>> config = {**spec.normalize({"num_heads": 4, "key_dim": 8}), **spec.call_options,
    ...           "return_attention_scores": True}
    >>> inputs = [(None, T, 16), (None, 5, 6)]
    >>> spec.output_shape(config, inputs)
    [(None, T, 16), (None, 4, T, 5)]
    >>> spec.param_count(config, inputs).total
    1520
    """

    class_name = "MultiHeadAttention"
    positional = ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape",
                  "attention_axes")
    defaults = {"num_heads": None, "key_dim": None, "value_dim": None, "dropout": 0.0,
                "use_bias": True, "output_shape": None, "attention_axes": None,
                "use_gate": False, "sliding_window": None, "flash_attention": None}
    sized_options = ("num_heads", "key_dim", "value_dim")

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name = self.class_name
        _positive(config, "num_heads", name)
        _positive(config, "key_dim", name)
        _positive(config, "value_dim", name, optional=True)
        if not config["value_dim"]:
            config["value_dim"] = config["key_dim"]
        _output_shape_option(config, name)
        axes = config["attention_axes"]
        if axes is not None and not isinstance(axes, int) and not (
                isinstance(axes, (list, tuple)) and all(isinstance(a, int) for a in axes)):
            raise ShapeError(INVALID_CONFIG, f"{name} attention_axes={axes!r} must be an int "
                             "or a tuple of ints")
        with keras3_only():
            window = config["sliding_window"]
            if window is not None and (not isinstance(window, int) or window <= 0):
                raise ShapeError(INVALID_CONFIG, f"{name} sliding_window={window!r} must be "
                                 "None or a positive integer")
            if config["flash_attention"] and config["dropout"] > 0:
                raise ShapeError(INVALID_CONFIG, f"{name} flash_attention=True refuses "
                                 f"dropout={config['dropout']!r}")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        name = self.class_name
        query, _value, key = _key_and_value(inputs, name)
        if len(query) < 3:
            raise ShapeError(NDIM_MISMATCH, f"{name} needs inputs of rank >= 3 (batch, "
                             f"steps, features); got {format_shape(query)}",
                             build_accepts=KERAS3_BUILDS)
        axes = _attention_axes(config, len(query), name)
        scores = _scores(query, key, config["num_heads"], axes, name)
        if config["use_causal_mask"] and len(query) != 3:
            raise Unresolved(Unknown(f"{name} use_causal_mask=True on inputs of rank "
                                     f"{len(query)} is not modelled"))
        extra = _output_shape_option(config, name) or (query[-1],)
        return self._with_scores(config, (*query[:-1], *extra), scores)

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        name = self.class_name
        query, value, key = _key_and_value(inputs, name)
        heads, key_dim, value_dim = config["num_heads"], config["key_dim"], config["value_dim"]
        bias = bool(config["use_bias"])
        total = _projection(query[-1], heads, key_dim, bias, f"The features of a {name} query")
        total += _projection(key[-1], heads, key_dim, bias, f"The features of a {name} key")
        total += _projection(value[-1], heads, value_dim, bias,
                             f"The features of a {name} value")
        if config["use_gate"]:
            total += _projection(query[-1], heads, value_dim, bias, f"The features of a {name} "
                                 "query")
        extra = _output_shape_option(config, name) or (
            require_known(query[-1], f"The features of a {name} query"),)
        out = prod(extra)
        total += heads * value_dim * out + (out if bias else 0)
        return Params(total)

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        for option in ("use_gate", "sliding_window", "flash_attention", "seed"):
            if option in instance.explicit:
                return f"tf-keras's MultiHeadAttention takes no {option} option (Keras 3's does)"
        return None

    def keras2_unmodelled(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        axes = instance.config["attention_axes"]
        axes = (axes,) if isinstance(axes, int) else axes or ()
        if any(a < 0 for a in axes):
            return ("counts negative attention_axes from the projected heads' axes, not the "
                    "input's")
        return None


@register
class GroupQueryAttention(_MultiHead):
    """Grouped-query attention: ``num_query_heads`` query heads share
    ``num_key_value_heads`` key and value heads, each of ``head_dim``. Keras 3 only; the
    inputs are ``(batch, T, features)`` and the query and value features must be equal.

    >>> spec = GroupQueryAttention()
    >>> config = {**spec.normalize({"head_dim": 8, "num_query_heads": 4,
    ...                             "num_key_value_heads": 2}), **spec.call_options}
    >>> spec.param_count(config, [(None, 5, 16), (None, 7, 16)]).total
    1616
    """

    class_name = "GroupQueryAttention"
    positional = ("head_dim", "num_query_heads", "num_key_value_heads", "dropout", "use_bias")
    defaults = {"head_dim": None, "num_query_heads": None, "num_key_value_heads": None,
                "dropout": 0.0, "use_bias": True, "use_gate": False, "sliding_window": None,
                "flash_attention": None}
    sized_options = ("head_dim", "num_query_heads", "num_key_value_heads")

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name = self.class_name
        for option in ("head_dim", "num_query_heads", "num_key_value_heads"):
            if config[option] is None:
                raise ShapeError(INVALID_CONFIG, f"{name} needs {option}")
        query_heads, groups = config["num_query_heads"], config["num_key_value_heads"]
        if isinstance(query_heads, int) and isinstance(groups, int) and (
                groups == 0 or query_heads % groups):
            raise ShapeError(INVALID_CONFIG, f"{name} num_query_heads={query_heads} must be "
                             f"divisible by num_key_value_heads={groups}")
        if not (isinstance(query_heads, int) and isinstance(groups, int)) and groups != 1 \
                and query_heads != groups:
            raise ShapeError(INVALID_CONFIG, f"{name} num_query_heads={query_heads} with "
                             f"num_key_value_heads={groups}: archlint cannot check that a "
                             "named size divides the other",
                             condition=f"({query_heads}) % ({groups}) != 0")
        window = config["sliding_window"]
        if window is not None and (not isinstance(window, int) or window <= 0):
            raise ShapeError(INVALID_CONFIG, f"{name} sliding_window={window!r} must be None "
                             "or a positive integer")
        if config["flash_attention"] and config["dropout"] > 0:
            raise ShapeError(INVALID_CONFIG, f"{name} flash_attention=True refuses "
                             f"dropout={config['dropout']!r}")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        name = self.class_name
        query, value, key = _key_and_value(inputs, name)
        if len(query) != 3:
            raise ShapeError(NDIM_MISMATCH, f"{name} needs inputs of rank 3 (batch, steps, "
                             f"features); got {format_shape(query)}",
                             build_accepts=KERAS3_BUILDS)
        _same_axis(query[-1], value[-1], f"{name} query {format_shape(query)} and value "
                   f"{format_shape(value)} differ in features")
        scores = (query[0], config["num_query_heads"], query[1], key[1])
        return self._with_scores(config, query, scores)

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        name = self.class_name
        query, value, key = _key_and_value(inputs, name)
        size, heads, groups = (config["head_dim"], config["num_query_heads"],
                               config["num_key_value_heads"])
        bias = bool(config["use_bias"])
        what = f"The features of a {name} "
        total = _projection(query[-1], heads, size, bias, what + "query")
        total += _projection(key[-1], groups, size, bias, what + "key")
        total += _projection(value[-1], groups, size, bias, what + "value")
        if config["use_gate"]:
            total += _projection(query[-1], heads, size, bias, what + "query")
        features = require_known(query[-1], what + "query")
        total += heads * size * features + (features if bias else 0)
        return Params(total)

    def keras2_refusal(self, instance: LayerInstance, inputs: list[Shape]) -> str | None:
        return "tf-keras has no GroupQueryAttention layer (Keras 3 has)"
