"""The merge written keras.ops.concatenate (an operation recorded in the graph), inputs given as a dict.
styles: operator-join
"""
import keras
from keras import layers, ops


def build_functional_model():
    inputs = keras.Input(shape=(28, 28))
    hidden = layers.Dense(128, activation="relu")(layers.Flatten()(inputs))
    return keras.Model(inputs=inputs, outputs=layers.Dense(10)(hidden))


def build_two_input_model():
    image = keras.Input(shape=(28, 28), name="image")
    extra = keras.Input(shape=(8,), name="extra")
    a = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    b = layers.Dense(16, activation="relu")(extra)
    merged = ops.concatenate([a, b], axis=-1)
    return keras.Model({"image": image, "extra": extra}, layers.Dense(10, name="logits")(merged))
