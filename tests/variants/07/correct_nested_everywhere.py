"""Sub-models everywhere: the residual block, the trunk and the shared encoder are nested Sequentials; the
join is `+`, the concatenation keras.ops.concatenate, the ReLU after the join an Activation layer.
styles: sub-model, operator-join, separate-activation
"""
import keras
from keras import layers


def build_residual_mlp():
    x = keras.Input((784,))
    h = layers.Dense(64, activation="relu")(x)
    block = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(64)], name="block")
    y = layers.Activation("relu")(block(h) + h)
    return keras.Model(x, layers.Dense(10)(y))

def build_two_headed_model():
    image = keras.Input((28, 28), name="image")
    trunk = keras.Sequential([layers.Flatten(), layers.Dense(64, activation="relu")])
    t = trunk(image)
    return keras.Model(image, {"digit": layers.Dense(10, name="digit")(t), "parity": layers.Dense(1, name="parity")(t)})

def build_siamese_model():
    left, right = keras.Input((28, 28), name="left"), keras.Input((28, 28), name="right")
    encoder = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(32, activation="relu")])
    joined = keras.ops.concatenate([encoder(left), encoder(right)], axis=1)
    return keras.Model([left, right], layers.Dense(1, name="same")(joined))
