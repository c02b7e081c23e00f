"""Conv1D/2D/3D, DepthwiseConv1D/2D, SeparableConv1D/2D and Conv1D/2D/3DTranspose: every
padding, strides, dilation, groups, depth_multiplier, output_padding, use_bias, data_format,
symbolic axes, and the configurations and inputs Keras refuses.

Channels-first convolutions often cannot run forward on a CPU (TensorFlow's CPU Conv2D
kernel only supports NHWC: "The Conv2D op currently only supports the NHWC tensor format on
CPU"), so those cases use ``lengths=()``: no forward pass, only the shape and parameters Keras
declares are checked. Where one version does run them (Keras 3: Conv3D, depthwise and
separable convolutions, which it transposes to channels last on a CPU; tf-keras:
Conv2DTranspose), a second case runs the forward passes for that version only. The CPU
kernels of the transposed convolutions also refuse dilation_rate > 1 ("Current CPU
implementations do not yet support dilation rates larger than 1"): declared shapes only.
"""

from tests.layer_cases import case

CASES = [
    # The reference model's first layer, on a fixed and on a variable time axis.
    case("Conv1D", (20, 6), filters=32, kernel_size=10, strides=1, padding="valid",
         activation="swish"),
    case("Conv1D", (None, 6), filters=32, kernel_size=10, lengths=(10, 23)),
    case("Convolution1D", (12, 5), filters=3, kernel_size=4),
    # valid: a window longer than the input leaves 0 or fewer steps; both versions refuse.
    case("Conv1D", (9, 3), filters=4, kernel_size=10, error_code="AL101"),
    case("Conv1D", (7, 3), filters=4, kernel_size=10, strides=2, error_code="AL101"),
    case("Conv1D", (8, 3), filters=4, kernel_size=3, dilation_rate=4, error_code="AL101"),
    case("Conv1D", (9, 3), filters=4, kernel_size=3, dilation_rate=4),
    # Strides on valid and same, with lengths that do and do not divide evenly.
    case("Conv1D", (None, 3), filters=2, kernel_size=4, strides=3, padding="valid",
         lengths=(4, 10, 23)),
    case("Conv1D", (None, 3), filters=2, kernel_size=4, strides=3, padding="same",
         lengths=(1, 9, 10, 23)),
    case("Conv1D", (None, 3), filters=2, kernel_size=3, dilation_rate=2, lengths=(5, 23)),
    case("Conv1D", (None, 3), filters=2, kernel_size=4, dilation_rate=3, padding="causal",
         lengths=(1, 9)),
    case("Conv1D", (None, 3), filters=2, kernel_size=3, strides=2, padding="causal",
         lengths=(1, 9, 10)),
    # Upper-case padding and data_format are lower-cased by both versions.
    case("Conv1D", (9, 3), filters=2, kernel_size=2, padding="SAME"),
    case("Conv1D", (9, 3), filters=2, kernel_size=2, padding="Causal",
         data_format="Channels_Last"),
    case("Conv1D", (9, 3), filters=2, kernel_size=2, use_bias=False),
    # groups split the input channels; they must divide both channels and filters.
    case("Conv1D", (9, 6), filters=4, kernel_size=3, groups=2),
    case("Conv1D", (None, 6), filters=6, kernel_size=2, groups=3, use_bias=False),
    case("Conv1D", (9, 3), filters=4, kernel_size=3, groups=2, error_code="AL108"),
    case("Conv1D", (9, 6), filters=3, kernel_size=3, groups=2, error_code="AL108"),
    # tf-keras reads groups=0 as groups=1 ("self.groups = groups or 1"); Keras 3 refuses it.
    case("Conv1D", (9, 6), filters=3, kernel_size=3, groups=0, error_code="AL108",
         refused_by=("3",)),
    # Invalid options, refused by both versions when the layer is constructed.
    case("Conv1D", (9, 3), filters=2, kernel_size=3, strides=2, dilation_rate=2,
         error_code="AL108"),
    case("Conv1D", (9, 3), filters=2, kernel_size=3, strides=0, error_code="AL108"),
    case("Conv1D", (9, 3), filters=2, kernel_size=0, error_code="AL108"),
    case("Conv1D", (9, 3), filters=0, kernel_size=3, error_code="AL108"),
    case("Conv1D", (9, 3), filters=2, kernel_size=3, padding="full", error_code="AL108"),
    case("Conv1D", (9, 3), filters=2, kernel_size=3, padding=[[0, 0], [1, 1], [0, 0]],
         error_code="AL108"),
    case("Conv1D", (9, 3), filters=2, kernel_size=3, data_format="channels_middle",
         error_code="AL108"),
    # tf-keras truncates filters=2.0 to 2; Keras 3 fails to create the kernel.
    case("Conv1D", (9, 3), filters=2.0, kernel_size=3, error_code="AL108", refused_by=("3",)),
    # The kernel needs the channel count; a wrong rank is refused.
    case("Conv1D", (9, None), filters=2, kernel_size=3, error_code="AL106"),
    case("Conv1D", (9,), filters=2, kernel_size=3, error_code="AL104"),
    # tf-keras folds extra leading axes into the batch ((None, 5, 7, 4) here); Keras 3 refuses:
    # "Kernel shape must have the same length as input".
    case("Conv1D", (5, 9, 3), filters=4, kernel_size=3, error_code="AL104", refused_by=("3",)),
    case("Conv2D", (2, 6, 5, 3), filters=2, kernel_size=2, error_code="AL104", refused_by=("3",)),
    case("Conv1D", (9, 6), filters=2.5, kernel_size=3, error_code="AL108", refused_by=("3",)),
    # Keras 3's LoRA: the kernel becomes non-trainable, two trainable factors are added;
    # rank 0 adds none. tf-keras has no lora_rank argument and refuses it.
    case("Conv1D", (9, 6), filters=4, kernel_size=3, lora_rank=2, refused_by=("2",)),
    case("Conv1D", (9, 6), filters=4, kernel_size=3, groups=2, lora_rank=1, use_bias=False,
         refused_by=("2",)),
    case("Conv2D", (7, 6, 3), filters=5, kernel_size=(3, 2), lora_rank=2, lora_alpha=4,
         refused_by=("2",)),
    case("Conv3D", (4, 4, 4, 2), filters=3, kernel_size=2, lora_rank=3, refused_by=("2",)),
    case("Conv1D", (9, 6), filters=4, kernel_size=3, lora_rank=0, refused_by=("2",)),
    case("Conv1D", (9, 6), filters=4, kernel_size=3, lora_rank=2, kernel_constraint="non_neg",
         error_code="AL108"),
    # Channels first: declared shapes only (see the module docstring).
    case("Conv1D", (3, 9), filters=4, kernel_size=3, data_format="channels_first", lengths=()),
    case("Conv1D", (3, 10), filters=2, kernel_size=4, padding="causal",
         data_format="channels_first", lengths=()),
    case("Conv1D", (4, 9), filters=2, kernel_size=3, groups=2, strides=2, padding="same",
         data_format="channels_first", lengths=()),
    # Conv2D
    case("Conv2D", (9, 8, 3), filters=8, kernel_size=3, strides=2, padding="same"),
    case("Conv2D", (None, 8, 3), filters=4, kernel_size=(3, 2), strides=(2, 1),
         lengths=(3, 10)),
    case("Conv2D", (None, None, 3), filters=2, kernel_size=3, dilation_rate=(2, 1),
         lengths=(5, 11)),
    case("Conv2D", (7, 7, 4), filters=4, kernel_size=3, groups=2, use_bias=False),
    case("Convolution2D", (6, 5, 2), filters=3, kernel_size=(1, 2), padding="same"),
    case("Conv2D", (2, 5, 3), filters=4, kernel_size=3, error_code="AL101"),
    case("Conv2D", (5, 5, 3), filters=4, kernel_size=(2, 6), error_code="AL101"),
    case("Conv2D", (9, 9, 3), filters=4, kernel_size=3, padding="causal", error_code="AL108"),
    case("Conv2D", (9, 9, 3), filters=4, kernel_size=(3, 3, 3), error_code="AL108"),
    case("Conv2D", (9, 9, None), filters=4, kernel_size=3, error_code="AL106"),
    case("Conv2D", (9, 3), filters=4, kernel_size=3, error_code="AL104"),
    case("Conv2D", (3, 9, 8), filters=4, kernel_size=(3, 2), strides=(1, 2),
         data_format="channels_first", lengths=()),
    # Conv3D
    case("Conv3D", (5, 6, 7, 2), filters=4, kernel_size=3),
    case("Conv3D", (None, 6, 7, 2), filters=3, kernel_size=(2, 3, 3), strides=(1, 2, 2),
         padding="same", lengths=(1, 6)),
    case("Conv3D", (5, 5, 5, 4), filters=4, kernel_size=3, groups=2, use_bias=False),
    case("Convolution3D", (4, 4, 4, 1), filters=2, kernel_size=2, dilation_rate=(1, 2, 1)),
    case("Conv3D", (2, 5, 5, 3), filters=4, kernel_size=3, error_code="AL101"),
    # Keras 3 runs Conv3D channels first on a CPU; tf-keras fails in TensorFlow's kernel.
    case("Conv3D", (3, 6, 6, 6), filters=2, kernel_size=2, data_format="channels_first",
         versions=("3",)),
    case("Conv3D", (3, 5, 6, 7), filters=2, kernel_size=(1, 2, 3),
         data_format="channels_first", lengths=()),
    # DepthwiseConv1D/2D
    case("DepthwiseConv1D", (9, 3), kernel_size=3, depth_multiplier=2),
    case("DepthwiseConv1D", (None, 3), kernel_size=3, strides=2, padding="same",
         use_bias=False, lengths=(1, 10)),
    case("DepthwiseConv1D", (2, 3), kernel_size=3, error_code="AL101"),
    case("DepthwiseConv1D", (9, None), kernel_size=3, error_code="AL106"),
    case("DepthwiseConv1D", (9, 3), kernel_size=3, padding="causal", error_code="AL108"),
    # Keras 3 decomposes strides > 1 with dilation_rate > 1; tf-keras refuses the pair.
    case("DepthwiseConv1D", (12, 3), kernel_size=3, strides=2, dilation_rate=3,
         refused_by=("2",)),
    # tf-keras builds depth_multiplier=0 as 0 output channels, then its forward pass fails
    # ("filter must not have zero elements"); Keras 3 refuses it when created.
    case("DepthwiseConv1D", (9, 3), kernel_size=3, depth_multiplier=0, error_code="AL108"),
    # Keras 3 refuses a groups keyword here; tf-keras ignores it.
    case("DepthwiseConv1D", (9, 4), kernel_size=3, groups=2, error_code="AL108",
         refused_by=("3",)),
    case("DepthwiseConv1D", (3, 9), kernel_size=3, data_format="channels_first",
         versions=("3",)),
    case("DepthwiseConv1D", (3, 10), kernel_size=2, depth_multiplier=2,
         data_format="channels_first", lengths=()),
    case("DepthwiseConv2D", (9, 8, 3), kernel_size=3, strides=2, padding="same"),
    # tf-keras declares (None, None, None, 9): with dilation_rate > 1 and an undefined axis,
    # TensorFlow's space-to-batch depthwise op loses every static spatial size
    # (tensorflow/tensorflow#37039); its forward passes give (T-2, 6, 9) as here.
    case("DepthwiseConv2D", (None, 8, 3), kernel_size=(3, 2), dilation_rate=(1, 2),
         depth_multiplier=3, use_bias=False, lengths=(3, 9),
         known_bug={"2": "tensorflow/tensorflow#37039: DepthwiseConv2D with dilation_rate > 1 "
                         "loses static spatial sizes"}),
    case("DepthwiseConv2D", (3, 9, 8), kernel_size=3, data_format="channels_first"),
    case("DepthwiseConv2D", (9, 8, 3), kernel_size=3, strides=2, dilation_rate=2,
         refused_by=("2",)),
    # Both versions declare (None, 7, 3, 3), then TensorFlow's depthwise kernel refuses:
    # "Current implementation only supports equal length strides in the row and column";
    # its oneDNN CPU kernel (TF_ENABLE_ONEDNN_OPTS=1) runs it.
    case("DepthwiseConv2D", (9, 8, 3), kernel_size=3, strides=(1, 2), error_code="AL108",
         runs_with_onednn=True),
    case("DepthwiseConv2D", (5, 9, 8, 3), kernel_size=3, error_code="AL104"),
    # SeparableConv1D/2D
    case("SeparableConv1D", (9, 3), filters=4, kernel_size=3, depth_multiplier=2),
    case("SeparableConvolution1D", (None, 3), filters=4, kernel_size=3, strides=2,
         lengths=(3, 10)),
    case("SeparableConv1D", (2, 3), filters=4, kernel_size=3, error_code="AL101"),
    case("SeparableConv1D", (9, None), filters=4, kernel_size=3, error_code="AL106"),
    case("SeparableConv1D", (9, 3), filters=0, kernel_size=3, error_code="AL108"),
    case("SeparableConv1D", (9, 3), filters=4, kernel_size=3, depth_multiplier=0,
         error_code="AL108"),
    # tf-keras lets SeparableConv1D pad causally ((None, 9, 4) here); Keras 3 refuses.
    case("SeparableConv1D", (9, 3), filters=4, kernel_size=3, padding="causal",
         error_code="AL108", refused_by=("3",)),
    case("SeparableConv1D", (9, 3), filters=4, kernel_size=3, strides=2, dilation_rate=2,
         refused_by=("2",)),
    case("SeparableConv1D", (3, 9), filters=4, kernel_size=3, data_format="channels_first",
         versions=("3",)),
    case("SeparableConv1D", (3, 10), filters=2, kernel_size=3, use_bias=False,
         data_format="channels_first", lengths=()),
    case("SeparableConv2D", (9, 8, 3), filters=4, kernel_size=3, strides=2, padding="same",
         use_bias=False),
    case("SeparableConvolution2D", (None, None, 3), filters=4, kernel_size=3, dilation_rate=2,
         depth_multiplier=2, lengths=(5, 9)),
    case("SeparableConv2D", (9, 8, 3), filters=4, kernel_size=3, strides=(1, 2),
         error_code="AL108", runs_with_onednn=True),
    case("SeparableConv2D", (3, 9, 8), filters=4, kernel_size=3, data_format="channels_first",
         versions=("3",)),
    case("SeparableConv2D", (3, 8, 9), filters=4, kernel_size=(2, 3),
         data_format="channels_first", lengths=()),
    # Conv1DTranspose/2D/3D: output_padding, strides, same/valid; never a nonpositive length.
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=3),
    case("Conv1DTranspose", (None, 3), filters=4, kernel_size=3, strides=2, lengths=(1, 9)),
    case("Convolution1DTranspose", (None, 3), filters=4, kernel_size=3, strides=2,
         padding="same", lengths=(1, 9)),
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=2, strides=3, use_bias=False),
    case("Conv1DTranspose", (None, 3), filters=4, kernel_size=3, strides=2, output_padding=1,
         lengths=(1, 9)),
    case("Conv1DTranspose", (None, 3), filters=4, kernel_size=3, strides=2, output_padding=1,
         padding="same", lengths=(1, 9)),
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=4, strides=2, output_padding=1,
         padding="same"),
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=3, output_padding=0,
         padding="same"),
    # Both versions declare (None, 16, 4), then TensorFlow refuses the first call: "Size of
    # out_backprop doesn't match computed: actual = 9, computed = 8".
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=4, strides=2, output_padding=0,
         padding="same", error_code="AL108"),
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=3, strides=2, output_padding=2,
         error_code="AL108"),
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=3, strides=2, dilation_rate=2,
         error_code="AL108"),
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=3, padding="causal",
         error_code="AL108"),
    case("Conv1DTranspose", (9, None), filters=4, kernel_size=3, error_code="AL106"),
    case("Conv1DTranspose", (5, 9, 3), filters=4, kernel_size=3, error_code="AL104"),
    # tf-keras accepts groups and ignores it; Keras 3 refuses the keyword.
    case("Conv1DTranspose", (9, 4), filters=4, kernel_size=3, groups=2, error_code="AL108",
         refused_by=("3",)),
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=3, dilation_rate=2, lengths=()),
    case("Conv1DTranspose", (9, 3), filters=4, kernel_size=4, dilation_rate=2,
         padding="same", output_padding=0, lengths=()),
    case("Conv1DTranspose", (3, 9), filters=4, kernel_size=3, data_format="channels_first",
         lengths=()),
    case("Conv2DTranspose", (5, 6, 3), filters=4, kernel_size=3, strides=(2, 1),
         padding="same"),
    case("Convolution2DTranspose", (None, 6, 3), filters=4, kernel_size=(3, 2),
         strides=(2, 3), output_padding=(1, 2), lengths=(1, 5)),
    # tf-keras runs Conv2DTranspose channels first on a CPU; Keras 3 fails in TensorFlow's
    # kernel ("Conv2DCustomBackpropInputOp only supports NHWC").
    case("Conv2DTranspose", (3, 5, 6), filters=4, kernel_size=3, data_format="channels_first",
         versions=("2",)),
    case("Conv2DTranspose", (3, 6, 5), filters=2, kernel_size=2, strides=2,
         data_format="channels_first", lengths=()),
    case("Conv3DTranspose", (3, 4, 5, 2), filters=4, kernel_size=2, strides=2),
    case("Convolution3DTranspose", (None, 4, 5, 2), filters=2, kernel_size=3, padding="same",
         use_bias=False, lengths=(1, 3)),
    case("Conv3DTranspose", (2, 3, 4, 5), filters=4, kernel_size=2,
         data_format="channels_first", lengths=()),
]
