"""Calls `self.build(...)` at the end of __init__, as Keras 2 taught: Keras 3 warns and marks the model built
without weights (its layers get theirs on the first call); the grader builds it by calling it.
styles: build-by-hand
"""
import keras
from keras import layers


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, mc_dropout=False, **kwargs):
        super().__init__(**kwargs)
        self.mc_dropout = mc_dropout
        self.flatten = layers.Flatten()
        self.hidden = layers.Dense(hidden_units, activation="relu")
        self.dropout = layers.Dropout(dropout_rate)
        self.classifier = layers.Dense(num_classes)
        self.build((None, 28, 28))

    def call(self, inputs, training=None):
        x = self.hidden(self.flatten(inputs))
        x = self.dropout(x, training=True if self.mc_dropout else training)
        return self.classifier(x)
