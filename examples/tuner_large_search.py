"""A KerasTuner search over a small image classifier, too large to try point by point.

The number of convolution blocks, each block's kernel, the head and the dropout decide the
model's structure; the filters and the dense width are only layer sizes. archlint analyses
one model per structure (300 of them) with the sizes kept as symbols, so that parameters,
FLOPs and memory are polynomials in them, and bounds each over all 1,397,760 points
exactly. Keras refuses the structures whose blocks shrink the image to nothing: three
blocks whose last two kernels are 5 leave the last pooling a single pixel.
"""

import keras
import keras_tuner as kt
from keras import layers

IMAGE = (32, 32, 3)
CLASSES = 10


def build_model(hp):
    inputs = keras.Input(shape=IMAGE)
    x = inputs
    for block in range(hp.Int("blocks", 1, 3)):
        x = layers.Conv2D(hp.Int(f"filters_{block}", 16, 128, step=16),
                          hp.Choice(f"kernel_{block}", [3, 5]), activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    pooling = layers.GlobalAveragePooling2D() if hp.Boolean("global_pooling") else \
        layers.Flatten()
    x = pooling(x)
    units = hp.Int("units", 32, 1024, step=32)
    x = layers.Dense(units, activation="relu")(x)
    x = layers.Dense(units // 4, activation="relu")(x)
    x = layers.Dropout(hp.Float("dropout", 0.0, 0.5, step=0.1))(x)
    outputs = layers.Dense(CLASSES, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="image_classifier")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


tuner = kt.Hyperband(build_model, objective="val_accuracy", max_epochs=10,
                     overwrite=True, directory="tuner_runs", project_name="images")
