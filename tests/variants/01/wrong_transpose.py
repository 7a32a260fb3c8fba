"""expect: not in row-major (C) order
Permutes the axes (column-major reading) before flattening.
"""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    if len(input_shape) > 1:
        x = keras.layers.Permute(tuple(range(len(input_shape), 0, -1)))(x)
    return keras.Model(inputs, keras.layers.Flatten()(x))
