"""Exercise 7 — the post-sum ReLU as Lambda(keras.activations.relu); trunk ReLU likewise;
siamese merge as a Lambda over keras.ops.concatenate."""

import keras
from keras import layers


def build_residual_mlp() -> keras.Model:
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    h = layers.Dense(64)(layers.Dense(64, activation="relu")(x))
    x = layers.Lambda(keras.activations.relu)(layers.Add()([x, h]))
    return keras.Model(inputs, layers.Dense(10)(x))


def build_two_headed_model() -> keras.Model:
    image = keras.Input(shape=(28, 28), name="image")
    trunk = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    return keras.Model(image, {"digit": layers.Dense(10, name="digit")(trunk),
                               "parity": layers.Dense(1, name="parity")(trunk)})


def build_siamese_model() -> keras.Model:
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    flatten = layers.Flatten()
    encode = layers.Dense(32, activation="relu")
    merged = layers.Concatenate()([encode(flatten(left)), encode(flatten(right))])
    return keras.Model([left, right], layers.Dense(1, name="same")(merged))
