"""Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout and
ActivityRegularization: same shape, no parameters; ranks and option values Keras refuses.

The forward passes run at inference (training=False), where all of these are the identity.
"""

from tests.layer_cases import case

CASES = [
    case("Dropout", (3, 4), rate=0.5),
    case("Dropout", (None, 4), rate=0.2, noise_shape=(None, 1, 4), seed=1),
    case("Dropout", (3, 4), rate=1.5, error_code="AL108"),
    # Keras 3 refuses a noise_shape entry <= 0; tf-keras accepts it when created.
    case("Dropout", (4,), rate=0.5, noise_shape=(None, 0), refused_by=("3",),
         error_code="AL108"),
    case("SpatialDropout1D", (None, 4), rate=0.2),
    case("SpatialDropout1D", (5,), rate=0.2, error_code="AL104"),
    case("SpatialDropout1D", (4, 5), rate=1.5, error_code="AL108"),
    case("SpatialDropout2D", (4, 4, 3), rate=0.2),
    case("SpatialDropout2D", (3, 4, 4), rate=0.2, data_format="channels_first"),
    case("SpatialDropout2D", (4, 4, 3), rate=0.2, data_format="nhwc", error_code="AL108"),
    case("SpatialDropout3D", (2, 2, 2, 3), rate=0.2, data_format="channels_first"),
    case("GaussianNoise", (3, 4), stddev=0.1),
    # Keras 3 keeps stddev and rates in [0, 1]; tf-keras accepts these values.
    case("GaussianNoise", (3,), stddev=2.0, refused_by=("3",), error_code="AL108"),
    case("GaussianDropout", (None, 4), rate=0.3),
    case("GaussianDropout", (3,), rate=1.5, refused_by=("3",), error_code="AL108"),
    case("AlphaDropout", (3, 4), rate=0.2, noise_shape=(None, 1, 4)),
    case("AlphaDropout", (3,), rate=2.0, refused_by=("3",), error_code="AL108"),
    case("ActivityRegularization", (None, 4), l1=0.01, l2=0.02),
]
