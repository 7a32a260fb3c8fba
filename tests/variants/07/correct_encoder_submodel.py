"""The shared encoder is itself a keras.Model; the residual block is a helper; dict inputs.
styles: sub-model
"""
import keras
from keras import layers


def _residual_block(x, width):
    h = layers.Dense(width, activation="relu")(x)
    h = layers.Dense(width)(h)
    return layers.Activation("relu")(layers.Add()([x, h]))


def build_residual_mlp():
    inputs = keras.Input(shape=(784,), name="pixels")
    x = layers.Dense(64, activation="relu")(inputs)
    return keras.Model(inputs, layers.Dense(10, name="logits")(_residual_block(x, 64)))


def build_two_headed_model():
    image = keras.Input(shape=(28, 28), name="image")
    features = layers.Dense(64, activation="relu", name="trunk")(layers.Flatten()(image))
    heads = {"digit": layers.Dense(10)(features), "parity": layers.Dense(1)(features)}
    return keras.Model(inputs=image, outputs=heads)


def build_siamese_model():
    scan = keras.Input(shape=(28, 28))
    encoder = keras.Model(scan, layers.Dense(32, activation="relu")(layers.Flatten()(scan)), name="encoder")
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    merged = layers.Concatenate()([encoder(left), encoder(right)])
    return keras.Model({"left": left, "right": right}, layers.Dense(1, name="same")(merged))
