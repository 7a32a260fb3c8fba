"""keras.ops.add for the skip join and keras.ops.relu after it; heads as a list of named layers; the
shared encoder a functional sub-model.
styles: operator-join, sub-model
"""
import keras
from keras import layers, ops


def build_residual_mlp():
    vector = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(vector)
    block = layers.Dense(64)(layers.Dense(64, activation="relu")(x))
    x = ops.relu(ops.add(x, block))
    return keras.Model(vector, layers.Dense(10)(x))


def build_two_headed_model():
    image = keras.Input(shape=(28, 28), name="image")
    trunk = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    return keras.Model(image, [layers.Dense(10, name="digit")(trunk), layers.Dense(1, name="parity")(trunk)])


def build_siamese_model():
    one = keras.Input(shape=(28, 28))
    encoder = keras.Model(one, layers.Dense(32, activation="relu")(layers.Flatten()(one)), name="encoder")
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    joined = layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model(inputs=[left, right], outputs=layers.Dense(1, name="same")(joined))
