"""TensorFlow constants for the formula, registered under package my_students, list(map(float, ...)) in the config, keras.saving.save_model to another file name, a Sequential head.
Written by an independent student (a helper that read only the lessons and the stub).
"""
import os

import keras
import numpy as np
import tensorflow as tf


@keras.saving.register_keras_serializable(package="my_students")
class Standardize(keras.layers.Layer):
    """mean/std kept as numpy arrays for config, tf constants for compute."""

    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = np.array(mean, dtype=np.float32)
        self.std = np.array(std, dtype=np.float32)
        if self.mean.shape != self.std.shape:
            raise ValueError(f"Shapes differ: mean {self.mean.shape} vs std {self.std.shape}")
        if not (self.std > 0).all():
            raise ValueError(f"std must be positive everywhere, got {self.std}")
        self._mean_t = tf.constant(self.mean)
        self._std_t = tf.constant(self.std)

    def call(self, inputs):
        x = tf.cast(inputs, tf.float32)
        return (x - self._mean_t) / self._std_t

    def get_config(self):
        base = super().get_config()
        return {**base, "mean": list(map(float, self.mean)), "std": list(map(float, self.std))}


def save_and_reload(model, directory):
    os.makedirs(directory, exist_ok=True)
    filename = os.path.join(directory, "saved_model_v1.keras")
    keras.saving.save_model(model, filename)
    return keras.saving.load_model(filename)


def classifier_on_frozen_features(base, num_classes=10):
    for layer in base.layers:
        layer.trainable = False
    base.trainable = False
    return keras.Sequential([base, keras.layers.Dense(num_classes, name="head")])
