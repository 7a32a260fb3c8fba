"""The right architecture with NaN weights."""
import keras
import numpy as np


def build_model():
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
    model.set_weights([np.full(w.shape, np.nan, dtype="float32") for w in model.get_weights()])
    return model
