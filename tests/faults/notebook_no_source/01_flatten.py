"""An honest, correct exercise 1 next to a broken notebook for exercise 4: the notebook costs only
exercise 4."""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
