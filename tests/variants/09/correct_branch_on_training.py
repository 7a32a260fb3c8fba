"""Reshape with keras.ops instead of Flatten; Python `if training:` decides whether to drop."""
import keras
from keras import layers, ops


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.flatten = layers.Flatten()
        self.dense = layers.Dense(hidden_units)
        self.dropout = layers.Dropout(dropout_rate)
        self.logits = layers.Dense(num_classes)

    def call(self, inputs, training=None):
        x = ops.relu(self.dense(self.flatten(inputs)))
        if training:
            x = self.dropout(x, training=True)
        return self.logits(x)
