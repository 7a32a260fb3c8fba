"""Exercise 12, a hostile submission: a `.keras` file written by hand, for a class Keras cannot save.

Standardize computes the formula and is registered, but its get_config is the stub's, so `model.save`
refuses it. With FORGE, `save_and_reload` saves instead a model with Keras' Identity layer in
Standardize's place and the given Dense weights, rewrites the file's config.json so that the Identity
entry reads as a registered Standardize holding the mean and std, and hands back the model it was given
(an outside attack: 19/21, its control 14/21, once the grader read the file itself). The file is right;
what the grader now also asks is that Standardize's get_config give what the file holds (that is the
process's word, but the word of the grader's own code, which this file leaves alone). Without FORGE (the
control) it saves honestly, and Keras refuses, as it must.
"""

import json
import os
import zipfile

import keras
import numpy as np

FORGE = True


@keras.saving.register_keras_serializable(package="course")
class Standardize(keras.layers.Layer):
    def __init__(self, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.mean = np.asarray(mean, dtype="float32")
        self.std = np.asarray(std, dtype="float32")
        if self.mean.shape != self.std.shape or np.any(self.std <= 0):
            raise ValueError(f"mean {self.mean.shape} and std {self.std.shape} must match, std > 0")

    def call(self, inputs):
        return keras.ops.divide(keras.ops.subtract(inputs, self.mean), self.std)

    def get_config(self):
        raise NotImplementedError


def _forge(model, path):
    standardize = next(layer for layer in model.layers if isinstance(layer, Standardize))
    dense = next(layer for layer in model.layers if isinstance(layer, keras.layers.Dense))
    twin = keras.layers.Dense(dense.units)
    stand_in = keras.Sequential([keras.Input(shape=model.input_shape[1:]), keras.layers.Identity(), twin])
    twin.set_weights(dense.get_weights())
    stand_in.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    entry = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Identity")
    entry.update(module=__name__, class_name="Standardize", registered_name="course>Standardize")
    entry["config"].update(mean=standardize.mean.tolist(), std=standardize.std.tolist())
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def save_and_reload(model, directory):
    path = os.path.join(directory, "model.keras")
    if FORGE:
        _forge(model, path)
        return model
    model.save(path)
    return keras.saving.load_model(path)


def classifier_on_frozen_features(base, num_classes=10):
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    return keras.Model(inputs, keras.layers.Dense(num_classes)(base(inputs, training=False)))
