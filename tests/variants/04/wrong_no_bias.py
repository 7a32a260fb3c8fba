"""expect: the Dense(128, relu) layer has 100,352 parameters; expected 100,480"""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu", use_bias=False),
                             keras.layers.Dense(10)])
