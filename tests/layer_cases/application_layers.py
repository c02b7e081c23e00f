"""The layers Keras's applications define for themselves, outside ``keras.layers``:
ConvNeXt's LayerScale (a trainable gamma over the last axis) and InceptionResNetV2's
CustomScaleLayer (``inputs[0] + inputs[1] * scale``), built from the application modules of
each Keras version.
"""

from tests.layer_cases import case

CASES = [
    # LayerScale: one weight per channel, broadcast against the last axis.
    case("LayerScale", (7, 7, 96), init_values=1e-6, projection_dim=96),
    case("LayerScale", (None, 8), init_values=0.5, projection_dim=8),
    case("LayerScale", (5, 1), init_values=1e-6, projection_dim=4),
    case("LayerScale", (7, 7, 64), init_values=1e-6, projection_dim=96, error_code="AL105"),
    # CustomScaleLayer: no weights; the two tensors broadcast; a third is not read.
    case("CustomScaleLayer", (5, 5, 32), (5, 5, 32), scale=0.17),
    case("CustomScaleLayer", (None, 3), (1, 3), scale=1.0),
    case("CustomScaleLayer", (4, 3), (4, 3), (9,), scale=0.1),
    case("CustomScaleLayer", (4, 3), (5, 3), scale=0.2, error_code="AL105"),
]
