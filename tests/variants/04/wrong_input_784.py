"""expect: the model takes inputs of shape (None, 784); the grader gives it images of shape (None, 28, 28)
Declares flat 784-vectors as the input and leaves the flattening to the caller.
"""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(128, activation="relu"),
                             keras.layers.Dense(10)])
