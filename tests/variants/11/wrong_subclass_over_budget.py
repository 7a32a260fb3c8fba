"""expect: over the budget of 20,000
A subclassed model with the source text's Dense(128) on 784 inputs: five times the budget.
"""
import keras


class Big(keras.Model):
    def __init__(self):
        super().__init__()
        self.flat = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(128, activation="relu")
        self.out = keras.layers.Dense(10)

    def call(self, x):
        return self.out(self.hidden(self.flat(x)))


def build_model():
    return Big()


def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 5, "batch_size": 32}
