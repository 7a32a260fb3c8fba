"""Strategy 3, functional: a small conv net (5,258 parameters)."""
import keras
from keras import layers


def build_model():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Reshape((28, 28, 1))(inputs)
    x = layers.MaxPooling2D(2)(layers.Conv2D(8, 3, activation="relu")(x))
    x = layers.MaxPooling2D(2)(layers.Conv2D(16, 3, activation="relu")(x))
    return keras.Model(inputs, layers.Dense(10)(layers.Flatten()(x)))


def compile_model(model):
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])


def training_recipe():
    return {"epochs": 15, "batch_size": 64}
