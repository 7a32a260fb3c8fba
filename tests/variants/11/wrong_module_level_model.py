"""expect: build_model() returns the same model
One model made at import time and returned by every call: a second run of the grader would train it further.
"""
import keras

_MODEL = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                           keras.layers.Dense(24, activation="relu"), keras.layers.Dense(10)])


def build_model():
    return _MODEL


def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 25, "batch_size": 32}
