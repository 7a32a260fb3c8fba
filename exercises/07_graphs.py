"""Exercise 7 — Shared layers, multiple outputs, residuals.

Lesson: "Graphs: shared layers, multiple outputs, residuals". Check your work with `course check 7`.

Three functional models whose graphs are not a plain chain: a skip connection added back with
`layers.Add`, one trunk feeding two named heads, and one encoder layer called on two inputs.
"""

import keras
from keras import layers


def build_residual_mlp() -> keras.Model:
    """Input (784,) → Dense(64, relu) → [Dense(64, relu) → Dense(64)] + skip → ReLU → Dense(10) logits.

    The block's output is added to the block's input with `layers.Add`.
    784·64 + 64 = 50,240, then 64·64 + 64 = 4,160 twice, then 64·10 + 10 = 650: total 59,210.
    """
    # YOUR CODE HERE
    raise NotImplementedError


def build_two_headed_model() -> keras.Model:
    """Input "image" (28, 28) → Flatten → Dense(64, relu) trunk → outputs "digit" (Dense(10)) and
    "parity" (Dense(1), one logit for "the digit is odd").

    50,240 + (64·10 + 10 = 650) + (64·1 + 1 = 65) = 50,955 parameters.
    """
    # YOUR CODE HERE
    raise NotImplementedError


def build_siamese_model() -> keras.Model:
    """Inputs "left" and "right" (28, 28); ONE encoder (Flatten → Dense(32, relu)) applied to both;
    Concatenate (32 + 32 = 64) → Dense(1) named "same" (a logit).

    784·32 + 32 = 25,120 (counted once: the encoder is shared) + 64·1 + 1 = 65: total 25,185.
    """
    # YOUR CODE HERE
    raise NotImplementedError
