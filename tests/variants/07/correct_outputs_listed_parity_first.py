"""Exercise 7 — outputs given as a list in the order [parity, digit] (each head named; names are
the interface), the skip with keras.ops.add and an Activation layer, siamese encoder created as a
pair of layer objects and applied with map()."""

import keras
from keras import layers, ops


def build_residual_mlp() -> keras.Model:
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    fx = layers.Dense(64)(layers.Dense(64, activation="relu")(x))
    x = layers.Activation("relu")(ops.add(fx, x))
    return keras.Model(inputs, layers.Dense(10)(x))


def build_two_headed_model() -> keras.Model:
    image = keras.Input(shape=(28, 28), name="image")
    trunk = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    parity = layers.Dense(1, name="parity")(trunk)
    digit = layers.Dense(10, name="digit")(trunk)
    return keras.Model(image, [parity, digit])


def build_siamese_model() -> keras.Model:
    flatten, dense = layers.Flatten(), layers.Dense(32, activation="relu")
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    encodings = list(map(lambda t: dense(flatten(t)), [left, right]))
    return keras.Model([left, right], layers.Dense(1, name="same")(layers.Concatenate()(encodings)))
