"""The subclass builds itself in __init__; activations as separate ReLU layers everywhere.
styles: built-in-init, separate-activation
"""
import keras
from keras.layers import Dense, Flatten, ReLU


def build_sequential():
    return keras.Sequential([keras.Input(shape=(28, 28)), Flatten(), Dense(64), ReLU(), Dense(32), ReLU(), Dense(10)])


def build_functional():
    x = inputs = keras.Input(shape=(28, 28))
    for layer in (Flatten(), Dense(64), ReLU(), Dense(32), ReLU(), Dense(10)):
        x = layer(x)
    return keras.Model(inputs, x)


class SubclassedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.body = [Flatten(), Dense(64), ReLU(), Dense(32), ReLU(), Dense(10)]
        self(keras.Input(shape=(28, 28)))

    def call(self, inputs):
        for layer in self.body:
            inputs = layer(inputs)
        return inputs
