"""expect: the model has an extra Dense(64, relu) layer
A second hidden layer the source text's model does not have.
"""
import keras
from keras import layers


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(128, activation="relu"),
                             layers.Dense(64, activation="relu"), layers.Dense(10)])
