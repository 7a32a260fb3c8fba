"""expect: the model could not be called on a batch of shape (1, 28, 28)
Reads input_shape as the full batch shape (keras.Input(batch_shape=...)), so the first axis is lost.
Check gap: for (28, 28) the "why" line shows only Keras's generic first line
("Exception encountered when calling Functional.call().") and never reaches the (None, 784) message.
"""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    inputs = keras.Input(batch_shape=input_shape)
    return keras.Model(inputs, keras.layers.Flatten()(inputs))
