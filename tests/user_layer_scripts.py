"""Random scripts built from user-defined layers, for the differential test: weights made
in ``build()`` with ``add_weight`` (trainable or not), residual blocks with a projection
only when the widths differ, attention written by hand, a subclass using its base's
weights, a layer with two outputs, and frozen layers. Deterministic for a seed."""

from __future__ import annotations

import random

HEAD = "import keras\nfrom keras import layers\nimport tensorflow as tf\n"

CLASSES = '''
class Affine(layers.Layer):
    def __init__(self, units, use_bias=True, counter=False, **kwargs):
        super().__init__(**kwargs)
        self.units, self.use_bias, self.counter = units, use_bias, counter
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros") \\
            if self.use_bias else None
        if self.counter:
            self.seen = self.add_weight(shape=(), initializer="zeros", trainable=False)
    def call(self, x):
        y = tf.matmul(x, self.kernel)
        return y + self.bias if self.bias is not None else y

class Residual(layers.Layer):
    def __init__(self, width, conv=False, **kwargs):
        super(Residual, self).__init__(**kwargs)
        self.width, self.conv = width, conv
        self.first = layers.Conv1D(width, 3, padding="same") if conv else layers.Dense(width)
        self.norm = layers.LayerNormalization()
    def build(self, input_shape):
        self.project = None
        if input_shape[-1] != self.width:
            self.project = layers.Dense(self.width, use_bias=False)
    def call(self, x):
        h = tf.nn.relu(self.norm(self.first(x)))
        shortcut = x if self.project is None else self.project(x)
        return h + shortcut

class HandAttention(layers.Layer):
    def __init__(self, dim, project=True, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim
        self.q = layers.Dense(dim, use_bias=False)
        self.k = layers.Dense(dim, use_bias=False)
        self.v = layers.Dense(dim)
        self.out = layers.Dense(dim) if project else None
    def call(self, x):
        scores = tf.matmul(self.q(x), self.k(x), transpose_b=True) / self.dim ** 0.5
        y = tf.matmul(tf.nn.softmax(scores, axis=-1), self.v(x))
        return self.out(y) if self.out is not None else y

class ScaledBase(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    def scaled(self, x):
        return x * self.scale

class Gated(ScaledBase):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.gate = None
    def build(self, input_shape):
        super().build(input_shape)
        self.gate = layers.Dense(input_shape[-1], activation="sigmoid")
    def call(self, x):
        return self.scaled(x) * self.gate(x)

class Split(layers.Layer):
    def __init__(self, left, **kwargs):
        super().__init__(**kwargs)
        self.left = layers.Dense(left)
        self.right = layers.Dense(2)
    def call(self, x):
        return self.left(x), self.right(x)
'''


def _block(rng: random.Random, sequence: bool) -> str:
    """One call of a user-defined layer on ``x``, as a line of the script."""
    kinds = ["affine", "residual", "gated", "split"] + (["attention"] if sequence else [])
    kind = rng.choice(kinds)
    frozen = ", trainable=False" if rng.random() < 0.2 else ""
    if kind == "affine":
        return (f"x = Affine({rng.randint(1, 12)}, use_bias={rng.random() < 0.7}, "
                f"counter={rng.random() < 0.4}{frozen})(x)")
    if kind == "residual":
        conv = sequence and rng.random() < 0.5
        return f"x = Residual({rng.randint(2, 10)}, conv={conv}{frozen})(x)"
    if kind == "attention":
        return f"x = HandAttention({rng.randint(2, 8)}, project={rng.random() < 0.5}{frozen})(x)"
    if kind == "gated":
        return f"x = Gated({frozen.lstrip(', ')})(x)"
    return f"a, b = Split({rng.randint(1, 6)}{frozen})(x)\nx = layers.Concatenate()([a, b])"


def user_layer_script(seed: int) -> str:
    """A model of one to three user-defined layers on a random input, with a Dense head."""
    rng = random.Random(seed)
    sequence = rng.random() < 0.5
    shape = f"({rng.randint(3, 9)}, {rng.randint(1, 8)})" if sequence \
        else f"({rng.randint(1, 12)},)"
    lines = [f"inp = keras.Input(shape={shape})", "x = inp"]
    for _ in range(rng.randint(1, 3)):
        lines.append(_block(rng, sequence))
    if sequence and rng.random() < 0.5:
        lines.append("x = layers.GlobalAveragePooling1D()(x)")
    lines.append(f"model = keras.Model(inp, layers.Dense({rng.randint(1, 4)})(x), "
                 f"name='drawn_{seed}')")
    return HEAD + CLASSES + "\n".join(lines) + "\n"
