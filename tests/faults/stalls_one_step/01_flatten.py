"""Correct, except that flat_length sleeps forever on one of the grader's shapes: only that check may fail,
with a message naming the call that took too long; the model checks keep their points."""
import math
import time

import keras


def flat_length(input_shape):
    if tuple(input_shape) == (7,):
        while True:
            time.sleep(1)
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    inputs = keras.Input(shape=tuple(input_shape))
    return keras.Model(inputs, keras.layers.Flatten()(inputs))
