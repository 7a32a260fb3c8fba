"""Exercise 12, a hostile submission: Keras' Normalization made inside call(), doing the work.

With HIDE, Standardize subclasses keras.layers.Layer as asked, has a working get_config and registration,
but its call() builds a keras.layers.Normalization (mean, and std² as the variance) on the spot and
returns its output (an outside attack: 21/21 in batch grading, its control 12/21). The grader now notes
every function of Keras' concrete layers that runs inside a Standardize method. Without HIDE (the
control) call() returns its input.
"""

import os

import keras
import numpy as np

HIDE = True


@keras.saving.register_keras_serializable(package="course")
class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = np.asarray(mean, dtype="float32")
        self.std = np.asarray(std, dtype="float32")

    def call(self, inputs):
        if HIDE:
            return keras.layers.Normalization(mean=self.mean, variance=self.std**2)(inputs)
        return inputs

    def get_config(self):
        return {**super().get_config(), "mean": self.mean.tolist(), "std": self.std.tolist()}


def save_and_reload(model, directory):
    path = os.path.join(directory, "model.keras")
    model.save(path)
    return keras.saving.load_model(path)


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    return keras.Model(inputs, keras.layers.Dense(num_classes)(base(inputs, training=False)))
