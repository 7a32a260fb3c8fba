"""Sub-models everywhere: the Sequential is two Sequential blocks, the functional model calls a hidden
block model, the subclass holds a Sequential of its hidden layers.
styles: sub-model
"""
import keras
from keras import layers


def hidden_block():
    return keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(32, activation="relu")])


def build_sequential():
    return keras.Sequential([keras.Input((28, 28)), keras.Sequential([layers.Flatten()]), hidden_block(),
                             layers.Dense(10)])


def build_functional():
    images = keras.Input((28, 28))
    return keras.Model(images, layers.Dense(10)(hidden_block()(layers.Flatten()(images))))


class SubclassedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flat = layers.Flatten()
        self.block = hidden_block()
        self.out = layers.Dense(10)

    def call(self, inputs):
        return self.out(self.block(self.flat(inputs)))
