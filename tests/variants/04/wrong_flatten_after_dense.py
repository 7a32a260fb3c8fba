"""expect: the model flattens after its first Dense layer, not before
Dense(128) first works on each row of 28 pixels; the Flatten comes too late to mix the rows.
"""
import keras
from keras import layers


def build_model():
    return keras.Sequential([keras.Input((28, 28)), layers.Dense(128, activation="relu"), layers.Flatten(),
                             layers.Dense(10)])
