"""expect: the 'digit' head does not output logits"""
import keras
from keras import layers


def build_residual_mlp():
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    h = layers.Dense(64)(layers.Dense(64, activation="relu")(x))
    return keras.Model(inputs, layers.Dense(10)(layers.ReLU()(x + h)))


def build_two_headed_model():
    image = keras.Input(shape=(28, 28), name="image")
    trunk = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    return keras.Model(image, {"digit": layers.Dense(10, activation="softmax", name="digit")(trunk),
                               "parity": layers.Dense(1, name="parity")(trunk)})


def build_siamese_model():
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    flatten, encode = layers.Flatten(), layers.Dense(32, activation="relu")
    merged = layers.Concatenate()([encode(flatten(left)), encode(flatten(right))])
    return keras.Model([left, right], layers.Dense(1, name="same")(merged))
