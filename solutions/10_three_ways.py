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
    ### BEGIN SOLUTION
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(10),
        ],
        name="sequential_mlp",
    )
    ### END SOLUTION


def build_functional() -> keras.Model:
    """The architecture as a functional keras.Model(inputs, outputs)."""
    ### BEGIN SOLUTION
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(inputs)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs, outputs, name="functional_mlp")
    ### END SOLUTION


class SubclassedMLP(keras.Model):
    """The architecture as a subclass of keras.Model; `SubclassedMLP()` needs no arguments."""

    def __init__(self, **kwargs):
        """Create the layers, in forward order (so its weights are listed in the same order)."""
        ### BEGIN SOLUTION
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.hidden1 = layers.Dense(64, activation="relu")
        self.hidden2 = layers.Dense(32, activation="relu")
        self.classifier = layers.Dense(10)
        ### END SOLUTION

    def call(self, inputs):
        """Flatten → Dense(64, relu) → Dense(32, relu) → Dense(10)."""
        ### BEGIN SOLUTION
        x = self.flatten(inputs)
        x = self.hidden1(x)
        x = self.hidden2(x)
        return self.classifier(x)
        ### END SOLUTION
