"""functools.reduce for the length; a Sequential model that starts with keras.Input."""
import functools
import operator

import keras


def flat_length(input_shape):
    return functools.reduce(operator.mul, input_shape, 1)


def build_flatten_model(input_shape):
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
