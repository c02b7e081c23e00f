"""Three models Keras refuses, each reported at its source line before TensorFlow loads."""

import keras
from keras import layers

# 1. The convolution eats more timesteps than there are.
short = keras.Input(shape=(8, 3))
x = layers.Conv1D(16, kernel_size=10)(short)
too_short = keras.Model(short, layers.Dense(1)(x))

# 2. The second LSTM gets (batch, units): the first lacks return_sequences=True.
seq = keras.Input(shape=(30, 4))
h = layers.LSTM(32)(seq)
h = layers.LSTM(16)(h)
stacked = keras.Model(seq, layers.Dense(1)(h))

# 3. Summing a 24-wide forward half with a 16-wide backward half cannot work.
pair = keras.Input(shape=(30, 4))
bi = layers.Bidirectional(layers.LSTM(24), backward_layer=layers.GRU(16, go_backwards=True),
                          merge_mode="sum")
summed = keras.Model(pair, bi(pair))
