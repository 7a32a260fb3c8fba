"""A subclassed model built by hand in build_model(), as Keras 2 taught: `model.build(shape)` on a model
without a `build()` of its own. Keras 3 warns and marks it built with no weights (its layers get theirs on
the first call), so the grader builds it by calling it, in `course check` and in batch grading alike.
"""
import keras
from keras import layers


class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.channel = layers.Reshape((28, 28, 1))
        self.shrink = layers.MaxPooling2D(2)
        self.flatten = layers.Flatten()
        self.hidden = layers.Dense(40, activation="relu")
        self.logits = layers.Dense(10)

    def call(self, images):
        x = self.flatten(self.shrink(self.channel(images)))
        return self.logits(self.hidden(x))


def build_model():
    model = Classifier()
    model.build((None, 28, 28))
    return model


def compile_model(model):
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])


def training_recipe():
    return {"epochs": 10, "batch_size": 32}
