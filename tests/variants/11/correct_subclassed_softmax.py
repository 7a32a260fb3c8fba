"""A subclassed model ending in softmax, so the loss takes probabilities (from_logits left False)."""
import keras
from keras import layers


class PooledClassifier(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pool = layers.AveragePooling2D(2)
        self.flatten = layers.Flatten()
        self.hidden = layers.Dense(48, activation="relu")
        self.out = layers.Dense(10, activation="softmax")

    def call(self, inputs):
        x = self.pool(keras.ops.expand_dims(inputs, -1))
        return self.out(self.hidden(self.flatten(x)))


def build_model():
    return PooledClassifier()


def compile_model(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def training_recipe():
    return {"epochs": 30, "batch_size": 32}
