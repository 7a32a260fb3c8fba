"""A correct exercise 4, graded after exercise 1 made the grader fail in this student's process."""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])
