"""Sequential built with .add(), keras.Input first.
styles: add-method
"""
import keras
from keras import layers


def build_model():
    model = keras.Sequential(name="source_model")
    model.add(keras.Input(shape=(28, 28)))
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation=keras.activations.relu))
    model.add(layers.Dense(10, activation=None))
    return model
