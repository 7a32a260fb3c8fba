"""Activations as their own layers (ReLU, Activation) and as keras.ops.relu in the subclass.
styles: separate-activation, add-method
"""
import keras
from keras import layers, ops


def build_sequential():
    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28)))
    model.add(layers.Flatten())
    model.add(layers.Dense(64))
    model.add(layers.ReLU())
    model.add(layers.Dense(32))
    model.add(layers.Activation("relu"))
    model.add(layers.Dense(10))
    return model


def build_functional():
    x0 = keras.Input(shape=(28, 28))
    x = layers.Flatten()(x0)
    x = layers.Activation("relu")(layers.Dense(64)(x))
    x = layers.ReLU()(layers.Dense(32)(x))
    return keras.Model(x0, layers.Dense(10)(x))


class SubclassedMLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1, self.d2, self.d3 = layers.Dense(64), layers.Dense(32), layers.Dense(10)

    def call(self, inputs):
        x = ops.reshape(inputs, (-1, 784))
        return self.d3(ops.relu(self.d2(ops.relu(self.d1(x)))))
