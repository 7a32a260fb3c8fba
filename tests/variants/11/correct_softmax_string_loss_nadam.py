"""A narrow model that ends in a Softmax layer, so the plain string loss (probabilities) is right; Nadam.
styles: separate-activation, other-optimizer
"""
import keras
from keras import layers


def build_model():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(inputs)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dense(10)(x)
    return keras.Model(inputs, layers.Softmax()(x))  # 785·20 + 21·10 = 15,910 parameters


def compile_model(model):
    model.compile(optimizer="nadam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def training_recipe():
    return {"epochs": 25, "batch_size": 32}
