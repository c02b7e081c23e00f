"""Flatten, Reshape, Permute, RepeatVector, Cropping1D/2D/3D, ZeroPadding1D/2D/3D,
UpSampling1D/2D/3D: every option, symbolic time axes, and the configurations Keras refuses.

Keras declares None for every size that depends on a variable axis (Flatten over (T, 4)
declares (None, None)); archlint keeps the expression the forward pass produces (4*T).
"""

from tests.layer_cases import case

TF_KERAS_UPSAMPLING2D_BUG = (
    "tf-keras UpSampling2D declares every spatial axis None when any is undefined "
    "(backend.resize_images computes the new size from tf.shape); no issue found")

CASES = [
    # Flatten: product of the non-batch axes; a rank-1 input becomes (batch, 1).
    case("Flatten", (4, 5, 2)),
    case("Flatten", ()),
    case("Flatten", (None, 4)),
    case("Flatten", (3, 4), data_format="channels_first"),
    case("Flatten", (3, 4), data_format="channels_middle", error_code="AL108"),
    # Reshape: fixed target, one inferred -1, symbolic input sizes.
    case("Reshape", (3, 4), target_shape=(4, 3)),
    case("Reshape", (3, 4), target_shape=[2, -1, 3]),
    case("Reshape", (None, 4), target_shape=(-1, 2)),
    case("Reshape", (3, 5), target_shape=(4, 4), error_code="AL108"),
    case("Reshape", (3, 5), target_shape=(-1, 4), error_code="AL108"),
    case("Reshape", (3, 4), target_shape=(0, -1), error_code="AL108"),
    case("Reshape", (3, 4), target_shape=(-1, -1), error_code="AL108"),
    # 3*T elements only split into pairs for even T (9 and 23 are odd).
    case("Reshape", (None, 3), target_shape=(-1, 2), error_code="AL108"),
    case("Reshape", (None, 3), target_shape=(6, 3), error_code="AL108"),
    # tf-keras declares a lone negative entry as the inferred one ((6, 2) here) and fails at
    # the forward pass; Keras 3 refuses it when the layer is created, as archlint does.
    case("Reshape", (3, 4), target_shape=(-2, 2), error_code="AL108"),
    # Permute: 1-based permutation of the non-batch axes.
    case("Permute", (None, 64), dims=(2, 1)),
    case("Permute", (2, 3, 4), dims=[3, 1, 2]),
    case("Permute", (2, 3), dims=(1, 3), error_code="AL108"),
    case("Permute", (2, 3, 4), dims=(2, 1), error_code="AL104"),
    # RepeatVector: (batch, features) to (batch, n, features).
    case("RepeatVector", (8,), n=3),
    case("RepeatVector", (2, 8), n=3, error_code="AL104"),
    # tf-keras builds n=0 into an empty (None, 0, 8); Keras 3 refuses it, as archlint does.
    case("RepeatVector", (8,), n=0, refused_by=("3",), error_code="AL108"),
    # Cropping1D: int or (start, end); a crop that leaves no step is refused by both.
    case("Cropping1D", (10, 4)),
    case("Cropping1D", (10, 4), cropping=3),
    case("Cropping1D", (10, 4), cropping=(2, 0)),
    case("Cropping1D", (None, 4), cropping=(2, 3)),
    case("Cropping1D", (5, 4), cropping=(2, 3), error_code="AL101"),
    case("Cropping1D", (5, 4), cropping=(-1, 2), error_code="AL108"),
    # ZeroPadding1D: int or (start, end); data_format only exists in Keras 3.
    case("ZeroPadding1D", (5, 4)),
    case("ZeroPadding1D", (None, 4), padding=(0, 3)),
    case("ZeroPadding1D", (5, 4), padding=(2, 1), data_format="channels_first",
         versions=("3",)),
    case("ZeroPadding1D", (5, 4), padding=-1, error_code="AL108"),
    # UpSampling1D: repeats each step `size` times.
    case("UpSampling1D", (5, 4)),
    case("UpSampling1D", (None, 4), size=3),
    case("UpSampling1D", (5, 4), size=0, error_code="AL108"),
    # Cropping2D: int, one int per axis, (start, end) per axis (mixed too), both formats.
    case("Cropping2D", (5, 6, 2)),
    case("Cropping2D", (8, 9, 3), cropping=2),
    case("Cropping2D", (8, 9, 3), cropping=(1, 2)),
    case("Cropping2D", (8, 9, 3), cropping=((1, 2), (0, 3))),
    case("Cropping2D", (None, None, 2), cropping=((1, 2), 3)),
    case("Cropping2D", (2, 8, 9), cropping=((1, 0), (2, 2)), data_format="channels_first"),
    case("Cropping2D", (2, None, None), cropping=1, data_format="channels_first"),
    # A crop that leaves no row or column: both versions refuse it.
    case("Cropping2D", (5, 6, 2), cropping=((2, 3), 0), error_code="AL101"),
    case("Cropping2D", (2, 5, 6), cropping=((0, 0), (3, 3)), data_format="channels_first",
         error_code="AL101"),
    case("Cropping2D", (None, 4, 2), cropping=((1, 1), (2, 2)), error_code="AL101"),
    # tf-keras takes a negative int and slices [-1:1], an empty axis; Keras 3 refuses it.
    case("Cropping2D", (5, 6, 2), cropping=-1, versions=("3",), error_code="AL108"),
    case("Cropping2D", (5, 6, 2), cropping=((-1, 1), 0), error_code="AL108"),
    case("Cropping2D", (5, 6, 2), cropping=(1, 2, 3), error_code="AL108"),
    case("Cropping2D", (5, 6, 2), data_format="channels_middle", error_code="AL108"),
    case("Cropping2D", (5, 2), error_code="AL104"),
    # Cropping3D: the same forms with three entries; the default crops 1 on every side.
    case("Cropping3D", (5, 6, 7, 2)),
    case("Cropping3D", (None, None, None, 2), cropping=1),
    case("Cropping3D", (5, 6, 7, 2), cropping=(1, 0, 2)),
    case("Cropping3D", (2, 5, 6, 7), cropping=((1, 0), 2, (0, 1)),
         data_format="channels_first"),
    case("Cropping3D", (2, None, 6, None), cropping=(0, (2, 1), 3),
         data_format="channels_first"),
    # tf-keras's Cropping3D checks nothing: an over-crop (or a negative int) slices the axis
    # down to 0 steps, (None, 0, 6, 7, 2) here, and its forward pass returns that empty
    # tensor. Keras 3 refuses both, as archlint does.
    case("Cropping3D", (5, 6, 7, 2), cropping=((2, 3), 0, 0), refused_by=("3",),
         error_code="AL101"),
    case("Cropping3D", (None, 4, None, 1), cropping=(0, (2, 2), 0), refused_by=("3",),
         error_code="AL101"),
    case("Cropping3D", (5, 6, 7, 2), cropping=-1, versions=("3",), error_code="AL108"),
    case("Cropping3D", (5, 6, 7, 2), cropping=(1, 1), error_code="AL108"),
    # ZeroPadding2D: the same option forms as Cropping2D.
    case("ZeroPadding2D", (5, 6, 2)),
    case("ZeroPadding2D", (None, None, 3), padding=2),
    case("ZeroPadding2D", (5, 6, 3), padding=(1, 2)),
    case("ZeroPadding2D", (2, 5, 6), padding=((0, 1), (2, 3)), data_format="channels_first"),
    case("ZeroPadding2D", (None, 6, 2), padding=((1, 0), 2)),
    # Both versions build a negative int, then tf.pad refuses it (at build or forward pass).
    case("ZeroPadding2D", (5, 6, 2), padding=-1, error_code="AL108"),
    case("ZeroPadding2D", (5, 6, 2), padding=((1, -1), 0), error_code="AL108"),
    case("ZeroPadding2D", (5, 6, 2), padding=(1, 1, 1), error_code="AL108"),
    # ZeroPadding3D
    case("ZeroPadding3D", (2, 3, 4, 1)),
    case("ZeroPadding3D", (None, None, None, 2), padding=1),
    case("ZeroPadding3D", (2, 3, 4, 5), padding=(1, 0, 2), data_format="channels_first"),
    case("ZeroPadding3D", (3, None, 5, 1), padding=((1, 2), (0, 0), 3)),
    case("ZeroPadding3D", (2, 3, 4, 1), padding=-1, error_code="AL108"),
    case("ZeroPadding3D", (2, 3, 4, 1), padding=(1, 1), error_code="AL108"),
    # UpSampling2D: size int or pair; interpolation (any case) never changes the shape.
    case("UpSampling2D", (5, 6, 2)),
    case("UpSampling2D", (None, None, 2), size=3),
    case("UpSampling2D", (2, 5, 6), size=(2, 3), data_format="channels_first"),
    case("UpSampling2D", (5, 6, 2), size=(1, 2), interpolation="BICUBIC"),
    # One undefined spatial axis makes tf-keras declare both None (it resizes to
    # tf.shape(x)[1:3] * size, any interpolation); its forward pass gives 2*T and 12 here.
    case("UpSampling2D", (None, 6, 2), known_bug={"2": TF_KERAS_UPSAMPLING2D_BUG}),
    case("UpSampling2D", (None, 6, 2), interpolation="bilinear",
         known_bug={"2": TF_KERAS_UPSAMPLING2D_BUG}),
    case("UpSampling2D", (2, None, 6), size=(2, 1), data_format="channels_first",
         interpolation="area", known_bug={"2": TF_KERAS_UPSAMPLING2D_BUG}),
    case("UpSampling2D", (5, 6, 2), interpolation="lanczos3"),
    case("UpSampling2D", (5, 6, 2), interpolation="bogus", error_code="AL108"),
    # tf-keras also resizes with 'gaussian' (and 'mitchellcubic'), to (None, 10, 12, 2)
    # here; Keras 3's image resize refuses them at the forward pass, as archlint does.
    case("UpSampling2D", (5, 6, 2), interpolation="mitchellcubic", refused_by=("3",),
         error_code="AL108"),
    case("UpSampling2D", (5, 6, 2), interpolation="gaussian", refused_by=("3",),
         error_code="AL108"),
    case("UpSampling2D", (5, 6, 2), size=0, error_code="AL108"),
    case("UpSampling2D", (5, 6, 2), size=(1, 2, 3), error_code="AL108"),
    case("UpSampling2D", (5, 2), error_code="AL104"),
    # UpSampling3D
    case("UpSampling3D", (2, 3, 4, 1)),
    case("UpSampling3D", (None, 3, 4, 2), size=(1, 2, 3)),
    case("UpSampling3D", (2, 3, 4, 5), size=2, data_format="channels_first"),
    case("UpSampling3D", (None, None, None, 1), size=2),
    case("UpSampling3D", (2, 3, 4, 1), size=0, error_code="AL108"),
]
