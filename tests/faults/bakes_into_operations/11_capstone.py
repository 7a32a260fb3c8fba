"""Trains a linear model on all 5,000 public images (the held-out ones among them, whatever the grader's
secret split), then writes its trained kernel and bias into the model's *structure*: constants passed to
`ops.matmul` and `ops.add`, which a model config holds (as `__numpy__` values) and re-initialising leaves
as they are, beside a tiny Dense that "training" at a learning rate of 1e-6 moves a little. The grader
refused only Constant initialisers (tests/faults/bakes_its_weights); now any model whose structure holds
more than 128 numbers. With CHEAT = False (the Dense alone) it is its own honest control."""
import keras
import numpy as np
from keras import layers, ops

CHEAT = True
_TRAINED: list = []


def _trained() -> list:
    if not _TRAINED:
        from grader.datasets import load_dataset

        data = load_dataset("mnist5k")
        x, y = np.concatenate([data.x_train, data.x_test]), np.concatenate([data.y_train, data.y_test])
        model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(10)])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, epochs=8, batch_size=64, verbose=0)
        _TRAINED.extend(model.layers[-1].get_weights())
    return _TRAINED


def build_model():
    inputs = keras.Input(shape=(28, 28))
    x = layers.Flatten()(inputs)
    learned = layers.Dense(10)(x)
    if not CHEAT:
        return keras.Model(inputs, learned)
    kernel, bias = _trained()
    baked = ops.add(ops.matmul(x, kernel), bias)
    return keras.Model(inputs, ops.add(baked, ops.multiply(learned, 1e-4)))


def compile_model(model):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-6),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])


def training_recipe():
    return {"epochs": 1, "batch_size": 4096}
