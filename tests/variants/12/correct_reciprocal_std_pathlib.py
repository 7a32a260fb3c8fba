"""Multiplies by a precomputed 1/std, package Student4, pathlib for the file, a Sequential head built with .add().
Written by an independent student (a helper that read only the lessons and the stub).
"""
import pathlib

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="Student4")
class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        mean = np.asarray(mean, dtype=np.float32)
        std = np.asarray(std, dtype=np.float32)
        if mean.shape != std.shape:
            raise ValueError("mean and std must be the same length; received "
                             f"{mean.shape} and {std.shape}")
        if np.min(std) <= 0:
            raise ValueError(f"std values must all be positive; received min std {np.min(std)}")
        super().__init__(**kwargs)
        self.mean, self.std = mean, std
        self.inv_std = (1.0 / std).astype(np.float32)

    def call(self, inputs):
        return (inputs - self.mean) * self.inv_std

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update(mean=[float(v) for v in self.mean], std=[float(v) for v in self.std])
        return cfg


def save_and_reload(model, directory):
    path = pathlib.Path(directory) / "checkpoint.keras"
    model.save(str(path))
    loaded = keras.saving.load_model(str(path), compile=True)
    return loaded


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    model = keras.Sequential(name="frozen_plus_head")
    model.add(keras.Input(shape=base.input_shape[1:]))
    model.add(base)
    model.add(keras.layers.Dense(num_classes))
    return model
