"""Reshape with keras.ops instead of Flatten; Python `if training or self.mc:` decides whether to drop."""
import keras
from keras import layers, ops


class MLPClassifier(keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, mc_dropout=False, **kwargs):
        super().__init__(**kwargs)
        self.mc = mc_dropout
        self.flatten = layers.Flatten()
        self.dense = layers.Dense(hidden_units)
        self.dropout = layers.Dropout(dropout_rate)
        self.logits = layers.Dense(num_classes)

    def call(self, inputs, training=None):
        x = ops.relu(self.dense(self.flatten(inputs)))
        if training or self.mc:
            x = self.dropout(x, training=True)
        return self.logits(x)
