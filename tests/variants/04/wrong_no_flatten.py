"""expect: the model has no Flatten, so each Dense acts on the last axis"""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
