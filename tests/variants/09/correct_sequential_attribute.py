"""The flatten and hidden layers held as one Sequential attribute; Dropout and the head separate.
styles: sub-model
"""
import keras
from keras import layers


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, mc_dropout=False, **kwargs):
        super().__init__(**kwargs)
        self.mc_dropout = mc_dropout
        self.features = keras.Sequential([layers.Flatten(), layers.Dense(hidden_units, activation="relu")])
        self.drop = layers.Dropout(rate=dropout_rate)
        self.logits = layers.Dense(num_classes)

    def call(self, x, training=None):
        x = self.features(x, training=training)
        x = self.drop(x, training=True if self.mc_dropout else training)
        return self.logits(x)
