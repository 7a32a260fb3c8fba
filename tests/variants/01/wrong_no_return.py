"""expect: did you forget `return model`
"""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
