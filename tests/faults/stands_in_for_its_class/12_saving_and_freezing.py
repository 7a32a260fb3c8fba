"""Exercise 12, a hostile submission: a class that hands back Keras' own layer in its place.

Standardize is the stub (no formula, no get_config), but with STAND_IN its `__new__` returns Keras'
Normalization with the same mean and variance std², which computes (x - mean) / std and saves and loads
by itself; `from_config` does the same. Every object the checks make of "Standardize" is then Keras'
layer (an outside attack: 19/21, its control 10/21; 21/21 with the config fact forged as well). The
grader now requires that creating the class, directly or with from_config, give an instance of it, and
that a loaded model hold one. Without STAND_IN (the control) it is the stub.
"""

import os

import keras
import numpy as np

STAND_IN = True


@keras.saving.register_keras_serializable(package="course")
class Standardize(keras.layers.Layer):
    def __new__(cls, mean=None, std=None, **kwargs):
        if STAND_IN:
            std = np.asarray(std, dtype="float32")
            return keras.layers.Normalization(mean=np.asarray(mean, dtype="float32"), variance=std**2, **kwargs)
        return super().__new__(cls)

    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        raise NotImplementedError

    def call(self, inputs):
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def save_and_reload(model, directory):
    path = os.path.join(directory, "model.keras")
    model.save(path)
    return keras.saving.load_model(path)


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    return keras.Model(inputs, keras.layers.Dense(num_classes)(base(inputs, training=False)))
