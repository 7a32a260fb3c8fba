"""Builds itself in __init__ by calling on a symbolic input; names its layers; has get_config.
styles: built-in-init
"""
import keras
from keras import layers


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, mc_dropout=False, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units, self.dropout_rate, self.num_classes = hidden_units, dropout_rate, num_classes
        self.mc_dropout = mc_dropout
        self.flat = layers.Flatten(name="flat")
        self.fc1 = layers.Dense(hidden_units, activation="relu", name="fc1")
        self.drop = layers.Dropout(dropout_rate, name="drop")
        self.head = layers.Dense(num_classes, name="head")
        self(keras.Input(shape=(28, 28)))

    def call(self, inputs, training=None):
        return self.head(self.drop(self.fc1(self.flat(inputs)), training=bool(training) or self.mc_dropout))

    def get_config(self):
        return {**super().get_config(), "hidden_units": self.hidden_units,
                "dropout_rate": self.dropout_rate, "num_classes": self.num_classes,
                "mc_dropout": self.mc_dropout}
