"""expect: the recipe's epochs must be an integer from 1 to 50
"""
import keras


def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 0, "batch_size": 32}
