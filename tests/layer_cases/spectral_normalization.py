"""SpectralNormalization around the layers that have a kernel (or embeddings): their
output and weights, and a non-trainable vector u of the kernel's last axis."""

from tests.layer_cases import case, layer

K3 = ("3",)

CASES = [
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
]
