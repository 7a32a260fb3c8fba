"""expect: its block ends with a ReLU
The residual block (a Layer subclass that makes its output Dense before its inner one, so its weights are
listed out of call order) gives its output Dense a ReLU: relu(Dense(...)) is added to the skip.
"""
import keras
from keras import layers


class ResidualBlock(layers.Layer):
    """x + Dense_relu(Dense_relu(x)): the output layer is made first, the inner one second."""

    def __init__(self, width=64, **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.outer = layers.Dense(width, activation="relu")  # applied second: the mistake, a ReLU before the sum
        self.inner = layers.Dense(width, activation="relu")  # applied first

    def call(self, x):
        return x + self.outer(self.inner(x))

    def get_config(self):
        return {**super().get_config(), "width": self.width}


def build_residual_mlp() -> keras.Model:
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.ReLU()(ResidualBlock(64)(x))
    return keras.Model(inputs, layers.Dense(10)(x))


def build_two_headed_model() -> keras.Model:
    pixels = keras.Input(shape=(28, 28), name="image")
    features = layers.Dense(64, activation="relu", name="trunk")(layers.Reshape((784,))(pixels))
    heads = {"digit": layers.Dense(10, name="digit"), "parity": layers.Dense(1, name="parity")}
    return keras.Model(inputs=pixels, outputs={name: head(features) for name, head in heads.items()})


def build_siamese_model() -> keras.Model:
    flatten, project = layers.Flatten(), layers.Dense(32, activation="relu")  # one encoder, used twice
    pair = [keras.Input(shape=(28, 28), name=side) for side in ("left", "right")]
    codes = [project(flatten(image)) for image in pair]
    return keras.Model(inputs=pair, outputs=layers.Dense(1, name="same")(layers.Concatenate()(codes)))
