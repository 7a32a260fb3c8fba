"""Exercise 10 — ReLU as Lambda(keras.activations.relu) layers in Sequential and functional;
subclass calling the Dense layers with activation="relu" given positionally."""

import keras
from keras import layers


def build_sequential() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        layers.Flatten(),
        layers.Dense(64),
        layers.Lambda(keras.activations.relu),
        layers.Dense(32),
        layers.Lambda(keras.activations.relu),
        layers.Dense(10),
    ])


def build_functional() -> keras.Model:
    x0 = keras.Input(shape=(28, 28))
    x = layers.Lambda(keras.activations.relu)(layers.Dense(64)(layers.Flatten()(x0)))
    x = layers.Lambda(keras.activations.relu)(layers.Dense(32)(x))
    return keras.Model(x0, layers.Dense(10)(x))


class SubclassedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.dense_1 = layers.Dense(64, "relu")
        self.dense_2 = layers.Dense(32, "relu")
        self.dense_3 = layers.Dense(10)

    def call(self, inputs):
        return self.dense_3(self.dense_2(self.dense_1(self.flatten(inputs))))
