"""expect: does not add the block's input back to the block's output"""
import keras
from keras import layers


def build_residual_mlp():
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    inner = layers.Dense(64, activation="relu")(x)
    h = layers.Dense(64)(inner)
    # adds the block's middle, not the block's input: nothing goes around the block
    return keras.Model(inputs, layers.Dense(10)(layers.ReLU()(layers.Add()([inner, h]))))


def build_two_headed_model():
    image = keras.Input(shape=(28, 28), name="image")
    trunk = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    return keras.Model(image, {"digit": layers.Dense(10, name="digit")(trunk),
                               "parity": layers.Dense(1, name="parity")(trunk)})


def build_siamese_model():
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    flatten, encode = layers.Flatten(), layers.Dense(32, activation="relu")
    merged = layers.Concatenate()([encode(flatten(left)), encode(flatten(right))])
    return keras.Model([left, right], layers.Dense(1, name="same")(merged))
