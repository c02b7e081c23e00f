"""Activation layers: every option, PReLU's parameters with shared axes, Activation('glu'),
and the option values Keras refuses.
"""

from tests.layer_cases import case

CASES = [
    case("Activation", (3, 4), activation="relu"),
    case("Activation", (None,), activation=None),
    case("Activation", (5,), activation="no_such_activation", error_code="AL108"),
    # Keras 3 only ('glu' is unknown to tf-keras): the forward pass halves the last axis,
    # while Activation.compute_output_shape declares the input's shape.
    case("Activation", (4, 6), activation="glu", versions=("3",),
         known_bug={"3": "keras-team/keras#21695: GLU halves the split axis, but "
                         "Activation declares its input shape"}),
    case("Activation", (4, 5), activation="glu", versions=("3",), error_code="AL108"),
    case("ReLU", (None, 4), max_value=6.0),
    case("ReLU", (4,), max_value=1.0, negative_slope=0.1, threshold=0.5),
    case("ReLU", (4,), max_value=-1.0, error_code="AL108"),
    case("LeakyReLU", (4,), alpha=0.2),
    # Keras 3 renamed alpha to negative_slope (tf-keras refuses the new name) and refuses
    # a negative slope (tf-keras accepts it).
    case("LeakyReLU", (4,), negative_slope=0.1, versions=("3",)),
    case("LeakyReLU", (4,), negative_slope=-0.5, versions=("3",), refused_by=("3",),
         error_code="AL108"),
    case("LeakyReLU", (4,), alpha=-0.5, refused_by=("3",), error_code="AL108"),
    case("ELU", (None, 2), alpha=0.5),
    case("Softmax", (4, 5)),
    case("Softmax", (None, 5), axis=(1, 2)),
    case("Softmax", (4, 5), axis=3, error_code="AL108"),
    # tf-keras only (Keras 3 removed the layer).
    case("ThresholdedReLU", (4,), theta=0.5, versions=("2",)),
    case("ThresholdedReLU", (4,), theta=-1.0, versions=("2",), error_code="AL108"),
    # PReLU: one slope per element, one per shared axis.
    case("PReLU", (10, 4)),
    case("PReLU", (None, 4), shared_axes=1),
    case("PReLU", (3, 4, 5), shared_axes=[1, 2]),
    # Keras writes param_shape[axis - 1] = 1: axis 0 shares the last axis.
    case("PReLU", (3, 4), shared_axes=0),
    case("PReLU", (3, 4), shared_axes=3, error_code="AL108"),
    case("PReLU", (None, 4), error_code="AL106"),
]
