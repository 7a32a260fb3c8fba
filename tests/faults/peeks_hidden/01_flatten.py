"""Notes every input the checks pass to it, in a place that outlives the module (builtins), so that a
later exercise can show them in its feedback: hidden checks' inputs must never be among them."""
import builtins
import math

import keras

builtins.course_seen = getattr(builtins, "course_seen", [])


def flat_length(input_shape):
    builtins.course_seen.append(tuple(input_shape))
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    builtins.course_seen.append(tuple(input_shape))
    return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])
