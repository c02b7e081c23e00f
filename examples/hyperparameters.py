"""A script whose sizes come from the command line: archlint follows the defaults it can
see and reports what only the command line decides (AL001) instead of guessing."""

import argparse

from tensorflow import keras

parser = argparse.ArgumentParser()
parser.add_argument("--units", type=int, default=64)
args = parser.parse_args()

CONFIG = {"filters": [16, 32], "kernel": 3}


def conv_block(x, filters, kernel=CONFIG["kernel"]):
    x = keras.layers.Conv1D(filters, kernel, padding="same", activation="relu")(x)
    return keras.layers.MaxPooling1D(2)(x)


def build_model(timesteps=64, features=8):
    inputs = keras.Input(shape=(timesteps, features))
    x = inputs
    for filters in CONFIG["filters"]:
        x = conv_block(x, filters)
    x = keras.layers.LSTM(args.units)(x)
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="classifier")


model = build_model()
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
