"""Mean and std kept as non-trainable weights made in build(); the head on base.output; save_model/load_model."""
import os

import keras
import numpy as np


@keras.saving.register_keras_serializable(package="course")
class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self._mean = [float(v) for v in np.ravel(mean)]
        self._std = [float(v) for v in np.ravel(std)]

    def build(self, input_shape):
        n = len(self._mean)
        self.mean = self.add_weight(name="mean", shape=(n,), trainable=False,
                                    initializer=keras.initializers.Constant(self._mean))
        self.std = self.add_weight(name="std", shape=(n,), trainable=False,
                                   initializer=keras.initializers.Constant(self._std))

    def call(self, inputs):
        return keras.ops.divide(keras.ops.subtract(inputs, self.mean), self.std)

    def get_config(self):
        return {**super().get_config(), "mean": self._mean, "std": self._std}


def save_and_reload(model, directory):
    target = os.path.join(directory, "standardized.keras")
    keras.saving.save_model(model, target)
    return keras.models.load_model(target)


def classifier_on_frozen_features(base, num_classes=10):
    for layer in base.layers:
        layer.trainable = False
    return keras.Model(base.inputs, keras.layers.Dense(num_classes)(base.outputs[0]))
