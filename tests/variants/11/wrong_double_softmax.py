"""expect: the model outputs probabilities (a softmax), but the loss treats them as logits"""
import keras


def build_model():
    return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                             keras.layers.Dense(20, activation="relu"), keras.layers.Dense(10, activation="softmax")])


def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 20, "batch_size": 32}
