"""tf.keras; layers in a list; relies on Keras passing `training` on to nested layers automatically,
except that Monte Carlo dropout forces it on.
styles: tf-keras
"""
import tensorflow as tf


class MLPClassifier(tf.keras.Model):
    def __init__(self, hidden_units=128, dropout_rate=0.5, num_classes=10, mc_dropout=False, **kwargs):
        super().__init__(**kwargs)
        self.mc_dropout = mc_dropout
        self.stack = [
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(hidden_units, activation="relu"),
            tf.keras.layers.Dropout(dropout_rate),
            tf.keras.layers.Dense(num_classes),
        ]

    def call(self, inputs, training=None):
        x = inputs
        for layer in self.stack:
            x = layer(x, training=True) if self.mc_dropout and isinstance(layer, tf.keras.layers.Dropout) else layer(x)
        return x
