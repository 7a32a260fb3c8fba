"""Freezes layer by layer through trainable flags on the layers, rebuilds the graph on the base's own layers."""
import os

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="course")
class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean_values = [float(v) for v in mean]
        self.std_values = [float(v) for v in std]

    def call(self, inputs):
        mean = ops.convert_to_tensor(self.mean_values, dtype=inputs.dtype)
        std = ops.convert_to_tensor(self.std_values, dtype=inputs.dtype)
        return (inputs - mean) / std

    def get_config(self):
        config = super().get_config()
        config.update({"mean": self.mean_values, "std": self.std_values})
        return config


def save_and_reload(model, directory):
    os.makedirs(os.path.join(directory, "saved"), exist_ok=True)
    path = os.path.join(directory, "saved", "course_model.keras")
    model.save(path)
    return keras.saving.load_model(path)


def classifier_on_frozen_features(base, num_classes=10):
    inputs = keras.Input(shape=base.input_shape[1:])
    x = inputs
    for layer in base.layers:
        layer.trainable = False
        x = layer(x)
    return keras.Model(inputs, keras.layers.Dense(num_classes)(x))
