"""expect: Standardize is not registered with Keras' serialization"""
import os

import keras
import numpy as np


class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = np.asarray(mean, dtype="float32")
        self.std = np.asarray(std, dtype="float32")

    def call(self, inputs):
        return (inputs - self.mean) / self.std

    def get_config(self):
        config = super().get_config()
        config.update(mean=self.mean.tolist(), std=self.std.tolist())
        return config


def save_and_reload(model, directory):
    path = os.path.join(directory, "model.keras")
    model.save(path)
    return keras.saving.load_model(path, custom_objects={"Standardize": Standardize})


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    return keras.Model(inputs, keras.layers.Dense(num_classes)(base(inputs, training=False)))
