"""expect: parameters; expected 0
Adds a Dense layer after Flatten, which gives the right shape but learnable weights.
"""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten(),
                             keras.layers.Dense(flat_length(input_shape))])
