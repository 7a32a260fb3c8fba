"""Keeps 1/std, writes lists into the config and turns them back into arrays in a from_config of its own."""
import os

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="answers", name="Standardize")
class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.mean = np.asarray(mean, "float32")
        self.inv_std = 1.0 / np.asarray(std, "float32")

    def call(self, x):
        return (x - self.mean) * self.inv_std

    def get_config(self):
        config = super().get_config()
        config.update(mean=[float(v) for v in self.mean], std=[float(1.0 / v) for v in self.inv_std])
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        mean, std = np.array(config.pop("mean")), np.array(config.pop("std"))
        return cls(mean, std, **config)


def save_and_reload(model, directory):
    file = os.path.join(directory, "round_trip.keras")
    model.save(file, overwrite=True)
    return keras.saving.load_model(file, compile=False)


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    image = keras.Input(base.input_shape[1:])
    return keras.Model(image, keras.layers.Dense(num_classes, name="logits")(base(image, training=False)))
