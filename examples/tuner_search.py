"""A KerasTuner search over a small 1-D convolutional classifier of sensor windows.

archlint calls ``build_model`` at every point of its search space (kernel size, width of the
dense layer, an optional extra layer whose width is tuned too) without running anything, and
reports the range of parameter counts, the values that reach each end, and the values Keras
refuses: a kernel of 7 leaves the second convolution a window of 5 steps, too short for it.
"""

import keras
import keras_tuner as kt
from keras import layers

WINDOW = 16  # timesteps per example
CHANNELS = 6
CLASSES = 4


def build_model(hp):
    kernel_size = hp.Choice("kernel_size", [3, 5, 7])
    inputs = keras.Input(shape=(WINDOW, CHANNELS))
    x = layers.Conv1D(32, kernel_size, activation="relu")(inputs)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Conv1D(64, kernel_size, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(hp.Int("units", 32, 512, step=32), activation="relu")(x)
    if hp.Boolean("extra_layer"):
        with hp.conditional_scope("extra_layer", [True]):
            x = layers.Dense(hp.Int("extra_units", 16, 64, step=16), activation="relu")(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(CLASSES, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="sensor_classifier")
    model.compile(optimizer=keras.optimizers.Adam(hp.Float("learning_rate", 1e-4, 1e-2,
                                                           sampling="log")),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=20,
                        overwrite=True, directory="tuner_runs", project_name="sensors")
