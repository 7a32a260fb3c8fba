"""expect: the output of SubclassedMLP() with the same weights as build_sequential() differs from the reference"""
import keras
from keras import layers


def build_sequential():
    return keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(64, activation="relu"),
                             layers.Dense(32, activation="relu"), layers.Dense(10)])


def build_functional():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Dense(32, activation="relu")(layers.Dense(64, activation="relu")(layers.Flatten()(inputs)))
    return keras.Model(inputs, layers.Dense(10)(x))


class SubclassedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.d1 = layers.Dense(64, activation="relu")
        self.d2 = layers.Dense(32)  # the relu is missing
        self.d3 = layers.Dense(10)

    def call(self, inputs):
        return self.d3(self.d2(self.d1(self.flatten(inputs))))
