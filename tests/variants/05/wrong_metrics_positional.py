"""expect: the third positional argument of compile() is loss_weights
Keras 2 habit: model.compile(optimizer, loss, metrics) positionally. In Keras 3 the third positional
parameter is loss_weights, so ["accuracy"] becomes a loss weight and fit fails.
"""
import keras


def compile_model(model):
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), ["accuracy"])


def training_recipe():
    return {"epochs": 10, "batch_size": 32}
