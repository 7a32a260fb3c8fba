"""The base's own layers, each frozen, restacked with the head in a new Sequential (which has no input
shape until it is called); statistics kept as float lists, saved with keras.saving.save_model."""
import pathlib

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="restacked")
class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = [float(m) for m in mean]
        self.std = [float(s) for s in std]

    def call(self, x):
        centred = ops.subtract(x, ops.convert_to_tensor(self.mean, dtype=x.dtype))
        return ops.divide(centred, ops.convert_to_tensor(self.std, dtype=x.dtype))

    def get_config(self):
        config = super().get_config()
        config.update({"mean": self.mean, "std": self.std})
        return config


def save_and_reload(model, directory):
    target = pathlib.Path(directory, "restacked.keras")
    keras.saving.save_model(model, target)
    return keras.saving.load_model(target)


def classifier_on_frozen_features(base, num_classes=10):
    for layer in base.layers:
        layer.trainable = False
    return keras.Sequential(base.layers + [keras.layers.Dense(num_classes)])
