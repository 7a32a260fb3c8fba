"""expect: the loss treats the model's outputs as probabilities, but the model outputs logits"""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(20, activation="relu"), keras.layers.Dense(10)])


def compile_model(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def training_recipe():
    return {"epochs": 20, "batch_size": 32}
