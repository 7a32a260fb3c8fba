"""Exercise 12 — Save, reload and freeze.

Lesson: "Saving, loading and freezing". Check your work with `course check 12`.

Three parts:

1. `Standardize`, a layer that computes `(inputs - mean) / std` with a mean and a standard deviation
   fixed when it is created (numpy arrays measured on training data). Keras can save a model that
   contains it only if it can rebuild the layer from the file: `get_config` returns the constructor
   arguments, and the class is registered under a name (the decorator above the class).
2. `save_and_reload(model, directory)`: save the whole model as a `.keras` file in `directory` and
   load it back.
3. `classifier_on_frozen_features(base, num_classes)`: reuse a trained model as a frozen feature
   extractor under a new, trainable classification head.
"""

import os

import keras
import numpy as np


# The decorator registers the class as "course>Standardize": that name is written into the .keras
# file, and keras.saving.load_model looks it up to find this class again.
@keras.saving.register_keras_serializable(package="course")
class Standardize(keras.layers.Layer):
    """`(inputs - mean) / std` on the last axis, with a fixed per-feature mean and std.

    Args:
        mean: the per-feature mean, a list or numpy array of length `features`.
        std: the per-feature standard deviation, same length as `mean`, every value > 0.

    Input shape:  (batch, ..., features)
    Output shape: the same as the input.
    """

    def __init__(self, mean, std, **kwargs):
        """Store mean and std as float32 numpy arrays; pass **kwargs (name, …) on to the base class.

        Raises ValueError, saying what was received, if their shapes differ or a std is not positive.
        """
        ### BEGIN SOLUTION
        super().__init__(**kwargs)
        self.mean = np.asarray(mean, dtype="float32")
        self.std = np.asarray(std, dtype="float32")
        if self.mean.shape != self.std.shape:
            raise ValueError(f"`mean` and `std` must have the same shape. Received: mean of shape "
                             f"{self.mean.shape}, std of shape {self.std.shape}")
        if np.any(self.std <= 0):
            raise ValueError(f"every `std` must be positive. Received: std={self.std.tolist()}")
        ### END SOLUTION

    def call(self, inputs):
        """(inputs - mean) / std, broadcast over the last axis."""
        ### BEGIN SOLUTION
        return keras.ops.divide(keras.ops.subtract(inputs, self.mean), self.std)
        ### END SOLUTION

    def get_config(self):
        """The base config plus `mean` and `std` as plain lists (`.tolist()`): what rebuilds the layer."""
        ### BEGIN SOLUTION
        return {**super().get_config(), "mean": self.mean.tolist(), "std": self.std.tolist()}
        ### END SOLUTION


def save_and_reload(model: keras.Model, directory: str) -> keras.Model:
    """Save `model` as `<directory>/model.keras`, load that file back and return the loaded model."""
    ### BEGIN SOLUTION
    saved = os.path.join(directory, "standardized.keras")
    keras.saving.save_model(model, saved)
    return keras.saving.load_model(saved)
    ### END SOLUTION


def classifier_on_frozen_features(base: keras.Model, num_classes: int = 10) -> keras.Model:
    """A new model: `base`'s layers frozen, then a new trainable `Dense(num_classes)` on its output.

    The new model takes the same input as `base` and outputs logits. Training it changes only the
    new Dense layer: `base` keeps its weights, which is what makes it a frozen feature extractor.
    """
    ### BEGIN SOLUTION
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    features = base(inputs, training=False)
    logits = keras.layers.Dense(num_classes, name="head")(features)
    return keras.Model(inputs, logits)
    ### END SOLUTION
