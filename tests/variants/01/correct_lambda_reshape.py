"""A Lambda layer that reshapes with keras.ops, keeping the batch axis."""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    length = flat_length(input_shape)
    inputs = keras.Input(shape=tuple(input_shape))
    return keras.Model(inputs, keras.layers.Lambda(lambda x: keras.ops.reshape(x, (-1, length)))(inputs))
