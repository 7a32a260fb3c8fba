"""expect: must be an integer
Numbers written as strings (e.g. copied from a config file).
"""
import keras


def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": "10", "batch_size": "32"}
