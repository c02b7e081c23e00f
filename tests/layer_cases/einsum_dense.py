"""EinsumDense: the three equation forms Keras accepts (letters only, a leading ellipsis, a
trailing one), bias axes, output_shape with None entries (axes the input gives), variable
lengths, and the equations and shapes Keras refuses.
"""

from tests.layer_cases import case

# Keras 3 declares output_shape as given, its None entries left None; the forward pass
# gives those axes the input's size.
DECLARED_NONE = ("EinsumDense.compute_output_shape keeps output_shape's None entries, "
                 "which the forward pass sizes from the input")
# Keras 3 inserts the axes a leading ellipsis covers in reverse order.
REVERSED_ELLIPSIS = ("EinsumDense.compute_output_shape inserts the elided axes of '...' in "
                     "reverse order")

EINSUM_DENSE = [
    # Letters only: a Dense, a Dense on rank 3, a projection to heads.
    case("EinsumDense", (16,), equation="ab,bc->ac", output_shape=8),
    case("EinsumDense", (16,), equation="ab,bc->ac", output_shape=(8,), bias_axes="c"),
    case("EinsumDense", (5, 16), equation="abc,cd->abd", output_shape=(5, 8)),
    case("EinsumDense", (5, 16), equation="abc,cd->abd", output_shape=(None, 8),
         bias_axes="d", known_bug={"3": DECLARED_NONE}),
    case("EinsumDense", (None, 16), equation="abc,cd->abd", output_shape=(None, 8),
         bias_axes="d"),
    case("EinsumDense", (5, 16), equation="abc,cde->abde", output_shape=(None, 4, 8),
         bias_axes="de", known_bug={"3": DECLARED_NONE}),
    case("EinsumDense", (5, 16), equation="abc,cde->abde", output_shape=(None, 4, 8),
         bias_axes="e", known_bug={"3": DECLARED_NONE}),
    case("EinsumDense", (5, 16), equation="abc,cde->abde", output_shape=(None, 4, 8),
         bias_axes="d", known_bug={"3": DECLARED_NONE}),
    case("EinsumDense", (5, 16), equation="abc,cd->abd", output_shape=(None, 8),
         activation="relu", known_bug={"3": DECLARED_NONE}),
    # Output axes that come from the input only, and a kernel over two input axes.
    case("EinsumDense", (5, 16), equation="abc,bcd->ad", output_shape=8),
    case("EinsumDense", (5, 16), equation="abc,cd->adb", output_shape=(8, 5)),
    case("EinsumDense", (5, 16), equation="abc,cd->adb", output_shape=(8, None),
         known_bug={"3": DECLARED_NONE}),
    case("EinsumDense", (5, 4, 16), equation="abcd,de->abce", output_shape=(None, None, 8),
         known_bug={"3": DECLARED_NONE}),
    # A leading ellipsis.
    case("EinsumDense", (16,), equation="...b,bc->...c", output_shape=8),
    case("EinsumDense", (5, 16), equation="...b,bc->...c", output_shape=8, bias_axes="c"),
    case("EinsumDense", (None, 16), equation="...b,bc->...c", output_shape=8),
    case("EinsumDense", (3, 5, 16), equation="...b,bc->...c", output_shape=8,
         known_bug={"3": REVERSED_ELLIPSIS}),
    case("EinsumDense", (5, 16), equation="...ab,bc->...ac", output_shape=(5, 8)),
    # A trailing ellipsis.
    case("EinsumDense", (16, 5), equation="ab...,bc->ac...", output_shape=8),
    case("EinsumDense", (16, 5, 3), equation="ab...,bc->ac...", output_shape=8,
         bias_axes="c"),
    # Refused: the forms Keras does not read, shapes that do not fit.
    case("EinsumDense", (16,), equation="ab,bc", output_shape=8, error_code="AL108"),
    case("EinsumDense", (16,), equation="ab,bc->ad", output_shape=8, error_code="AL108"),
    case("EinsumDense", (16,), equation="ab,bc->ac", output_shape=8, bias_axes="x",
         error_code="AL108"),
    case("EinsumDense", (5, 16), equation="abc,cd->abd", output_shape=(4, 8),
         error_code="AL105"),
    case("EinsumDense", (None, 16), equation="abc,cd->abd", output_shape=(5, 8),
         error_code="AL105"),
    case("EinsumDense", (5, 16), equation="abc,cd->abd", output_shape=8, error_code="AL108"),
    case("EinsumDense", (5, 16), equation="ab,bc->ac", output_shape=8, error_code="AL104"),
    case("EinsumDense", (16,), equation="abc,cd->abd", output_shape=(None, 8),
         error_code="AL104"),
    case("EinsumDense", (16,), equation="ab,bc->ac", output_shape=(None,),
         error_code="AL108"),
    # A kernel axis the input and the output share, left None in output_shape: tf-keras
    # sizes it by the input, Keras 3 by output_shape and refuses.
    case("EinsumDense", (16,), equation="ab,bc->abc", output_shape=(None, 8),
         refused_by=("3",), error_code="AL108"),
]

CASES = EINSUM_DENSE
