"""expect: `build_functional()` returned a keras.Sequential model"""
import keras
from keras import layers


def build_sequential():
    return keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(64, activation="relu"),
                             layers.Dense(32, activation="relu"), layers.Dense(10)])


def build_functional():
    return build_sequential()


class SubclassedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.d1 = layers.Dense(64, activation="relu")
        self.d2 = layers.Dense(32, activation="relu")
        self.d3 = layers.Dense(10)

    def call(self, inputs):
        return self.d3(self.d2(self.d1(self.flatten(inputs))))
