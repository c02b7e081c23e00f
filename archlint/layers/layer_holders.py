"""Layers that hold other layers: SpectralNormalization (a wrapper) and Pipeline (a list).

``SpectralNormalization(layer)`` computes what ``layer`` computes, and divides its kernel by
its largest singular value in training; to find it, it keeps a vector ``u`` of the kernel's
last axis size, a non-trainable weight. The wrapped layer must have a ``kernel`` (or, for
Embedding, ``embeddings``); archlint knows that last axis for the layers below.

``Pipeline([l1, l2, ...])`` (Keras 3 only) calls its layers in turn; its weights are theirs.
"""

from __future__ import annotations

from typing import Any

from archlint.dims import format_shape
from archlint.layer_call import LayerOutput, infer_layer
from archlint.layer_types import LayerInstance, label
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    NDIM_MISMATCH,
    InputSpec,
    LayerSpec,
    OutputShape,
    Params,
    Shape,
    ShapeError,
    Unresolved,
)
from archlint.layers.shape_utils import channel_axis
from archlint.unknown import Unknown

# The option whose value is the last axis of a layer's kernel (its output width).
KERNEL_WIDTH = {
    "Dense": "units", "Embedding": "output_dim", "Conv1D": "filters", "Conv2D": "filters",
    "Conv3D": "filters",
}
# Transposed convolutions keep (*kernel_size, filters, channels): the input's channels last.
TRANSPOSED = ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
# Layers with neither a kernel nor embeddings, which Keras refuses to wrap.
NO_KERNEL = frozenset({
    "Activation", "Dropout", "Flatten", "Reshape", "Permute", "RepeatVector", "Identity",
    "LayerNormalization", "BatchNormalization", "MaxPooling1D", "MaxPooling2D",
    "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
    "GlobalMaxPooling2D", "ReLU", "Softmax", "LeakyReLU", "ELU", "PReLU",
})


def _wrapped(config: dict[str, Any], option: str, owner: str) -> LayerInstance:
    inner = config.get(option)
    if not isinstance(inner, LayerInstance):
        raise ShapeError(INVALID_CONFIG, f"{owner} {option}={inner!r} must be a Keras layer "
                         "instance")
    if inner.config_error is not None:
        raise inner.config_error
    return inner


def _weights(output: LayerOutput) -> Params:
    if output.params is None:
        raise Unresolved(output.params_unknown or Unknown("the wrapped layer's weights"))
    return output.params


@register
class SpectralNormalization(LayerSpec):
    """The wrapped layer's output and weights, plus ``u``: one non-trainable weight per unit
    of the kernel's last axis.

    >>> from archlint.layer_eval import instantiate
    >>> dense = {"class_name": "Dense", "config": {"units": 8}}
    >>> sn = instantiate("SpectralNormalization", {"layer": dense}, "sn")
    >>> sn.spec.output_shape(sn.config, [(None, 5)]), sn.spec.param_count(sn.config, [(None, 5)])
    ((None, 8), Params(trainable=48, non_trainable=8))
    """

    class_name = "SpectralNormalization"
    positional = ("layer", "power_iterations")
    defaults = {"layer": None, "power_iterations": 1}
    nested = ("layer",)
    input_spec = InputSpec(min_ndim=1)

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        iterations = config["power_iterations"]
        if isinstance(iterations, (int, float)) and not isinstance(iterations, bool) and \
                iterations <= 0:
            raise ShapeError(INVALID_CONFIG, f"SpectralNormalization power_iterations="
                             f"{iterations!r} must be greater than zero")
        inner = _wrapped(config, "layer", self.class_name)
        if inner.class_name in NO_KERNEL:
            raise ShapeError(INVALID_CONFIG, f"SpectralNormalization cannot wrap "
                             f"{label(inner)}: it has neither a kernel nor embeddings")
        return config

    def _width(self, inner: LayerInstance, shape: Shape) -> Any:
        """The size of the last axis of the wrapped layer's kernel."""
        name = inner.class_name
        if name in KERNEL_WIDTH:
            return inner.config[KERNEL_WIDTH[name]]
        if name in TRANSPOSED:
            return shape[channel_axis(len(shape), inner.config["data_format"])]
        raise Unresolved(Unknown(f"SpectralNormalization of {label(inner)}: archlint does not "
                                 "know the shape of its kernel"))

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        inner = config["layer"]
        if inputs[0][-1] is None and inner.class_name != "Embedding":
            raise ShapeError(NDIM_MISMATCH, f"SpectralNormalization({label(inner)}) needs the "
                             f"last axis of its input {format_shape(inputs[0])} known")
        return infer_layer(inner, inputs).shape

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        inner = config["layer"]
        own = _weights(infer_layer(inner, inputs))
        return own + Params(0, self._width(inner, inputs[0]))


@register
class Pipeline(LayerSpec):
    """Its layers called in turn; their weights added.

    >>> from archlint.layer_eval import instantiate
    >>> layers = [{"class_name": "Dense", "config": {"units": 8}},
    ...           {"class_name": "Dense", "config": {"units": 2}}]
    >>> pipe = instantiate("Pipeline", {"layers": layers}, "pipe")
    >>> pipe.spec.output_shape(pipe.config, [(None, 5)]), pipe.spec.param_count(
    ...     pipe.config, [(None, 5)]).trainable
    ((None, 2), 66)
    """

    class_name = "Pipeline"
    positional = ("layers",)
    defaults = {"layers": None}
    nested = ("layers",)
    input_spec = InputSpec(min_ndim=0)
    keras3_class = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        layers = config["layers"]
        if not isinstance(layers, (list, tuple)) or not layers:
            # Keras 3's call of an empty Pipeline fails: it returns the output of no layer.
            raise ShapeError(INVALID_CONFIG, f"Pipeline layers={layers!r} must be a non-empty "
                             "list of layers")
        for index in range(len(layers)):
            _wrapped({"layers": layers[index]}, "layers", self.class_name)
        config["layers"] = list(layers)
        return config

    def _run(self, config: dict[str, Any], inputs: list[Shape]) -> tuple[OutputShape, Params]:
        shape: OutputShape = inputs[0]
        total = Params(0)
        for layer in config["layers"]:
            if isinstance(shape, list):
                raise Unresolved(Unknown(f"Pipeline passes several tensors to {label(layer)}, "
                                         "which archlint does not follow"))
            output = infer_layer(layer, [shape])
            shape, total = output.shape, total + _weights(output)
        return shape, total

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> OutputShape:
        return self._run(config, inputs)[0]

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        return self._run(config, inputs)[1]
