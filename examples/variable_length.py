"""The seed architecture on sequences of any length: the time axis stays symbolic (T),
archlint computes (T-9)//2 steps after pooling and the shortest input the model accepts.
GlobalAveragePooling1D replaces Flatten, which would need a fixed length."""

import keras
from keras import layers

inputs = keras.Input(shape=(None, 6))
x = layers.Conv1D(32, 10, activation="swish")(inputs)
x = layers.MaxPooling1D(2)(x)
x = layers.Bidirectional(layers.LSTM(24, return_sequences=True))(x)
x = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs, name="any_length")
model.compile(loss="mae", optimizer="adam")
