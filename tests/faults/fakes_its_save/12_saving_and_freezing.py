"""Exercise 12, a hostile submission: the `.keras` round trip faked in its own process.

Standardize computes the formula but has no get_config and is not registered, so Keras cannot save it.
With FAKE, `save_and_reload` writes a file that is no `.keras` file at all and hands back the model it was
given as "reloaded"; and since the grader's plain `keras.saving.load_model` and the registration lookups
run in this process (batch grading plays the scenarios here), it replaces them: `load_model` answers with
that same model, and Standardize reads as registered under "course>Standardize". (An outside attack did
this: 19/21, its control 12/21.) The checks of the round trip now read the saved file in the grader's
challenger, with none of this process's code: they fail. Without FAKE (the control) it saves honestly,
and Keras refuses, as it must.
"""

import os

import keras
import numpy as np

FAKE = True


class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = np.asarray(mean, dtype="float32")
        self.std = np.asarray(std, dtype="float32")
        if self.mean.shape != self.std.shape or np.any(self.std <= 0):
            raise ValueError(f"mean {self.mean.shape} and std {self.std.shape} must match, std > 0")

    def call(self, inputs):
        return keras.ops.divide(keras.ops.subtract(inputs, self.mean), self.std)


_handed_back = {}


def save_and_reload(model, directory):
    path = os.path.join(directory, "model.keras")
    if not FAKE:
        model.save(path)
        return keras.saving.load_model(path)
    with open(path, "wb") as junk:
        junk.write(b"PK\x03\x04 this is not a saved model")
    _handed_back[path] = model
    return model


if FAKE:
    _load_model = keras.saving.load_model
    _name_of, _object_named = keras.saving.get_registered_name, keras.saving.get_registered_object

    def _loaded(path, *args, **kwargs):
        return _handed_back[str(path)] if str(path) in _handed_back else _load_model(path, *args, **kwargs)

    keras.saving.load_model = _loaded
    keras.saving.get_registered_name = lambda obj: "course>Standardize" if obj is Standardize else _name_of(obj)
    keras.saving.get_registered_object = (
        lambda name, *a, **k: Standardize if name == "course>Standardize" else _object_named(name, *a, **k))


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    return keras.Model(inputs, keras.layers.Dense(num_classes)(base(inputs, training=False)))
