"""expect: that is two encoders: create the encoder layer once
An encoder Layer subclass instantiated once per branch: two sets of weights, nothing shared.
"""
import keras
from keras import layers, ops

HEADS = (("digit", 10), ("parity", 1))  # output name, units; both heads give logits


def build_residual_mlp() -> keras.Model:
    stem = layers.Dense(64, activation="relu", name="stem")
    block_first = layers.Dense(64, activation="relu", name="block_first")
    block_second = layers.Dense(64, name="block_second")  # linear: the ReLU comes after the sum
    join = layers.Add(name="skip_join")
    classifier = layers.Dense(10, name="classifier")

    vectors = keras.Input(shape=(784,), name="vectors")
    carried = stem(vectors)
    summed = join([block_second(block_first(carried)), carried])
    return keras.Model(vectors, classifier(ops.maximum(summed, 0.0)), name="residual_mlp")


def build_two_headed_model() -> keras.Model:
    image = keras.Input(shape=(28, 28), name="image")
    trunk = layers.Dense(64, activation="relu", name="trunk")(layers.Flatten(name="flatten_image")(image))
    return keras.Model(image, {name: layers.Dense(units, name=name)(trunk) for name, units in HEADS})


class PixelEncoder(layers.Layer):
    """Flatten → Dense(units, relu) packed into one layer: sharing the encoder is sharing this object."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.flatten = layers.Flatten()
        self.project = layers.Dense(units, activation="relu")

    def call(self, images):
        return self.project(self.flatten(images))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def build_siamese_model() -> keras.Model:
    left = keras.Input(shape=(28, 28), name="left")
    right = keras.Input(shape=(28, 28), name="right")
    pair = layers.Concatenate(name="pair")([PixelEncoder(32)(left), PixelEncoder(32)(right)])  # two encoders
    return keras.Model(inputs=[left, right], outputs=layers.Dense(1, name="same")(pair), name="siamese")
