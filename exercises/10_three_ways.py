"""Exercise 10 — One architecture, three ways.

Lesson: "Choosing an API". Check your work with `course check 10`.

Write Flatten on (28, 28) → Dense(64, relu) → Dense(32, relu) → Dense(10) logits three times: as a
`keras.Sequential`, as a functional `keras.Model`, and as a subclass of `keras.Model`. Each has
784·64 + 64 = 50,240, then 64·32 + 32 = 2,080, then 32·10 + 10 = 330: 52,650 parameters.
"""

import keras
from keras import layers


def build_sequential() -> keras.Model:
    """The architecture as a keras.Sequential model."""
    # YOUR CODE HERE
    raise NotImplementedError


def build_functional() -> keras.Model:
    """The architecture as a functional keras.Model(inputs, outputs)."""
    # YOUR CODE HERE
    raise NotImplementedError


class SubclassedMLP(keras.Model):
    """The architecture as a subclass of keras.Model; `SubclassedMLP()` needs no arguments."""

    def __init__(self, **kwargs):
        """Create the layers, in forward order (so its weights are listed in the same order)."""
        # YOUR CODE HERE
        raise NotImplementedError

    def call(self, inputs):
        """Flatten → Dense(64, relu) → Dense(32, relu) → Dense(10)."""
        # YOUR CODE HERE
        raise NotImplementedError
