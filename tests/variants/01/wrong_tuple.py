"""expect: is not an integer
Returns the whole output shape (batch, length) instead of the length.
"""
import math

import keras


def flat_length(input_shape):
    return (None, math.prod(input_shape))


def build_flatten_model(input_shape):
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
