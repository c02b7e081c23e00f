"""The seed model built by real Keras 3 with model.summary(): what archlint is measured against."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
from keras import layers

il = keras.Input(shape=(20, 6))
hl = layers.Conv1D(filters=32, kernel_size=10, strides=1, padding="valid", activation="swish")(il)
hl = layers.MaxPool1D(pool_size=2)(hl)
hl = layers.Bidirectional(layers.LSTM(24, return_sequences=True),
                          backward_layer=layers.GRU(16, return_sequences=True, go_backwards=True),
                          name="Bidirectional_1")(hl)
hl = layers.Bidirectional(layers.LSTM(24, return_sequences=True),
                          backward_layer=layers.GRU(24, return_sequences=True, go_backwards=True),
                          name="Bidirectional_2")(hl)
hl = layers.Flatten()(hl)
hl = layers.Dense(256, activation="swish", name="Fully_Connected")(hl)
ol = layers.Dense(1, activation="relu", name="output")(hl)
model = keras.Model(il, ol)
model.compile(loss=keras.losses.mae, optimizer="adam")
model.summary()
