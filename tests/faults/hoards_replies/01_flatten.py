"""Exercise 1, correct, with the same padding of every reply as this fault's exercise 4 file (see there):
the replies of the two files together pass the bound on what the grader keeps of one student."""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, keras.layers.Flatten()(inputs))


def _install():
    try:
        import numpy as np

        import grader.grade.values as values
    except ImportError:
        return
    if getattr(values.pack, "padded", False):
        return
    original = values.pack

    def padded(header, arrays):
        return original(header, [*arrays, np.zeros(60 * 1024 * 1024, dtype=np.uint8)])

    padded.padded = True
    values.pack = padded


_install()
