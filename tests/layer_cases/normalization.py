"""BatchNormalization, LayerNormalization, RMSNormalization, GroupNormalization and
UnitNormalization: every axis form, center/scale (trainable) and the moving statistics
(non-trainable), symbolic axes, and the configurations Keras refuses.
"""

from tests.layer_cases import case

CASES = [
    # BatchNormalization: gamma and beta trainable, moving mean and variance not.
    case("BatchNormalization", (10, 64)),
    case("BatchNormalization", (None, 8)),
    case("BatchNormalization", (10, 64), axis=1),
    case("BatchNormalization", (10, 6), center=False),
    # renorm adds a moving stddev and the renorm mean and stddev, all non-trainable.
    case("BatchNormalization", (10, 6), scale=False, renorm=True),
    case("BatchNormalization", (None, 8), axis=1, error_code="AL106"),
    case("BatchNormalization", (3, 4), axis=3, error_code="AL108"),
    # tf-keras accepts a list of axes (48 parameters here: 4 vectors of 3*4); Keras 3
    # refuses it (int(axis) fails), as archlint does.
    case("BatchNormalization", (3, 4), axis=[1, 2], refused_by=("3",), error_code="AL108"),
    # LayerNormalization: one gamma and one beta entry per element of the axes.
    case("LayerNormalization", (None, 8)),
    case("LayerNormalization", (3, 4), axis=[1, 2]),
    case("LayerNormalization", (2, 3, 4), axis=(-1, -3)),
    case("LayerNormalization", (3, 4), axis=1, center=False),
    case("LayerNormalization", (3, 4), scale=False),
    case("LayerNormalization", (None, 8), axis=1, error_code="AL106"),
    # Keras 3 builds repeated axes (and squares the parameters); both fail the forward pass.
    case("LayerNormalization", (3, 4), axis=[2, -1], error_code="AL108"),
    # Keras 3 only (tf-keras refuses the option): rms_scaling keeps gamma, drops beta.
    case("LayerNormalization", (3, 4), rms_scaling=True, versions=("3",)),
    # RMSNormalization exists in Keras 3 only: one trainable scale vector.
    case("RMSNormalization", (None, 16), versions=("3",)),
    case("RMSNormalization", (3, 4), axis=[1, 2], versions=("3",)),
    # GroupNormalization: groups must divide the channels; -1 is one group per channel.
    case("GroupNormalization", (10, 8), groups=4),
    case("GroupNormalization", (10, 8), groups=-1),
    case("GroupNormalization", (None, 8), groups=8, center=False),
    case("GroupNormalization", (6, 5), groups=2, axis=1, scale=False),
    case("GroupNormalization", (10, 64)),
    case("GroupNormalization", (10, 8), error_code="AL108"),
    case("GroupNormalization", (10, 8), groups=0, error_code="AL108"),
    case("GroupNormalization", (None, 8), groups=2, axis=1, error_code="AL106"),
    # UnitNormalization: no parameters; the axes must exist.
    case("UnitNormalization", (None, 4), axis=[1, 2]),
    case("UnitNormalization", (3, 4), axis=3, error_code="AL108"),
]
