"""tf.keras spelling, pathlib, a Sequential head around the frozen base, registered with the default package."""
from pathlib import Path

import numpy as np
import tensorflow as tf


@tf.keras.utils.register_keras_serializable()
class Standardize(tf.keras.layers.Layer):
    """(x - mean) / std."""

    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = np.array(mean, dtype=np.float32)
        self.std = np.array(std, dtype=np.float32)

    def call(self, inputs):
        return tf.math.divide(inputs - self.mean, self.std)

    def get_config(self):
        config = super().get_config()
        config["mean"] = [float(m) for m in self.mean]
        config["std"] = [float(s) for s in self.std]
        return config


def save_and_reload(model, directory):
    path = Path(directory) / "model.keras"
    model.save(path)
    return tf.keras.models.load_model(path)


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    return tf.keras.Sequential([base, tf.keras.layers.Dense(num_classes)])
