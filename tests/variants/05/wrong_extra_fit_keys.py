"""expect: which the grader controls or fit does not take
Puts the data and verbosity into the recipe.
"""
import keras


def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 10, "batch_size": 32, "verbose": 1}
