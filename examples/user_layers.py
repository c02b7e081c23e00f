"""A model built from layers the script defines: weights made in build() with add_weight,
a residual block whose projection exists only when the widths differ, attention written
by hand, and a sinusoidal position table cut to the input's length with tf.shape.
archlint follows __init__, build() and call() without running them;
`archlint crosscheck examples/user_layers.py` rebuilds what it read in real Keras."""

import keras
import numpy as np
import tensorflow as tf
from keras import layers


class Affine(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False)

    def call(self, x):
        return tf.matmul(x, self.kernel) + self.bias


class Residual(layers.Layer):
    def __init__(self, width, **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.conv = layers.Conv1D(width, 3, padding="same")
        self.norm = layers.LayerNormalization()

    def build(self, input_shape):
        self.project = layers.Dense(self.width) if input_shape[-1] != self.width else None

    def call(self, x):
        h = tf.nn.relu(self.norm(self.conv(x)))
        return h + (x if self.project is None else self.project(x))


class SelfAttention(layers.Layer):
    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.query = layers.Dense(dim, use_bias=False)
        self.key = layers.Dense(dim, use_bias=False)
        self.value = layers.Dense(dim)

    def call(self, x):
        scores = tf.matmul(self.query(x), self.key(x), transpose_b=True) / self.dim ** 0.5
        return tf.matmul(tf.nn.softmax(scores, axis=-1), self.value(x))


class PositionalEncoding(layers.Layer):
    def __init__(self, max_length, width, **kwargs):
        super().__init__(**kwargs)
        p, i = np.meshgrid(np.arange(max_length), 2 * np.arange(width // 2))
        table = np.empty((1, max_length, width))
        table[0, :, ::2] = np.sin(p / 10_000 ** (i / width)).T
        table[0, :, 1::2] = np.cos(p / 10_000 ** (i / width)).T
        self.table = tf.constant(table.astype("float32"))

    def call(self, x):
        return x + self.table[:, :tf.shape(x)[1]]


inputs = keras.Input(shape=(50, 6))
x = Affine(16)(inputs)
x = Residual(16)(x)
x = Residual(24)(x)
x = SelfAttention(24)(x)
x = layers.GlobalAveragePooling1D()(x)
model = keras.Model(inputs, layers.Dense(3, activation="softmax")(x), name="user_layers")
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

# Any length up to the table's 64 steps: the table is cut to the input's length.
steps = keras.Input(shape=(None, 6))
tags = PositionalEncoding(64, 16)(Affine(16)(steps))
tagger = keras.Model(steps, layers.Dense(4)(Residual(16)(tags)), name="tagger")
