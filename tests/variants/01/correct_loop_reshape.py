"""A plain loop for the length; the functional API with a Reshape layer instead of Flatten."""
import keras
from keras import layers


def flat_length(input_shape):
    total = 1
    for dim in input_shape:
        total *= dim
    return total


def build_flatten_model(input_shape):
    inputs = keras.Input(shape=tuple(input_shape), name="example")
    outputs = layers.Reshape((flat_length(input_shape),), name="flat")(inputs)
    return keras.Model(inputs=inputs, outputs=outputs, name="flattener")
