"""Sequential built with .add() in a loop with ReLU layers; functional with keras.ops.reshape and ops.relu;
a subclass that keeps its hidden layers in a list.
styles: add-method, separate-activation
"""
import keras
from keras import layers


def build_sequential():
    m = keras.Sequential()
    m.add(layers.Input((28, 28)))
    m.add(layers.Flatten())
    for units in (64, 32):
        m.add(layers.Dense(units))
        m.add(layers.ReLU())
    m.add(layers.Dense(10))
    return m


def build_functional():
    inputs = keras.Input(shape=(28, 28))
    x = keras.ops.reshape(inputs, (-1, 784))
    x = keras.ops.relu(layers.Dense(64)(x))
    x = layers.Dense(32, activation=keras.activations.relu)(x)
    return keras.Model(inputs=inputs, outputs=layers.Dense(10)(x))


class SubclassedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flat = layers.Flatten()
        self.stack = [layers.Dense(64, activation="relu"), layers.Dense(32, activation="relu")]
        self.head = layers.Dense(10)

    def call(self, inputs):
        x = self.flat(inputs)
        for layer in self.stack:
            x = layer(x)
        return self.head(x)
