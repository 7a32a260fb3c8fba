"""Exercise 12, a hostile submission: code that changes what its earlier calls computed.

Standardize's call() returns its input unchanged until `save_and_reload` has run; with LATE, that
function also switches every Standardize to the right formula afterwards. Batch grading traced each
committed call when the exercise's file was closed, after every step had run, so the early, wrong calls
were judged as the later, right code (an outside attack: 21/21 in batch grading against 14/21 in
`course check`). Each call is now traced when it runs: batch grading gives what `course check` gives.
Without LATE (the control) the switch never happens.
"""

import os

import keras
import numpy as np

LATE = True
_SWITCHED = []


@keras.saving.register_keras_serializable(package="course")
class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = np.asarray(mean, dtype="float32")
        self.std = np.asarray(std, dtype="float32")

    def call(self, inputs):
        if _SWITCHED:
            return keras.ops.divide(keras.ops.subtract(inputs, self.mean), self.std)
        return inputs

    def get_config(self):
        return {**super().get_config(), "mean": self.mean.tolist(), "std": self.std.tolist()}


def save_and_reload(model, directory):
    path = os.path.join(directory, "model.keras")
    model.save(path)
    if LATE:
        _SWITCHED.append(True)
    return keras.saving.load_model(path)


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    return keras.Model(inputs, keras.layers.Dense(num_classes)(base(inputs, training=False)))
