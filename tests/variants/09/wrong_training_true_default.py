"""expect: without a training argument keeps Dropout on
call() defaults to training=True: fit() is right, but a plain model(x) or predict() keeps dropping units.
"""
import keras
from keras import layers


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.hidden = layers.Dense(hidden_units, activation="relu")
        self.dropout = layers.Dropout(dropout_rate)
        self.out = layers.Dense(num_classes)

    def call(self, inputs, training=True):
        x = self.hidden(self.flatten(inputs))
        return self.out(self.dropout(x, training=training))
