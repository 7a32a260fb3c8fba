"""Exercise 6 — The functional API.

Lesson: "The functional API". Check your work with `course check 6`.

Build models by calling layers on tensors: start from `keras.Input(shape=...)`, call each layer on the
tensor before it, and wrap everything with `keras.Model(inputs, outputs)`. Name the inputs and the
output layer as asked: the names are the model's interface.
"""

import keras
from keras import layers


def build_functional_model() -> keras.Model:
    """The lesson-4 model, functionally: Input (28, 28) → Flatten → Dense(128, relu) → Dense(10) logits.

    0 + 100,480 + 1,290 = 101,770 parameters, the same as the Sequential version.
    """
    # YOUR CODE HERE
    raise NotImplementedError


def build_two_input_model() -> keras.Model:
    """Inputs "image" (28, 28) and "extra" (8,); output "logits" (None, 10).

    image → Flatten → Dense(64, relu)        784·64 + 64 = 50,240
    extra → Dense(16, relu)                    8·16 + 16 =    144
    Concatenate (64 + 16 = 80) → Dense(10) named "logits"    80·10 + 10 = 810      total 51,194
    """
    # YOUR CODE HERE
    raise NotImplementedError
