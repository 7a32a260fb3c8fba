"""expect: build_functional(): the first Dense layer has 32 units; expected 64
The functional model puts Dense(32) before Dense(64).
"""
import keras
from keras import layers


def build_sequential():
    return keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(64, activation="relu"),
                             layers.Dense(32, activation="relu"), layers.Dense(10)])


def build_functional():
    inputs = keras.Input((28, 28))
    x = layers.Dense(32, activation="relu")(layers.Flatten()(inputs))
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10)(x))


class SubclassedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.hidden1 = layers.Dense(64, activation="relu")
        self.hidden2 = layers.Dense(32, activation="relu")
        self.classifier = layers.Dense(10)

    def call(self, inputs):
        return self.classifier(self.hidden2(self.hidden1(self.flatten(inputs))))
