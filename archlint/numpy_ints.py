"""NumPy integers as layer options: ``Dense(np.prod(shape))``.

``np.prod``, ``np.sum``, ``np.max``, ``np.min`` of known integers and ``np.int64(n)`` give a
NumPy integer, and arithmetic with a Python int keeps it one. Keras checks many options with
``isinstance(value, int)``, which a NumPy integer fails: Keras 3 refuses ``Dense(units=...)``
of one, tf-keras takes it; both refuse a NumPy ``kernel_size``. ``NumpyInt`` carries the
value, and ``numpy_option_verdict`` says, for the options checked against both Keras
versions (tests/test_numpy_ints.py), which versions refuse it; any other option given a
NumPy integer is unknown, with the reason. NumPy is never imported.
"""

from __future__ import annotations

from typing import Any


class NumpyInt(int):
    """A NumPy integer of known value (``np.int64``): arithmetic with ints keeps it one,
    true division gives a float, ``int()`` a plain int.

    >>> n = NumpyInt(12)
    >>> type(2 * n).__name__, int(2 * n), type(int(n)).__name__, type(n / 4).__name__
    ('NumpyInt', 24, 'int', 'float')
    """

    def __repr__(self) -> str:
        return f"np.int64({int(self)})"


def _keeping(name: str) -> Any:
    """``int``'s operator ``name``, its int results NumPy integers again."""
    operator = getattr(int, name)

    def method(self: NumpyInt, *args: Any) -> Any:
        value = operator(self, *args)
        return NumpyInt(value) if type(value) is int else value

    return method


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__floordiv__", "__rfloordiv__", "__mod__", "__neg__", "__pow__"):
    setattr(NumpyInt, _name, _keeping(_name))


# NumPy functions that reduce a sequence of ints to one NumPy integer.
REDUCTIONS = {"prod": "prod", "product": "prod", "sum": "sum", "max": "max", "amax": "max",
              "min": "min", "amin": "min"}
# NumPy integer types made from an int.
INTEGER_TYPES = frozenset({"int64", "int32", "int16", "int8", "intc", "int_", "uint8",
                           "uint16", "uint32", "uint64"})


def numpy_integer(name: str, args: list[Any], kwargs: dict[str, Any]) -> NumpyInt | None:
    """``np.<name>(...)`` on known ints: the NumPy integer it gives, or None.

    >>> numpy_integer("prod", [(7, 7)], {}), numpy_integer("prod", [()], {})
    (np.int64(49), None)
    """
    if kwargs or len(args) != 1:
        return None
    value = args[0]
    if name in INTEGER_TYPES:
        return NumpyInt(value) if _plain_int(value) else None
    kind = REDUCTIONS.get(name)
    if kind is None or not isinstance(value, (list, tuple)) or not value or \
            not all(_plain_int(v) for v in value):
        return None  # np.prod(()) is the float 1.0
    if kind == "prod":
        result = 1
        for item in value:
            result *= item
        return NumpyInt(result)
    if kind == "sum":
        return NumpyInt(sum(value))
    return NumpyInt(max(value) if kind == "max" else min(value))


def _plain_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def holds_numpy_int(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(holds_numpy_int(v) for v in value)
    return isinstance(value, NumpyInt)


def as_ints(value: Any) -> Any:
    """The value with every NumPy integer a plain int, lists and tuples kept."""
    if isinstance(value, NumpyInt):
        return int(value)
    if isinstance(value, (list, tuple)):
        return type(value)(as_ints(v) for v in value)
    return value


_KERAS3, _KERAS2, _BOTH, _NONE = ("3",), ("2",), ("3", "2"), ()

# (layer class, option): the Keras versions that refuse a NumPy integer there.
REFUSED_BY: dict[tuple[str, str], tuple[str, ...]] = {
    ("InputLayer", "shape"): _NONE, ("InputLayer", "batch_shape"): _NONE,
    ("Dense", "units"): _KERAS3,
    ("Embedding", "input_dim"): _KERAS3, ("Embedding", "output_dim"): _KERAS3,
    **{(c, "units"): _KERAS3 for c in ("LSTM", "GRU", "SimpleRNN")},
    **{(c, "filters"): _NONE for c in ("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose",
                                         "Conv2DTranspose", "Conv3DTranspose")},
    **{(c, o): _BOTH for c in ("Conv1D", "Conv2D") for o in ("kernel_size", "strides")},
    **{(c, "pool_size"): _BOTH for c in ("MaxPooling1D", "MaxPooling2D",
                                         "AveragePooling1D", "AveragePooling2D")},
    ("Reshape", "target_shape"): _NONE,
    ("RepeatVector", "n"): _BOTH,
    ("MultiHeadAttention", "num_heads"): _KERAS3,
    ("UpSampling1D", "size"): _KERAS3,
    ("ZeroPadding1D", "padding"): _BOTH, ("Cropping1D", "cropping"): _BOTH,
    ("BatchNormalization", "axis"): _KERAS2,
    ("Concatenate", "axis"): _NONE,
}


def numpy_option_refusal(class_name: str, config: dict[str, Any]
                         ) -> tuple[str, tuple[str, ...] | None] | None:
    """The first option holding a NumPy integer, with the Keras versions that refuse it
    there (None: not known); None when no option holds one."""
    for option, value in config.items():
        if holds_numpy_int(value):
            return option, REFUSED_BY.get((class_name, option))
    return None
