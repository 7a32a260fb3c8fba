"""A subclassed model that reshapes with keras.ops, keeping the batch axis."""
import math

import keras


def flat_length(input_shape):
    return int(math.prod(int(d) for d in input_shape))


class Flattener(keras.Model):
    def call(self, x):
        return keras.ops.reshape(x, (-1, self.length))

    def __init__(self, input_shape):
        super().__init__()
        self.length = flat_length(input_shape)


def build_flatten_model(input_shape):
    return Flattener(input_shape)
