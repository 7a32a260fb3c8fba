"""Exercise 1 — Flatten any input.

Lesson: "Tensors, batches and shapes". Check your work with `course check 1`.

A Flatten layer turns each example of shape `input_shape` into one vector, keeping the batch axis:
(batch, 28, 28) → (batch, 784). It has no parameters and keeps the values in row-major (C) order.
"""

import math

import keras


def flat_length(input_shape: tuple[int, ...]) -> int:
    """The length of one flattened example: the product of the (non-batch) dimensions.

    flat_length((28, 28)) == 784; flat_length((5, 3, 2)) == 30.
    """
    ### BEGIN SOLUTION
    return math.prod(input_shape)
    ### END SOLUTION


def build_flatten_model(input_shape: tuple[int, ...]) -> keras.Model:
    """A model that takes batches of shape (batch, *input_shape) and flattens each example.

    Its output shape is (None, flat_length(input_shape)); it has no parameters.
    """
    ### BEGIN SOLUTION
    inputs = keras.Input(shape=input_shape)
    outputs = keras.layers.Flatten()(inputs)
    return keras.Model(inputs, outputs)
    ### END SOLUTION
