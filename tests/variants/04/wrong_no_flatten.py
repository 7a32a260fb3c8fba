"""expect: expected ['Flatten', 'Dense', 'Dense']"""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
