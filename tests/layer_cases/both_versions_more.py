"""Identity, SpectralNormalization around the layers that have a kernel, and (tf-keras
only) LocallyConnected1D/2D."""

from tests.layer_cases import case, layer

# Keras 3 has no such class: it refuses every case, tf-keras builds the valid ones.
K3 = ("3",)
NO_KERAS3 = {"refused_by": ("3",), "error_code": "AL108"}

CASES = [
    case("Identity", (5, 3)),
    case("Identity", (None,)),
    # SpectralNormalization: the wrapped layer's weights and a non-trainable vector u.
    # tf-keras's class sets tf.keras's InputSpec, which is Keras 3's unless
    # TF_USE_LEGACY_KERAS=1 (not set for these builds): it then fails on every layer.
    case("SpectralNormalization", (6,), layer=layer("Dense", units=4), versions=K3),
    case("SpectralNormalization", (None, 6), layer=layer("Dense", units=4, use_bias=False),
         power_iterations=3, versions=K3),
    case("SpectralNormalization", (10, 3), layer=layer("Conv1D", filters=5, kernel_size=3),
         versions=K3),
    case("SpectralNormalization", (8, 8, 3),
         layer=layer("Conv2D", filters=4, kernel_size=3, padding="same"), versions=K3),
    case("SpectralNormalization", (8, 8, 3),
         layer=layer("Conv2DTranspose", filters=4, kernel_size=3), versions=K3),
    case("SpectralNormalization", (7,), dtype="int32",
         layer=layer("Embedding", input_dim=20, output_dim=5), versions=K3),
    case("SpectralNormalization", (6,), layer=layer("Dropout", rate=0.5), error_code="AL108"),
    case("SpectralNormalization", (6,), layer=layer("Dense", units=4), power_iterations=0,
         error_code="AL108"),
    case("SpectralNormalization", (10, 3), layer=layer("Conv1D", filters=5, kernel_size=11),
         error_code="AL101"),
    # LocallyConnected: one kernel per output position.
    case("LocallyConnected1D", (10, 3), filters=4, kernel_size=3, **NO_KERAS3),
    case("LocallyConnected1D", (10, 3), filters=4, kernel_size=3, strides=2, use_bias=False,
         **NO_KERAS3),
    case("LocallyConnected1D", (10, 3), filters=2, kernel_size=3, implementation=2,
         padding="same", **NO_KERAS3),
    case("LocallyConnected1D", (10, 3), filters=2, kernel_size=4, implementation=3,
         **NO_KERAS3),
    case("LocallyConnected1D", (3, 10), filters=2, kernel_size=3,
         data_format="channels_first", **NO_KERAS3),
    case("LocallyConnected2D", (8, 7, 2), filters=3, kernel_size=3, **NO_KERAS3),
    case("LocallyConnected2D", (8, 7, 2), filters=3, kernel_size=(3, 2), strides=2,
         implementation=2, **NO_KERAS3),
    case("LocallyConnected2D", (8, 7, 2), filters=3, kernel_size=3, implementation=3,
         **NO_KERAS3),
    case("LocallyConnected1D", (10, 3), filters=4, kernel_size=3, padding="same",
         error_code="AL108"),
    case("LocallyConnected1D", (None, 3), filters=4, kernel_size=3, refused_by=("3", "2")),
    case("LocallyConnected1D", (2, 3), filters=4, kernel_size=3, error_code="AL101"),
]
