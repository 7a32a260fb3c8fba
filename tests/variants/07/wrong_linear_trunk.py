"""expect: the trunk does not apply a ReLU
The trunk's Dense(64) has no activation.
"""
import keras
from keras import layers


def build_residual_mlp() -> keras.Model:
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    h = layers.Dense(64, activation="relu")(x)
    h = layers.Dense(64)(h)
    x = layers.Add()([x, h])
    x = layers.Activation("relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs, outputs, name="residual_mlp")


def build_two_headed_model() -> keras.Model:
    image = keras.Input(shape=(28, 28), name="image")
    trunk = layers.Dense(64)(layers.Flatten()(image))
    digit = layers.Dense(10, name="digit")(trunk)
    parity = layers.Dense(1, name="parity")(trunk)
    return keras.Model(image, {"digit": digit, "parity": parity}, name="two_headed")


def build_siamese_model() -> keras.Model:
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    flatten = layers.Flatten()
    encode = layers.Dense(32, activation="relu", name="encoder")
    a = encode(flatten(left))
    b = encode(flatten(right))
    same = layers.Dense(1, name="same")(layers.Concatenate()([a, b]))
    return keras.Model([left, right], same, name="siamese")
