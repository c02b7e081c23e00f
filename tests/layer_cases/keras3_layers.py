"""Layers Keras 3 added, which tf-keras lacks (it refuses each one): adaptive pooling,
ReversibleEmbedding, Pipeline, the audio layers, and image layers that keep an image's
shape; with what Keras 3 itself refuses."""

from tests.layer_cases import case, layer

# tf-keras has no such class: it refuses every case, Keras 3 builds the valid ones.
NO_TF_KERAS = {"refused_by": ("2",), "error_code": "AL108"}
# Keras 3 declares one frame too many where (samples + 1) is a multiple of the stride.
MEL_FRAMES_BUG = {"3": "MelSpectrogram.compute_output_shape counts (samples + stride + 1) "
                       "// stride frames, the stft makes 1 + samples // stride"}

CASES = [
    # Adaptive pooling: output_size replaces the spatial axes, whatever their size.
    case("AdaptiveAveragePooling1D", (9, 3), output_size=4, **NO_TF_KERAS),
    case("AdaptiveMaxPooling1D", (9, 3), output_size=(9,), **NO_TF_KERAS),
    case("AdaptiveMaxPooling1D", (4, 3), output_size=6, **NO_TF_KERAS),
    case("AdaptiveAveragePooling2D", (10, 7, 3), output_size=(3, 2), **NO_TF_KERAS),
    case("AdaptiveMaxPooling2D", (3, 10, 7), output_size=4, data_format="channels_first",
         **NO_TF_KERAS),
    case("AdaptiveAveragePooling3D", (6, 5, 4, 2), output_size=2, **NO_TF_KERAS),
    case("AdaptiveMaxPooling3D", (6, 5, 4, 2), output_size=(3, 2, 1), error_code="AL108"),
    case("AdaptiveAveragePooling1D", (9, 3), output_size=(4, 4), error_code="AL108"),
    case("AdaptiveMaxPooling2D", (8, 8, 3), output_size=2, data_format="nhwc",
         error_code="AL108"),
    case("AdaptiveAveragePooling1D", (None, 3), output_size=4, **NO_TF_KERAS),
    case("AdaptiveAveragePooling2D", (4, 5, 2), output_size=(2, 1), **NO_TF_KERAS),
    case("AdaptiveAveragePooling1D", (1, 2), output_size=2, **NO_TF_KERAS),
    case("AdaptiveMaxPooling2D", (4, 5, 2), output_size=(1, 2), **NO_TF_KERAS),
    case("AdaptiveMaxPooling3D", (6, 5, 4, 2), output_size=(3, 1, 2), **NO_TF_KERAS),
    # TensorFlow's max pooling crashes on a window longer than the last spatial axis.
    case("AdaptiveMaxPooling2D", (4, 5, 2), output_size=(2, 1), error_code="AL108"),
    case("AdaptiveMaxPooling1D", (1, 2), output_size=2, error_code="AL108"),
    case("AdaptiveMaxPooling1D", (3, 2), output_size=0, error_code="AL108"),
    # ReversibleEmbedding: an Embedding, with a second table unless the weights are tied.
    case("ReversibleEmbedding", (7,), dtype="int32", input_dim=50, output_dim=8,
         **NO_TF_KERAS),
    case("ReversibleEmbedding", (None,), dtype="int32", input_dim=50, output_dim=8,
         tie_weights=False, **NO_TF_KERAS),
    case("ReversibleEmbedding", (7,), dtype="int32", input_dim=0, output_dim=8,
         error_code="AL108"),
    # Pipeline: its layers in turn.
    case("Pipeline", (6,), layers=[layer("Dense", units=8), layer("Dense", units=3)],
         **NO_TF_KERAS),
    case("Pipeline", (8, 8, 3), layers=[layer("RandomFlip"), layer("Rescaling", scale=0.5)],
         **NO_TF_KERAS),
    case("Pipeline", (5, 4), layers=[layer("Dense", units=2)], **NO_TF_KERAS),
    case("Pipeline", (5, 4), layers=[layer("Conv1D", filters=2, kernel_size=6)],
         error_code="AL101"),
    case("Pipeline", (5, 4), layers=[], error_code="AL108"),
    # MelSpectrogram: (batch, samples) to (batch, num_mel_bins, frames).
    case("MelSpectrogram", (3000,), **NO_TF_KERAS),
    case("MelSpectrogram", (1000,), fft_length=256, sequence_stride=64, num_mel_bins=40,
         **NO_TF_KERAS),
    case("MelSpectrogram", (1023,), fft_length=256, sequence_stride=64,
         known_bug=MEL_FRAMES_BUG, **NO_TF_KERAS),
    case("MelSpectrogram", (None,), fft_length=256, sequence_stride=100, sequence_length=200,
         lengths=(511, 700), **NO_TF_KERAS),
    case("MelSpectrogram", (1000,), fft_length=128, sequence_length=256, error_code="AL108"),
    case("MelSpectrogram", (100,), fft_length=256, sequence_stride=64, error_code="AL101"),
    # STFTSpectrogram: a convolution by frame_length-long kernels.
    case("STFTSpectrogram", (1000, 1), **NO_TF_KERAS),
    case("STFTSpectrogram", (1000, 2), mode="stft", **NO_TF_KERAS),
    case("STFTSpectrogram", (1000, 2), mode="real", frame_length=64, **NO_TF_KERAS),
    case("STFTSpectrogram", (None, 1), mode="imag", frame_length=64, lengths=(300, 401),
         **NO_TF_KERAS),
    case("STFTSpectrogram", (300, 3), padding="same", frame_step=50, fft_length=512,
         **NO_TF_KERAS),
    case("STFTSpectrogram", (1000, 2), expand_dims=True, frame_length=100, **NO_TF_KERAS),
    case("STFTSpectrogram", (2, 1000), data_format="channels_first", **NO_TF_KERAS),
    case("STFTSpectrogram", (2, 1000), data_format="channels_first", expand_dims=True,
         mode="psd", **NO_TF_KERAS),
    case("STFTSpectrogram", (1000, 1), frame_step=300, error_code="AL108"),
    case("STFTSpectrogram", (1000, 1), fft_length=128, error_code="AL108"),
    case("STFTSpectrogram", (1000, 1), mode="power", error_code="AL108"),
    case("STFTSpectrogram", (100, 1), error_code="AL101"),
    case("STFTSpectrogram", (1000,), error_code="AL104"),
    # Image layers that keep the shape.
    case("RandomColorDegeneration", (8, 8, 3), factor=0.5, **NO_TF_KERAS),
    case("RandomColorDegeneration", (3, 8, 8), factor=(0.1, 0.4),
         data_format="channels_first", **NO_TF_KERAS),
    case("RandomColorDegeneration", (8, 8, 1), factor=0.5, error_code="AL108"),
    case("ContrastLimitedAdaptiveHistogramEqualization", (16, 16, 3), **NO_TF_KERAS),
    case("ContrastLimitedAdaptiveHistogramEqualization", (16, 16, 1), tile_grid_size=(4, 4),
         **NO_TF_KERAS),
    case("MaxNumBoundingBoxes", (8, 8, 3), max_number=4, **NO_TF_KERAS),
]
