"""expect: the batch axis is not part of input_shape
Treats the first entry of input_shape as the batch size and skips it.
"""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape[1:])


def build_flatten_model(input_shape):
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
