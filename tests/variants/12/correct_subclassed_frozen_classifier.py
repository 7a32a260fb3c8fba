"""Statistics checked by a module helper, config merged with |=, keras.ops.true_divide; the frozen classifier a small keras.Model subclass built by calling it on a zero batch."""

import os

import keras
import numpy as np


def _checked_stats(mean, std):
    """mean and std as float32 arrays, or a ValueError naming what was wrong."""
    mean = np.asarray(mean, dtype=np.float32)
    std = np.asarray(std, dtype=np.float32)
    if mean.shape != std.shape:
        raise ValueError(f"Standardize needs mean and std of the same shape; received mean of shape {mean.shape} "
                         f"and std of shape {std.shape}")
    if not np.all(std > 0):  # also catches NaN
        raise ValueError(f"Standardize needs every std > 0; received std={std.tolist()}")
    return mean, std


@keras.saving.register_keras_serializable(package="course")
class Standardize(keras.layers.Layer):
    """(inputs - mean) / std over the last axis, with fixed per-feature statistics."""

    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean, self.std = _checked_stats(mean, std)

    def call(self, inputs):
        return keras.ops.true_divide(inputs - self.mean, self.std)

    def get_config(self):
        config = super().get_config()
        config |= {"mean": self.mean.tolist(), "std": self.std.tolist()}
        return config


def save_and_reload(model: keras.Model, directory: str) -> keras.Model:
    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, "model.keras")
    model.save(target, overwrite=True)
    return keras.models.load_model(target)


class FrozenFeatureClassifier(keras.Model):
    """A frozen base followed by a new trainable Dense head that outputs logits."""

    def __init__(self, base, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.base = base
        self.head = keras.layers.Dense(num_classes, name="head")

    def call(self, inputs, training=None):
        # training=False keeps any BatchNorm/Dropout in the base in inference mode
        return self.head(self.base(inputs, training=False))


def classifier_on_frozen_features(base: keras.Model, num_classes: int = 10) -> keras.Model:
    base.trainable = False
    model = FrozenFeatureClassifier(base, num_classes, name="frozen_features_classifier")
    model(np.zeros((1, *base.input_shape[1:]), dtype="float32"))  # creates the head's weights
    return model
