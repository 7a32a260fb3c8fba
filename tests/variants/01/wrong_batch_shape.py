"""expect: the first axis of the example's shape was taken as the batch axis
Reads input_shape as the full batch shape (keras.Input(batch_shape=...)), so the first axis is lost.
"""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    inputs = keras.Input(batch_shape=input_shape)
    return keras.Model(inputs, keras.layers.Flatten()(inputs))
