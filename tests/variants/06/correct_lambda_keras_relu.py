"""Exercise 6 — relu as a Lambda layer wrapping keras.activations.relu; flatten via keras.ops.reshape."""

import keras
from keras import layers


def build_functional_model() -> keras.Model:
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(inputs)
    x = layers.Lambda(keras.activations.relu)(layers.Dense(128)(x))
    return keras.Model(inputs, layers.Dense(10)(x))


def build_two_input_model() -> keras.Model:
    image = keras.Input(shape=(28, 28), name="image")
    extra = keras.Input(shape=(8,), name="extra")
    a = layers.Dense(64, activation="relu")(keras.ops.reshape(image, (-1, 784)))
    b = layers.Dense(16, activation="relu")(extra)
    logits = layers.Dense(10, name="logits")(layers.Concatenate()([a, b]))
    return keras.Model(inputs=[image, extra], outputs=logits)
