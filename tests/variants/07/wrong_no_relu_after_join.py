"""expect: it leaves out the ReLU after the join
The residual sum goes straight into the last Dense, without the ReLU after the Add.
"""
import keras
from keras import layers


def build_residual_mlp():
    x = keras.Input((784,))
    h = layers.Dense(64, activation="relu")(x)
    b = layers.Dense(64)(layers.Dense(64, activation="relu")(h))
    y = layers.Add()([h, b])
    return keras.Model(x, layers.Dense(10)(y))

def build_two_headed_model():
    image = keras.Input((28, 28), name="image")
    t = layers.Dense(64, activation="relu")(layers.Flatten()(image))
    return keras.Model(image, [layers.Dense(10, name="digit")(t), layers.Dense(1, name="parity")(t)])

def build_siamese_model():
    left, right = keras.Input((28, 28), name="left"), keras.Input((28, 28), name="right")
    enc = keras.Sequential([layers.Flatten(), layers.Dense(32, activation="relu")])
    return keras.Model([left, right], layers.Dense(1, name="same")(layers.Concatenate()([enc(left), enc(right)])))
