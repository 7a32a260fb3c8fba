"""Sequential sub-models as building blocks inside functional graphs.
styles: sub-model
"""
import keras
from keras.layers import Add, Concatenate, Dense, Flatten, ReLU


def build_residual_mlp():
    x = inputs = keras.Input(shape=(784,))
    x = Dense(64, activation="relu")(x)
    block = keras.Sequential([Dense(64, activation="relu"), Dense(64)])
    x = ReLU()(Add()([x, block(x)]))
    return keras.Model(inputs, Dense(10)(x))


def build_two_headed_model():
    image = keras.Input(shape=(28, 28), name="image")
    trunk = keras.Sequential([Flatten(), Dense(64, activation="relu")], name="trunk")(image)
    return keras.Model(image, {"parity": Dense(1, name="parity")(trunk), "digit": Dense(10, name="digit")(trunk)})


def build_siamese_model():
    encoder = keras.Sequential([Flatten(), Dense(32, activation="relu")])
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    return keras.Model([left, right], Dense(1, name="same")(Concatenate()([encoder(left), encoder(right)])))
