"""Prints 50 MB, then answers correctly: output costs nothing."""
import keras

print("x" * (50 * 1024 * 1024))


def build_model():
    print("y" * (1024 * 1024))
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
