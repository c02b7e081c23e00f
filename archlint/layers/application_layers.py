"""Layers that Keras's applications define for themselves, outside ``keras.layers``:
ConvNeXt's LayerScale and InceptionResNetV2's CustomScaleLayer (the same code in Keras 3
and tf-keras).

They reach archlint only through a backbone's layers (``keras.applications.ConvNeXtTiny``,
or a saved model that holds one); ``keras.layers`` has no class of these names, so a script
that writes ``keras.layers.LayerScale`` gets no formula (``application_module`` says where
the class lives; the oracle imports it from there).
"""

from __future__ import annotations

from typing import Any

from archlint.dims import format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    InputSpec,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
)
from archlint.layers.merging import broadcast_dims
from archlint.ops.elementwise import broadcast


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@register
class LayerScale(LayerSpec):
    """``x * gamma`` with a trainable ``gamma`` of ``projection_dim`` values: the input's
    shape, its last axis broadcast against ``projection_dim``.

    >>> spec = LayerScale()
    >>> config = spec.normalize({"init_values": 1e-6, "projection_dim": 96})
    >>> spec.output_shape(config, [(None, 56, 56, 96)]), spec.param_count(config, [])
    ((None, 56, 56, 96), Params(trainable=96, non_trainable=0))
    >>> spec.output_shape(config, [(None, 56, 56, 64)])
    Traceback (most recent call last):
    archlint.layers.base.ShapeError: LayerScale(projection_dim=96) multiplies the last axis of \
(None, 56, 56, 64) by 96 values: sizes 64 and 96 differ (and neither is 1)
    """

    class_name = "LayerScale"
    application_module = "applications.convnext"
    time_order = "preserves"
    positional = ("init_values", "projection_dim")
    # Both are required by Keras; init_values (gamma's initial value) changes no shape.
    defaults = {"init_values": None, "projection_dim": None}

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        dim = config["projection_dim"]
        if not _is_int(dim) or dim < 0:
            raise ShapeError(INVALID_CONFIG, f"LayerScale projection_dim={dim!r} must be a "
                             "non-negative integer (the size of its gamma weight)")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        (shape,) = inputs
        dim = config["projection_dim"]
        what = (f"LayerScale(projection_dim={dim}) multiplies the last axis of "
                f"{format_shape(shape)} by {dim} values")
        return (*shape[:-1], broadcast_dims(shape[-1], dim, what))

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        return Params(config["projection_dim"], 0)


@register
class CustomScaleLayer(LayerSpec):
    """``inputs[0] + inputs[1] * scale``: the two tensors broadcast together (NumPy's
    rule, the batch axis included); no weights. Keras reads the first two tensors of the
    list it is called on.

    >>> spec = CustomScaleLayer()
    >>> spec.output_shape(spec.normalize({"scale": 0.17}), [(None, 35, 35, 320)] * 2)
    (None, 35, 35, 320)
    """

    class_name = "CustomScaleLayer"
    application_module = "applications.inception_resnet_v2"
    time_order = "pairs"
    positional = ("scale",)
    defaults = {"scale": None}
    input_spec = InputSpec(min_inputs=2, max_inputs=None)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        scale = config["scale"]
        if not isinstance(scale, (int, float)) or isinstance(scale, bool):
            raise ShapeError(INVALID_CONFIG, f"CustomScaleLayer scale={scale!r} must be a "
                             "number")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        return broadcast(inputs[0], inputs[1], op="CustomScaleLayer")
