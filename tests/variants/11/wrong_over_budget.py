"""expect: the model has 101,770 parameters, over the budget of 20,000 by 81,770"""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)])


def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 10, "batch_size": 32}
