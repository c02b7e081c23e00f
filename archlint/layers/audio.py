"""Keras 3's audio layers: MelSpectrogram and STFTSpectrogram (tf-keras has neither).

MelSpectrogram reads ``(batch, samples)`` and returns ``(batch, num_mel_bins, frames)`` (one
signal, ``(samples,)``, gives ``(num_mel_bins, frames)``, as Keras 3 does); it
pads ``fft_length // 2`` samples on each side by reflection (so it needs more samples than
that), then takes one frame every ``sequence_stride``: ``1 + (samples + 2 * (fft_length //
2) - fft_length) // sequence_stride`` frames. Keras 3 declares ``(samples + sequence_stride
+ 1) // sequence_stride``, one frame too many for some lengths. No weights.

STFTSpectrogram reads ``(batch, samples, channels)`` (channels first with
``data_format="channels_first"``) and convolves each channel with ``frame_length``-long
kernels every ``frame_step`` samples; its real and imaginary kernels are trainable weights
of ``frame_length * (fft_length // 2 + 1)`` each.
"""

from __future__ import annotations

import math
from typing import Any

from archlint.dims import Dim, dim_mul, floor_div, format_shape
from archlint.layers import register
from archlint.layers.base import (
    INVALID_CONFIG,
    NONPOSITIVE_TIMESTEPS,
    InputSpec,
    LayerSpec,
    Params,
    Shape,
    ShapeError,
    Unresolved,
)
from archlint.layers.shape_utils import (
    PADDINGS,
    conv_output_length,
    normalize_data_format,
    positive_int,
)
from archlint.unknown import Unknown

STFT_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")
SCALINGS = ("density", "spectrum", None)


@register
class MelSpectrogram(LayerSpec):
    """Mel-scaled power spectrogram of each signal.

    >>> spec = MelSpectrogram()
    >>> config = spec.normalize({"fft_length": 256, "sequence_stride": 64})
    >>> spec.output_shape(config, [(None, 1000)]), spec.output_shape(config, [(1000,)])
    ((None, 128, 16), (128, 16))
    """

    class_name = "MelSpectrogram"
    positional = ("fft_length", "sequence_stride", "sequence_length", "window",
                  "sampling_rate", "num_mel_bins")
    defaults = {"fft_length": 2048, "sequence_stride": 512, "sequence_length": None,
                "num_mel_bins": 128}
    keras3_class = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name = self.class_name
        for option in ("fft_length", "sequence_stride", "num_mel_bins"):
            config[option] = positive_int(config[option], option, name)
        if config["sequence_length"] is None:
            config["sequence_length"] = config["fft_length"]
        length = positive_int(config["sequence_length"], "sequence_length", name)
        if config["fft_length"] < length:
            raise ShapeError(INVALID_CONFIG, f"{name} fft_length={config['fft_length']} must "
                             f"be at least sequence_length={length}")
        return config

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        if len(shape) not in (1, 2):
            raise Unresolved(Unknown(
                f"{self.class_name} on an input of rank {len(shape)} {format_shape(shape)}: "
                "archlint models signals (batch, samples) or one signal (samples) only"))
        samples, fft = shape[-1], config["fft_length"]
        pad = fft // 2
        if isinstance(samples, int) and samples <= pad:
            raise ShapeError(
                NONPOSITIVE_TIMESTEPS,
                f"{self.class_name} fft_length={fft} pads {pad} samples on each side by "
                f"reflection, which needs more than {pad} samples, but its input "
                f"{format_shape(shape)} has {samples}", build_accepts=("3",))
        frames: Dim = None
        if samples is not None and not isinstance(samples, Unknown):
            frames = 1 + floor_div(samples + 2 * pad - fft,  # type: ignore[operator]
                                   config["sequence_stride"])
        # One signal (rank 1) gives one spectrogram, with no batch axis.
        return (*shape[:-1], config["num_mel_bins"], frames)


@register
class STFTSpectrogram(LayerSpec):
    """Short-time Fourier transform of each channel, by convolution.

    >>> spec = STFTSpectrogram()
    >>> config = spec.normalize({})
    >>> spec.output_shape(config, [(None, 1000, 2)]), spec.param_count(config, [(None, 1000, 2)])
    ((None, 6, 258), Params(trainable=66048, non_trainable=0))
    """

    class_name = "STFTSpectrogram"
    positional = ("mode", "frame_length", "frame_step", "fft_length", "window", "periodic",
                  "scaling", "padding", "expand_dims", "data_format")
    defaults = {"mode": "log", "frame_length": 256, "frame_step": None, "fft_length": None,
                "scaling": "density", "padding": "valid", "expand_dims": False,
                "data_format": None}
    input_spec = InputSpec(ndim=3)
    keras3_class = True

    def normalize(self, config: dict[str, Any]) -> dict[str, Any]:
        config = super().normalize(config)
        name = self.class_name
        length = positive_int(config["frame_length"], "frame_length", name)
        step, fft = config["frame_step"], config["fft_length"]
        if step is not None and (not isinstance(step, int) or not 1 <= step <= length):
            raise ShapeError(INVALID_CONFIG, f"{name} frame_step={step!r} must be a positive "
                             f"integer not greater than frame_length={length}")
        if fft is not None and (not isinstance(fft, int) or fft < length):
            raise ShapeError(INVALID_CONFIG, f"{name} fft_length={fft!r} must not be less than "
                             f"frame_length={length}")
        for option, allowed in (("mode", STFT_MODES), ("scaling", SCALINGS),
                                ("padding", PADDINGS)):
            if config[option] not in allowed:
                raise ShapeError(INVALID_CONFIG, f"{name} {option}={config[option]!r} must be "
                                 f"one of {', '.join(repr(a) for a in allowed)}")
        config["frame_step"] = step if step is not None else length // 2
        if config["frame_step"] < 1:
            raise ShapeError(INVALID_CONFIG, f"{name} frame_length={length} leaves a frame_step "
                             "of 0 (half the frame length): give frame_step")
        config["fft_length"] = fft if fft is not None else 2 ** math.ceil(math.log2(length))
        config["data_format"] = normalize_data_format(config["data_format"])
        config["expand_dims"] = bool(config["expand_dims"])
        return config

    def _frequencies(self, config: dict[str, Any]) -> int:
        return config["fft_length"] // 2 + 1

    def output_shape(self, config: dict[str, Any], inputs: list[Shape]) -> Shape:
        shape = inputs[0]
        first = config["data_format"] == "channels_first"
        samples, channels = (shape[2], shape[1]) if first else (shape[1], shape[2])
        frames = conv_output_length(samples, config["frame_length"], config["padding"],
                                    config["frame_step"], axis=2 if first else 1)
        freq = self._frequencies(config) * (2 if config["mode"] == "stft" else 1)
        if config["expand_dims"]:
            return (shape[0], channels, frames, freq) if first else \
                (shape[0], frames, freq, channels)
        width = None if channels is None else dim_mul(channels, freq)
        return (shape[0], width, frames) if first else (shape[0], frames, width)

    def param_count(self, config: dict[str, Any], inputs: list[Shape]) -> Params:
        kernels = (config["mode"] != "imag") + (config["mode"] != "real")
        return Params(kernels * config["frame_length"] * self._frequencies(config))
