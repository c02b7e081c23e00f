"""Max/Average pooling 1D/2D/3D and their global versions: pool_size, strides (default and
explicit), padding, data_format, keepdims, symbolic axes, and what Keras refuses.

A window longer than a fixed input is refused by both versions when the model is built
(Keras 3: "Computed output size would be zero or negative"; tf-keras: "Negative dimension
size"), although an eager call on such an input returns an empty tensor in both.

MaxPooling2D/AveragePooling2D channels first run forward on a CPU in Keras 3 (which
transposes) but not in tf-keras (TensorFlow's CPU MaxPool/AvgPool kernels only support NHWC),
hence one Keras-3-only case with forward passes and one declared-only case (``lengths=()``).
"""

from tests.layer_cases import case

CASES = [
    # MaxPooling1D: the reference model's pool, on fixed and variable time axes.
    case("MaxPooling1D", (11, 32), pool_size=2),
    case("MaxPool1D", (None, 32), pool_size=2, lengths=(2, 9, 23)),
    case("MaxPooling1D", (9, 3)),
    case("MaxPooling1D", (None, 4), pool_size=3, strides=1, lengths=(3, 10)),
    case("MaxPooling1D", (None, 4), pool_size=2, strides=3, padding="same",
         lengths=(1, 9, 10, 23)),
    case("MaxPooling1D", (9, 6), pool_size=2, strides=3, padding="valid"),
    case("MaxPooling1D", (9, None), pool_size=2),
    case("MaxPooling1D", (3, None), pool_size=2, data_format="channels_first",
         lengths=(2, 9)),
    case("MaxPooling1D", (3, 9), pool_size=2, data_format="Channels_First"),
    case("MaxPooling1D", (2, 3), pool_size=3, error_code="AL101"),
    case("MaxPooling1D", (2, 3), pool_size=3, strides=1, error_code="AL101"),
    case("MaxPooling1D", (4, 3), pool_size=2, strides=0, error_code="AL108"),
    case("MaxPooling1D", (4, 3), pool_size=0, error_code="AL108"),
    case("MaxPooling1D", (4, 3), pool_size=2.0, error_code="AL108"),
    case("MaxPooling1D", (9, 6), pool_size=3, padding="causal", error_code="AL108"),
    # Keras 3 does not lower-case a pooling padding ("Argument `padding` must be either
    # 'valid' or 'same'. Received: padding=SAME", also serengil/retinaface#90); tf-keras does,
    # and gives (None, 5, 3).
    case("MaxPooling1D", (9, 3), pool_size=2, padding="SAME", error_code="AL108",
         refused_by=("3",)),
    case("MaxPooling1D", (5, 9, 3), pool_size=2, error_code="AL104"),
    case("MaxPooling1D", (9,), pool_size=2, error_code="AL104"),
    # AveragePooling1D
    case("AveragePooling1D", (None, 4), pool_size=3, strides=2, padding="same",
         lengths=(1, 10)),
    case("AvgPool1D", (10, 4), pool_size=3, strides=2),
    case("AveragePooling1D", (3, 9), pool_size=2, data_format="channels_first"),
    case("AveragePooling1D", (2, 3), pool_size=3, error_code="AL101"),
    case("AveragePooling1D", (9, 3), pool_size=2, padding="Valid", error_code="AL108",
         refused_by=("3",)),
    # Keras 3's AveragePoolingND have no default pool_size ("missing 1 required positional
    # argument: 'pool_size'", also NeuromorphicProcessorProject/snn_toolbox#145); tf-keras
    # defaults to 2 per axis and gives (None, 4, 3) here.
    case("AveragePooling1D", (9, 3), error_code="AL108", refused_by=("3",)),
    case("AveragePooling2D", (9, 8, 3), error_code="AL108", refused_by=("3",)),
    # MaxPooling2D / AveragePooling2D
    case("MaxPooling2D", (9, 8, 3)),
    case("MaxPool2D", (None, 8, 3), pool_size=(3, 2), strides=(2, 1), padding="same",
         lengths=(1, 9)),
    case("MaxPooling2D", (None, None, 2), pool_size=(2, 3), lengths=(3, 10)),
    case("MaxPooling2D", (2, 5, 3), pool_size=3, error_code="AL101"),
    case("MaxPooling2D", (9, 9, 3), pool_size=2, strides=(1, 0), error_code="AL108"),
    case("MaxPooling2D", (9, 9, 3), pool_size=(2, 2, 2), error_code="AL108"),
    case("MaxPooling2D", (3, 9, 8), pool_size=2, data_format="channels_first",
         versions=("3",)),
    case("MaxPooling2D", (3, 8, 9), pool_size=(2, 3), strides=1,
         data_format="channels_first", lengths=()),
    case("AveragePooling2D", (7, 6, 2), pool_size=(3, 2), strides=(2, 2)),
    case("AvgPool2D", (None, 6, 2), pool_size=2, padding="same", lengths=(1, 7)),
    case("AveragePooling2D", (3, 7, 6), pool_size=2, data_format="channels_first",
         versions=("3",)),
    case("AveragePooling2D", (3, 6, 7), pool_size=2, padding="same",
         data_format="channels_first", lengths=()),
    # MaxPooling3D / AveragePooling3D (channels first runs on a CPU in both versions)
    case("MaxPooling3D", (4, 5, 6, 2)),
    case("MaxPool3D", (None, 5, 6, 2), pool_size=(1, 2, 3), strides=1, padding="same",
         lengths=(1, 4)),
    case("MaxPooling3D", (3, 4, 4, 4), pool_size=2, data_format="channels_first"),
    case("MaxPooling3D", (4, 1, 6, 2), error_code="AL101"),
    case("AveragePooling3D", (4, 5, 6, 2), pool_size=(2, 2, 3), strides=(2, 1, 3)),
    case("AvgPool3D", (3, 4, 5, 6), pool_size=2, padding="same",
         data_format="channels_first"),
    case("AveragePooling3D", (4, 5, 6), pool_size=2, error_code="AL104"),
    # Global pooling: keepdims and data_format, on every rank.
    case("GlobalMaxPooling1D", (None, 4)),
    case("GlobalMaxPool1D", (9, 4), keepdims=True),
    case("GlobalMaxPooling1D", (4, None), data_format="channels_first", keepdims=True),
    case("GlobalMaxPooling1D", (5, 9, 4), error_code="AL104"),
    case("GlobalAveragePooling1D", (None, 4), keepdims=True),
    case("GlobalAvgPool1D", (9, 4), data_format="channels_first"),
    case("GlobalAveragePooling1D", (9, 4), data_format="sideways", error_code="AL108"),
    case("GlobalMaxPooling2D", (5, 6, 3)),
    case("GlobalMaxPool2D", (3, None, 6), data_format="channels_first", keepdims=True),
    case("GlobalAveragePooling2D", (None, 6, 3), keepdims=True),
    case("GlobalAvgPool2D", (3, 4, 5), data_format="channels_first"),
    case("GlobalAveragePooling2D", (9, 3), error_code="AL104"),
    case("GlobalMaxPooling3D", (4, 5, 6, 2), keepdims=True),
    case("GlobalMaxPool3D", (2, 4, 5, 6), data_format="channels_first"),
    case("GlobalAveragePooling3D", (None, 5, 6, 2)),
    case("GlobalAvgPool3D", (2, 4, 5, 6), data_format="channels_first", keepdims=True),
]
