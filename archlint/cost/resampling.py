"""FLOPs of UpSampling1D/2D/3D, as TensorFlow's profiler counts the ops each Keras builds.

No upsampling does arithmetic on the values the profiler counts: a repeat is a Tile or a
Split and a concatenation, a resize (ResizeNearestNeighbor, ResizeBilinear, ResizeBicubic,
ResizeArea) has no entry in the profiler's table. What is left are a few products of shape
scalars, a constant whatever the sizes (checked by tests/test_cost_keras_attention.py):

* Keras 3 repeats each upsampled axis (``ops.repeat``, one Mul of two shape scalars each):
  1 for UpSampling1D, 2 for UpSampling2D with ``interpolation="nearest"``, 3 for
  UpSampling3D. Another interpolation resizes the image: 0, and 2 for the lanczos kernels
  (a RealDiv of the two scales).
* tf-keras repeats UpSampling1D and UpSampling3D by Split and ConcatV2: 0. Its
  UpSampling2D multiplies the image's two sides by the factors (a Mul of two values): 2,
  and 4 for the lanczos kernels.

MACs are 0: there is no contraction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archlint.cost.base import CallCost, NotCosted
from archlint.layer_types import Shape

Formula = Callable[[dict[str, Any], list[Shape], Shape], CallCost]

# FLOPs of UpSampling2D per interpolation: Keras 3's, then tf-keras's.
_RESIZE_FLOPS = {"nearest": (2, 2), "bilinear": (0, 2), "bicubic": (0, 2), "area": (0, 2),
                 "lanczos3": (2, 4), "lanczos5": (2, 4)}


def _constant(flops: int) -> Formula:
    return lambda config, inputs, output: CallCost(flops, 0)


def _upsampling_2d(version: int) -> Formula:
    """``version`` 0 for Keras 3's graph, 1 for tf-keras's.

    >>> _upsampling_2d(0)({"interpolation": "bilinear"}, [], ())
    CallCost(flops=0, macs=0)
    """
    def formula(config: dict[str, Any], inputs: list[Shape], output: Shape) -> CallCost:
        method = config.get("interpolation", "nearest")
        if not isinstance(method, str) or method not in _RESIZE_FLOPS:
            raise NotCosted(f"the cost of UpSampling2D with interpolation={method!r} is not "
                            "checked against TensorFlow's profiler")
        return CallCost(_RESIZE_FLOPS[method][version], 0)
    return formula


# Keras 3's graphs.
RESAMPLING_FORMULAS: dict[str, Formula] = {
    "UpSampling1D": _constant(1), "UpSampling2D": _upsampling_2d(0),
    "UpSampling3D": _constant(3),
}

# tf-keras builds these from other ops than Keras 3: its own figures.
TF_KERAS_RESAMPLING: dict[str, Formula] = {
    "UpSampling1D": _constant(0), "UpSampling2D": _upsampling_2d(1),
    "UpSampling3D": _constant(0),
}
